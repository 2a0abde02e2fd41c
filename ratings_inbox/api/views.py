"""Base views of the API: credentials, JSON only, errors, throttles, the merchant and membership.

A merchant's endpoint resolves, in this order (API.md "Status codes", PRODUCT.md §9):
401 without credentials; 404 when the caller is not a member (or the integration key is
another merchant's); 403 when the role (or the key) may not do this; then throttles.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from merchants.access import Access
from merchants.selectors import membership_get

from .authentication import AUTHENTICATION_CLASSES, is_api_key
from .exceptions import RequestTooLarge, exception_handler
from .parsers import LimitedJSONParser
from .throttling import THROTTLE_CLASSES

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _touch(api_key) -> None:
    """Records when an integration key was last used (at most once a minute per key)."""
    from merchants.models import ApiKey

    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(merchant_id=api_key.merchant_id, pk=api_key.pk).update(last_used_at=now)


class ApiView(APIView):
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated]
    throttle_classes = THROTTLE_CLASSES
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    # Service errors on these fields are reported under another name: {"invoice_number": "invoice"}.
    error_fields: dict = {}

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestTooLarge()
        super().initial(request, *args, **kwargs)


class MerchantView(ApiView):
    """An endpoint under /merchants/{m}/: request.merchant is set by TenantMiddleware.

    `roles` maps a method to the least role allowed (staff < agent < admin); reads default
    to staff, writes to admin. `api_key_methods` lists the methods an integration key of
    this merchant may call; any other is a 403.
    """

    roles: dict[str, str] = {}
    api_key_methods: tuple[str, ...] = ()

    def role_for(self, method: str) -> str:
        return self.roles.get(method, "staff" if method in SAFE_METHODS else "admin")

    def check_permissions(self, request):
        super().check_permissions(request)
        merchant = request.merchant
        if merchant is None:
            raise Http404
        user = request.user
        if is_api_key(user):
            if user.merchant_id != merchant.pk:
                raise exceptions.NotFound(_("No such merchant."))
            _touch(user.api_key)
            if request.method not in self.api_key_methods:
                raise exceptions.PermissionDenied(_("An integration key may only post visits and ratings."))
            request.membership = None
            request.access = Access.system(merchant)
            return
        membership = membership_get(merchant=merchant, user=user)
        if not membership.has_role(self.role_for(request.method)):
            raise exceptions.PermissionDenied(_("Your role does not allow this."))
        request.membership = membership
        request.access = Access.member(membership, merchant)

    @property
    def merchant(self):
        return self.request.merchant

    @property
    def access(self) -> Access:
        """Who acts, for which merchant and branches (SEC-2); set by check_permissions."""
        return self.request.access

    def actor(self):
        user = self.request.user
        return None if is_api_key(user) else user


@csrf_exempt
def not_found(request, *args, **kwargs):
    """JSON 404 for any other path under /api/v1/, whatever the method: a token client sends no
    CSRF token, and a malformed id ("ratings/abc/read/") is an unknown id (API.md)."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def page_not_found(request, exception):
    """handler404: a 404 raised before any API view (TenantMiddleware's unknown merchant) is JSON too."""
    if _is_api(request):
        return not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: an API client gets JSON even from an error nothing handled."""
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.APIException.default_detail)}, status=500)
    return defaults.server_error(request)
