"""One Redis connection pool per process for the counters kept outside Django's cache API."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
