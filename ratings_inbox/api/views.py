"""Base views of the API: credentials, JSON only, errors, throttles.

A merchant's endpoints build on `merchants.api_views.MerchantView` (the membership and access).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from .exceptions import RequestTooLarge, exception_handler
from .parsers import LimitedJSONParser
from .throttling import THROTTLE_CLASSES


@functools.cache
def api_authentication_classes() -> list:
    return [import_string(path) for path in settings.API_AUTHENTICATION_CLASSES]


class ApiView(APIView):
    # None: the API's credentials, settings.API_AUTHENTICATION_CLASSES (the apps that own them).
    authentication_classes = None
    permission_classes = [IsAuthenticated]
    throttle_classes = THROTTLE_CLASSES
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    # Service errors on these fields are reported under another name: {"invoice_number": "invoice"}.
    error_fields: dict = {}

    def get_authenticators(self):
        classes = self.authentication_classes
        return [auth() for auth in (api_authentication_classes() if classes is None else classes)]

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
