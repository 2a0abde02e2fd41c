"""Fixtures of the API contract tests: clients authenticated as a role or an integration key."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create


def base(merchant) -> str:
    return f"/api/v1/merchants/{merchant.slug}/"


@pytest.fixture
def client_for(db):
    """client_for(user) or client_for(api_key=raw_key): an APIClient with those credentials."""

    def build(user=None, *, api_key=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
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
