"""Fixtures of the privacy tests: API clients by user, and one customer with a bit of everything."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def client_for(db):
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
def api(make, merchant, client_for):
    return client_for(make.admin(merchant))
