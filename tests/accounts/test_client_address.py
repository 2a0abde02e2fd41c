"""SEC-1: a client's address is the socket's unless trusted proxies are configured; a client
cannot choose it with X-Forwarded-For."""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from ratings_inbox.client_address import client_address


def address_of(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_header_is_ignored():
    assert address_of("203.0.113.5") == "203.0.113.5"
    assert address_of("203.0.113.5", "198.51.100.1") == "203.0.113.5"


@pytest.mark.parametrize("count, forwarded, expected", [
    (1, "198.51.100.1", "198.51.100.1"),
    (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own claim comes first
    (2, "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
    (2, "198.51.100.1", "198.51.100.1"),  # it reached the second proxy directly
    (1, "2001:DB8::1", "2001:db8::1"),
    (1, "6.6.6.6, not-an-address", "10.0.0.2"),  # a malformed hop: the socket's
    (1, "", "10.0.0.2"),
])
def test_behind_trusted_proxies_the_address_is_the_one_they_saw(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert address_of("10.0.0.2", forwarded) == expected


def test_a_spoofed_forwarded_for_does_not_escape_the_anonymous_throttle(db, monkeypatch, time_machine):
    """API throttles key anonymous callers by the socket's address: DRF's default key was the
    X-Forwarded-For header itself, so each made-up value had a budget of its own."""
    from ratings_inbox.api.throttling import AnonThrottle

    monkeypatch.setattr(AnonThrottle, "rate", "3/minute", raising=False)
    time_machine.move_to(dt.datetime(2030, 5, 6, 10, 0, tzinfo=dt.UTC), tick=False)  # one window
    address = str(ipaddress.IPv6Address(uuid.uuid4().int))  # a key no earlier run has counted
    statuses = [
        APIClient().post("/api/v1/auth/token/", {}, format="json", REMOTE_ADDR=address,
                         HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
