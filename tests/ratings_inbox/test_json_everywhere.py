"""Every path under /api/v1/ answers JSON, whatever the method or credentials: a malformed or
unknown id is a JSON 404, never Django's HTML CSRF or 404 page (API.md "Status codes", SEC-7)."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from ratings_inbox.api_urls import merchant_patterns
from tests.conftest import base

METHODS = ("get", "head", "options", "post", "put", "patch", "delete")
# Each merchant path with an id, the id replaced by something that is not one.
MALFORMED = [
    str(pattern.pattern).replace("<int:id>", bad)
    for pattern in merchant_patterns if "<int:id>" in str(pattern.pattern)
    for bad in ("abc", "1.5", "-1", "1e3", "%20")
]


def _is_json_404(response) -> bool:
    if response.status_code != 404 or not response["Content-Type"].startswith("application/json"):
        return False
    return response.request["REQUEST_METHOD"] == "HEAD" or "detail" in response.json()


@pytest.fixture
def clients(make, merchant, client_for, api_key):
    """A token client, an integration key and a browser session, all checking CSRF as browsers would."""
    token = client_for(make.admin(merchant))
    key = client_for(api_key=api_key)
    session = APIClient()
    session.force_login(make.admin(merchant))
    for client in (token, key, session):
        client.handler.enforce_csrf_checks = True
    return {"token": token, "api_key": key, "session": session}


def test_malformed_ids_are_json_404_for_every_method_and_caller(merchant, clients):
    assert {"ratings/abc/read/", "gifts/abc/", "quick-replies/abc/", "api-keys/abc/"} <= set(MALFORMED)
    wrong = [
        (name, method, path, response.status_code, response["Content-Type"])
        for name, client in clients.items()
        for path in MALFORMED
        for method in METHODS
        if not _is_json_404(response := getattr(client, method)(base(merchant) + path))
    ]
    assert wrong == []


@pytest.mark.parametrize("path", ["ratings/987654/read/", "gifts/987654/", "quick-replies/987654/",
                                  "api-keys/987654/", "ratings/99999999999999999999/"])
def test_unknown_ids_are_json_404(make, merchant, client_for, path):
    admin = client_for(make.admin(merchant))
    method = {"ratings/987654/read/": "post", "gifts/987654/": "patch", "quick-replies/987654/": "patch",
              "api-keys/987654/": "delete", "ratings/99999999999999999999/": "get"}[path]
    assert _is_json_404(getattr(admin, method)(base(merchant) + path, {}, format="json"))


def test_unknown_merchant_and_unknown_paths_are_json_404(make, merchant, other_merchant, clients):
    """The merchant is resolved before any view (TenantMiddleware): its 404 is JSON too."""
    for client in clients.values():
        for method in METHODS:
            for url in ("/api/v1/merchants/nope/ratings/", f"/api/v1/merchants/{other_merchant.slug}/ratings/",
                        "/api/v1/merchants/nope/ratings/abc/read/", "/api/v1/nothing/here/", "/api/v1/"):
                response = getattr(client, method)(url)
                if client is clients["api_key"] and url.endswith(f"{other_merchant.slug}/ratings/"):
                    assert response.status_code == 404  # another merchant's key: 404 (API.md)
                assert _is_json_404(response), (method, url, response.status_code, response["Content-Type"])


def test_pages_outside_the_api_keep_the_html_404(db, client):
    response = client.get("/m/nope/inbox/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json(make, merchant, client_for, monkeypatch):
    from inbox import api as ratings_api

    def broken(self, request, merchant_slug):
        raise RuntimeError("boom")

    monkeypatch.setattr(ratings_api.RatingSummaryView, "get", broken)
    client = client_for(make.admin(merchant))
    client.raise_request_exception = False
    response = client.get(base(merchant) + "ratings/summary/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()


def _views(resolver: URLResolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry)
        elif isinstance(entry, URLPattern):
            yield entry.callback


def test_every_api_view_leaves_csrf_to_its_authentication():
    """Token and key clients send no CSRF token; sessions are checked by DRF's SessionAuthentication,
    which answers JSON. A plain Django view here would get the HTML CSRF page instead."""
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    assert [v for v in _views(api) if not getattr(v, "csrf_exempt", False)] == []
