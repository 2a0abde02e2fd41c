"""API.md "Authentication", "Auth and me" and "Status codes": 401/413/415/429, JSON errors, never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from merchants import tenancy
from tests.conftest import base


def test_token_for_email_and_password(make, merchant):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"email": "admin-la-arepa@example.com", "password": "pass-1234"},
                           format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert set(me) == {"id", "email", "full_name", "language", "memberships"}
    assert me["email"] == "admin-la-arepa@example.com" and me["language"] in ("es", "en")
    assert me["memberships"] == [{"merchant": {"slug": "la-arepa", "name": "La Arepa Dorada"}, "role": "admin",
                                  "branches": None}]


def test_wrong_credentials_give_no_hint(make, merchant):
    client = APIClient()
    wrong_password = client.post("/api/v1/auth/token/", {"email": "admin-la-arepa@example.com", "password": "no"},
                                 format="json")
    wrong_email = client.post("/api/v1/auth/token/", {"email": "nobody@example.com", "password": "pass-1234"},
                              format="json")
    assert wrong_password.status_code == wrong_email.status_code == 400
    assert wrong_password.json() == wrong_email.json()
    assert "email" not in wrong_password.json() and "password" not in wrong_password.json()
    assert client.post("/api/v1/auth/token/", {}, format="json").status_code == 400


def test_no_or_bad_credentials_are_401(make, merchant):
    client = APIClient()
    response = client.get(base(merchant) + "ratings/")
    assert response.status_code == 401 and response.has_header("WWW-Authenticate")
    assert client.get("/api/v1/me/").status_code == 401
    for header in ("Token nope", "Api-Key nope", "Api-Key abcdefghijklmnopqrstuvwxyz", "Token a b", "Api-Key"):
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(base(merchant) + "ratings/").status_code == 401, header


def test_integration_key_posts_visit_then_rating(make, merchant, client_for, api_key):
    from merchants.models import Branch

    client = client_for(api_key=api_key)
    branch = Branch.objects.filter(merchant=merchant).first()
    visit = client.post(base(merchant) + "visits/", {
        "branch": branch.id, "customer": {"external_id": "P-1", "full_name": "Pedro Perea"},
        "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "invoice": {"number": "A-1", "total": "12.50", "currency": "COP"},
    }, format="json")
    assert visit.status_code == 201, visit.content
    rating = client.post(base(merchant) + "ratings/", {"visit": visit.json()["id"], "score": 10, "comment": None},
                         format="json")
    assert rating.status_code == 201, rating.content
    assert rating.json()["has_comment"] is False
    again = client.post(base(merchant) + "ratings/", {"visit": visit.json()["id"], "score": 1}, format="json")
    assert again.status_code == 409
    assert client.get("/api/v1/me/").status_code == 403


def test_keys_of_two_merchants_sharing_a_prefix_both_authenticate(make, merchant, other_merchant, client_for):
    """API-2 with SCALE-2: a prefix is unique only within its merchant, so two merchants' keys
    may share one; each key still authenticates as its own merchant."""
    from merchants.models import ApiKey
    from merchants.services import API_KEY_PREFIX_LENGTH, api_key_create, api_key_hash

    first, raw = api_key_create(merchant=merchant, name="POS")
    twin = raw[:API_KEY_PREFIX_LENGTH] + "another-secret-of-the-other-merchant"
    with tenancy.tenant(other_merchant.pk):
        ApiKey.objects.create(merchant=other_merchant, name="POS", prefix=first.prefix, key_hash=api_key_hash(twin))
    for key, owner, stranger in ((raw, merchant, other_merchant), (twin, other_merchant, merchant)):
        client = client_for(api_key=key)
        visit = client.post(base(owner) + "visits/", {
            "branch": make.branch(owner).id, "customer": {"external_id": "P-1", "full_name": "Pedro Perea"},
            "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "invoice": {"number": "A-1", "total": "12.50", "currency": "COP"},
        }, format="json")
        assert visit.status_code == 201, visit.content
        assert client.get(base(stranger) + "ratings/").status_code == 404


def test_revoked_key_is_refused_at_once(make, merchant, client_for, admin_client):
    created = admin_client.post(base(merchant) + "api-keys/", {"name": "Caja 1"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "key", "created_at"} and body["name"] == "Caja 1"
    from merchants.models import ApiKey

    assert ApiKey.objects.get(pk=body["id"]).key_hash != body["key"]  # stored hashed
    assert ApiKey.objects.get(pk=body["id"]).last_used_at is None
    listed = admin_client.get(base(merchant) + "api-keys/").json()["results"]
    assert listed[0]["id"] == body["id"] and "key" not in listed[0]
    key_client = client_for(api_key=body["key"])
    visit = make.visit(merchant)
    assert key_client.post(base(merchant) + "ratings/", {"visit": visit.id, "score": 5}, format="json").status_code == 201
    assert ApiKey.objects.get(pk=body["id"]).last_used_at is not None
    assert admin_client.delete(base(merchant) + f"api-keys/{body['id']}/").status_code == 204
    other = make.visit(merchant)
    response = key_client.post(base(merchant) + "ratings/", {"visit": other.id, "score": 5}, format="json")
    assert response.status_code == 401
    assert admin_client.post(base(merchant) + "api-keys/", {"name": "  "}, format="json").status_code == 400


def test_body_over_one_megabyte_is_413(make, merchant, admin_client):
    rating = make.rating(merchant, 4)
    big = json.dumps({"body": "x" * (1024 * 1024 + 10)})
    response = admin_client.post(base(merchant) + f"ratings/{rating.id}/messages/", big,
                                 content_type="application/json")
    assert response.status_code == 413
    assert "detail" in response.json()
    token = APIClient().post("/api/v1/auth/token/", big, content_type="application/json")
    assert token.status_code == 413
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "application/octet-stream"):
        response = admin_client.post(base(merchant) + f"ratings/{rating.id}/messages/", "x" * (1024 * 1024 + 10),
                                     content_type=content_type)
        assert response.status_code == 413, content_type
    assert rating.messages.count() == 0


def test_body_that_is_not_json_is_415_and_malformed_json_is_400(make, merchant, admin_client):
    rating = make.rating(merchant, 4)
    url = base(merchant) + f"ratings/{rating.id}/messages/"
    response = admin_client.post(url, "body=hola", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and "detail" in response.json()
    assert admin_client.post(url, "<body/>", content_type="text/xml").status_code == 415
    response = admin_client.post(url, "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()
    assert admin_client.post(url, "[1, 2]", content_type="application/json").status_code == 400


@pytest.mark.parametrize("payload", [
    {"body": "a\x00b"}, {"body": "\ud800"}, {"body": ["list"]}, {"body": {"a": 1}}, {"body": 12345678901234567890},
])
def test_odd_values_are_400_not_500(make, merchant, admin_client, payload):
    rating = make.rating(merchant, 4)
    raw = json.dumps(payload)
    response = admin_client.post(base(merchant) + f"ratings/{rating.id}/messages/", raw,
                                 content_type="application/json")
    assert response.status_code in (201, 400), response.content


def test_odd_visit_values_are_400_not_500(make, merchant, admin_client):
    from merchants.models import Branch

    branch = Branch.objects.filter(merchant=merchant).first()
    for payload in (
        {"branch": 2**70, "customer": {}, "visited_at": "x", "invoice": {}},
        {"branch": True, "customer": "x", "visited_at": None, "invoice": []},
        {"branch": branch.id, "customer": {"external_id": "\x00", "full_name": "\ud800"},
         "visited_at": "9999-12-31T23:59:59Z", "invoice": {"number": "x", "total": "1e400", "currency": "COP"}},
        {"branch": branch.id, "customer": {"external_id": "a", "full_name": "b"},
         "visited_at": "2020-01-01T00:00:00Z", "invoice": {"number": "x", "total": "NaN", "currency": "COP",
                                                           "lines": [{"quantity": "Infinity"}]}},
    ):
        response = admin_client.post(base(merchant) + "visits/", json.dumps(payload),
                                     content_type="application/json")
        assert response.status_code == 400, (payload, response.content)


def test_throttled_requests_are_429_with_retry_after(make, merchant, client_for, monkeypatch):
    from ratings_inbox.api.throttling import ApiKeyThrottle, UserThrottle

    monkeypatch.setattr(UserThrottle, "rate", "2/minute", raising=False)
    monkeypatch.setattr(UserThrottle, "scope", f"user-test-{merchant.pk}-{timezone.now().timestamp()}")
    client = client_for(make.admin(merchant))
    statuses = [client.get(base(merchant) + "branches/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get(base(merchant) + "branches/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0

    from merchants.services import api_key_create

    monkeypatch.setattr(ApiKeyThrottle, "rate", "1/minute", raising=False)
    monkeypatch.setattr(ApiKeyThrottle, "scope", f"key-test-{merchant.pk}-{timezone.now().timestamp()}")
    _key, raw = api_key_create(merchant=merchant, name="POS")
    key_client = client_for(api_key=raw)
    visit = make.visit(merchant)
    first = key_client.post(base(merchant) + "ratings/", {"visit": visit.id, "score": 5}, format="json")
    assert first.status_code == 201
    second = key_client.post(base(merchant) + "ratings/", {"visit": visit.id, "score": 5}, format="json")
    assert second.status_code == 429 and second.has_header("Retry-After")


def test_session_auth_needs_csrf_on_writes(make, merchant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make.admin(merchant))
    assert client.get(base(merchant) + "ratings/").status_code == 200
    rating = make.rating(merchant, 5)
    assert client.post(base(merchant) + f"ratings/{rating.id}/read/").status_code == 403


def test_unknown_api_path_is_json_404(db, admin_client):
    response = admin_client.get("/api/v1/nothing/here/")
    assert response.status_code == 404 and response.json() in ({"detail": "Not found."}, {"detail": "No encontrado."})


def test_token_user_and_membership_come_in_one_statement(make, merchant, other_merchant, client_for):
    """API-2 at speed: a token request reads the token, its user and the membership of the URL's
    merchant together, and never reads the membership again; a non-member still gets 404 and
    an inactive user 401."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import ApiToken

    staff = make.member(merchant, "staff")
    client = client_for(staff)
    with CaptureQueriesContext(connection) as context:
        assert client.get(base(merchant) + "ratings/").status_code == 200
    reads = [q["sql"] for q in context.captured_queries if "merchants_membership" in q["sql"]]
    assert len(reads) == 1 and ApiToken._meta.db_table in reads[0]
    assert client.get(base(other_merchant) + "ratings/").status_code == 404
    assert client.post(base(merchant) + "quick-replies/", {"title": "t", "body": "b"},
                       format="json").status_code == 403
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert client.get(base(merchant) + "ratings/").status_code == 401
