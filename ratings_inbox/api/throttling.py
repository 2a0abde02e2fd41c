"""Request budgets per user and per integration key (429 with Retry-After)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from .authentication import is_api_key


class UserThrottle(SimpleRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        user = request.user
        if is_api_key(user) or not user or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class ApiKeyThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not is_api_key(request.user):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.pk}


class AnonThrottle(SimpleRateThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


THROTTLE_CLASSES = [UserThrottle, ApiKeyThrottle, AnonThrottle]
