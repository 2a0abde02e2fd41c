"""Fixtures of the API contract tests: clients authenticated as a role or an integration key."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def base(merchant) -> str:
    return f"/api/v1/merchants/{merchant.slug}/"


@pytest.fixture
def client_for(db):
    """client_for(user) or client_for(api_key=raw_key): an APIClient with those credentials."""

    def build(user=None, *, api_key=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        elif api_key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
        return client

    return build


@pytest.fixture
def admin_client(make, merchant, client_for):
    return client_for(make.admin(merchant))


@pytest.fixture
def api_key(merchant):
    from merchants.services import api_key_create

    _key, raw = api_key_create(merchant=merchant, name="POS")
    return raw
