"""The address a request came from: the socket's, or the one the trusted proxies saw (SEC-1).

Every proxy in front of the app appends the address it received the request from to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies the client is that many entries from the
right; whatever a client wrote further left is its own claim and never chosen. With no
trusted proxy (the default) the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR") or ""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    candidate = hops[-min(count, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
