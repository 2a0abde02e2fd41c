"""Request budgets per user and per integration key (429 with Retry-After)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from ratings_inbox.client_address import client_address
from ratings_inbox.redis_client import redis_client

from .principal import is_api_key


class WindowThrottle(SimpleRateThrottle):
    """A request count per fixed window (a minute at "1200/minute"), one INCR in Redis.

    DRF's SimpleRateThrottle keeps the list of every request time in the window and reads
    and writes it whole at each request: 1,200 floats at our rate, on every API call. A
    fixed window may let a client reach twice the rate across a window boundary; that is
    the price of an O(1) check.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        pipe = redis_client().pipeline(transaction=False)
        key = f"ri:{self.key}:{window}"
        pipe.incr(key)
        pipe.expire(key, self.duration + 1)
        count, _ = pipe.execute()
        return count <= self.num_requests

    def get_ident(self, request):
        # DRF's own reads X-Forwarded-For when NUM_PROXIES is unset: any client could pick its key.
        return client_address(request)

    def wait(self):
        return max(1.0, self.window_end - self.now)


class UserThrottle(WindowThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        user = request.user
        if is_api_key(user) or not user or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class ApiKeyThrottle(WindowThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not is_api_key(request.user):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.api_key.pk}


class AnonThrottle(WindowThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


THROTTLE_CLASSES = [UserThrottle, ApiKeyThrottle, AnonThrottle]
