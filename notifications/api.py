"""API v1 of a member's own e-mail preferences (API.md `…/me/notifications/`, SLA-4)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from merchants.api_views import MerchantView
from ratings_inbox.api.schema import READ_ERRORS, WRITE_ERRORS, errors

from .serializers import NotificationPreferencesSerializer
from .services import notification_preferences_get, notification_preferences_set


class NotificationPreferencesView(MerchantView):
    """Every member, whatever the role, reads and sets their own; an integration key has none (403)."""

    roles = {"GET": "staff", "PUT": "staff"}

    @extend_schema(operation_id="me_notifications_retrieve",
                   responses={200: NotificationPreferencesSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        return Response(asdict(notification_preferences_get(access=self.access)))

    @extend_schema(operation_id="me_notifications_update", request=NotificationPreferencesSerializer,
                   responses={200: NotificationPreferencesSerializer, **errors(*WRITE_ERRORS)},
                   description="Sets all four of the caller's preferences for this merchant (SLA-4); a field "
                               "missing or out of range is a 400 naming it, and nothing changes.")
    def put(self, request, merchant_slug):
        data = NotificationPreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preferences = notification_preferences_set(access=self.access, actor=request.user, **data.validated_data)
        return Response(asdict(preferences))
