"""API v1 of the auto-reply settings and their preview (API.md "Auto-reply", AR-1, AR-2)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from merchants.api_views import MerchantView
from ratings_inbox.api.schema import READ_ERRORS, WRITE_ERRORS, errors

from . import services
from .selectors import autoreply_settings_get
from .serializers import (
    AutoReplyInputSerializer,
    AutoReplySerializer,
    PreviewInputSerializer,
    PreviewSerializer,
)


class AutoReplyView(MerchantView):
    roles = {"GET": "admin", "PUT": "admin"}

    @extend_schema(operation_id="autoreply_retrieve", responses={200: AutoReplySerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        return Response(AutoReplySerializer(autoreply_settings_get(access=self.access)).data)

    @extend_schema(operation_id="autoreply_update", request=AutoReplyInputSerializer,
                   responses={200: AutoReplySerializer, **errors(*WRITE_ERRORS)},
                   description="Fields left out keep their value. An unknown placeholder is a 400 on `subject` "
                               "or `body` naming it; `{{` and `}}` write a literal brace.")
    def put(self, request, merchant_slug):
        data = AutoReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.autoreply_settings_update(merchant=self.merchant, actor=request.user, **data.validated_data)
        return Response(AutoReplySerializer(row).data)


class AutoReplyPreviewView(MerchantView):
    roles = {"POST": "admin"}

    @extend_schema(operation_id="autoreply_preview", request=PreviewInputSerializer,
                   responses={200: PreviewSerializer, **errors(*WRITE_ERRORS)},
                   description="Subject and body filled in for a sample rating; the same validation as PUT.")
    def post(self, request, merchant_slug):
        data = PreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preview = services.autoreply_preview(merchant=self.merchant, **data.validated_data)
        return Response(PreviewSerializer(preview).data)
