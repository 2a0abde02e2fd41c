"""SEC-5 and API.md "Sessions and tokens": API tokens are stored hashed, expire and can be revoked.

Each POST /auth/token/ issues a new token (a user may hold one per device or script);
DELETE /auth/token/ revokes only the token it is called with, the user's others keep working.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create

TOKEN_URL = "/api/v1/auth/token/"
CREDENTIALS = {"email": "admin-la-arepa@example.com", "password": "pass-1234"}


def _login(client=None) -> str:
    response = (client or APIClient()).post(TOKEN_URL, CREDENTIALS, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _as(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_is_stored_as_its_sha256_not_the_key_sec5(make, merchant):
    key = _login()
    assert _as(key).get("/api/v1/me/").status_code == 200
    token = ApiToken.objects.get(user=make.admin(merchant))
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert stored and not any(key in value for value in stored)


def test_token_expires_after_the_configured_days_sec5(make, merchant, settings, monkeypatch):
    settings.API_TOKEN_TTL_DAYS = 7
    issued = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: issued)
    client = _as(_login())
    monkeypatch.setattr(timezone, "now", lambda: issued + dt.timedelta(days=7, seconds=-1))
    assert client.get("/api/v1/me/").status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: issued + dt.timedelta(days=7))
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and response.has_header("WWW-Authenticate")
    assert client.get(f"/api/v1/merchants/{merchant.slug}/ratings/").status_code == 401
    # A client re-logging in may still send its expired token: the login does not read it.
    assert client.post(TOKEN_URL, CREDENTIALS, format="json").status_code == 200


def test_delete_revokes_the_callers_token_only_sec5(make, merchant):
    phone, laptop = _as(_login()), _as(_login())
    assert phone.delete(TOKEN_URL).status_code == 204
    assert phone.get("/api/v1/me/").status_code == 401
    assert phone.delete(TOKEN_URL).status_code == 401
    assert laptop.get("/api/v1/me/").status_code == 200
    assert ApiToken.objects.filter(user=make.admin(merchant)).count() == 1


def test_delete_needs_a_token_sec5(make, merchant, api_key):
    assert APIClient().delete(TOKEN_URL).status_code == 401
    session = APIClient()
    session.force_login(make.admin(merchant))
    assert session.delete(TOKEN_URL).status_code == 401
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    assert key_client.delete(TOKEN_URL).status_code == 401
    assert _as("not-a-token").delete(TOKEN_URL).status_code == 401


def test_issuing_a_token_removes_the_users_expired_ones_sec5(make, merchant, monkeypatch):
    user = make.admin(merchant)
    long_ago = timezone.now() - dt.timedelta(days=400)
    monkeypatch.setattr(timezone, "now", lambda: long_ago)
    api_token_create(user=user)
    monkeypatch.undo()
    other = make.member(merchant, "agent")
    api_token_create(user=other)
    key = _login()
    assert list(ApiToken.objects.filter(user=user).values_list("key_hash", flat=True)) == [
        hashlib.sha256(key.encode()).hexdigest()]
    assert ApiToken.objects.filter(user=other).count() == 1


def test_database_refuses_a_token_that_is_not_a_hash_or_never_valid_sec5(make, merchant):
    from django.db import IntegrityError, transaction

    user, now = make.admin(merchant), timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=user, key_hash="plain-key", expires_at=now + dt.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=user, key_hash="a" * 64, created_at=now, expires_at=now)


def test_plain_sql_lookup_builds_what_the_orm_reads(make, merchant):
    """STYLE 16: the one-statement token lookup gives the same token and user as the ORM."""
    from accounts.authentication import TokenAuthentication

    key = api_token_create(user=make.admin(merchant))
    user, token = TokenAuthentication().authenticate_credentials(key)
    orm = ApiToken.objects.select_related("user").get(key_hash=hashlib.sha256(key.encode()).hexdigest())
    fields = [f.attname for f in ApiToken._meta.concrete_fields]
    assert [getattr(token, f) for f in fields] == [getattr(orm, f) for f in fields]
    user_fields = [f.attname for f in type(user)._meta.concrete_fields]
    assert [getattr(user, f) for f in user_fields] == [getattr(orm.user, f) for f in user_fields]
    assert token.user is user


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])  # migrations run as the owner (SEC-3)
def test_plain_keys_of_drf_authtoken_become_hashed_and_keep_working_sec5(make, merchant, settings):
    """The data migration: a key issued before SEC-5 (DRF's authtoken table, plain) still works
    afterwards, for API_TOKEN_TTL_DAYS from the migration; the plain keys are gone."""
    import importlib

    from django.apps import apps
    from django.db import connections

    migration = importlib.import_module("accounts.migrations.0003_api_token_from_authtoken")
    user = make.admin(merchant)
    old_key = "0123456789abcdef0123456789abcdef01234567"
    created = timezone.now() - dt.timedelta(days=900)
    settings.API_TOKEN_TTL_DAYS = 30
    owner = connections["owner"]
    with owner.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
                       " user_id bigint NOT NULL UNIQUE)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [old_key, created, user.pk])
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', now())")
    with owner.schema_editor(atomic=False) as editor:
        migration.hash_plain_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone() == (0,)
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(old_key.encode()).hexdigest() and token.created_at == created
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert _as(old_key).get("/api/v1/me/").status_code == 200


def test_schema_documents_the_revocation(db):
    import yaml

    document = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    delete = document["paths"][TOKEN_URL]["delete"]
    assert {"204", "401"} <= set(delete["responses"]) and delete["security"] == [{"tokenAuth": []}]
    assert "security" not in document["paths"][TOKEN_URL]["post"]
