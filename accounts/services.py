"""Writes of the accounts domain: issuing and revoking users' API tokens (SEC-5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User


def api_token_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """A new token for the user, valid API_TOKEN_TTL_DAYS; the raw key is returned once and only
    its hash is stored. The user's expired tokens are removed on the way, so they do not pile up."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    raw_key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=api_token_hash(raw_key), created_at=now,
                            expires_at=now + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS))
    return raw_key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """The token stops working at once; the user's other tokens (other devices) keep working."""
    ApiToken.objects.filter(pk=token.pk).delete()
