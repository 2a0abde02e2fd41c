"""Signed, unguessable links for customers (CUS-1..3): rate a visit, the conversation, unsubscribe.

A token is the object's merchant and id signed with SECRET_KEY under a salt per purpose,
so it can neither be guessed nor turned into another customer's link.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALTS = {"rate": "customers.rate-visit", "conversation": "ratings.conversation", "unsubscribe": "customers.unsubscribe"}


def make_token(purpose: str, *, merchant_id: int, object_id: int) -> str:
    return signing.dumps([merchant_id, object_id], salt=SALTS[purpose], compress=False)


def read_token(purpose: str, token: str) -> tuple[int, int] | None:
    """(merchant_id, object_id), or None for a token that was not issued for this purpose."""
    try:
        merchant_id, object_id = signing.loads(token, salt=SALTS[purpose])
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(merchant_id, int) or not isinstance(object_id, int):
        return None
    return merchant_id, object_id


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def rating_url(visit) -> str:
    token = make_token("rate", merchant_id=visit.merchant_id, object_id=visit.pk)
    return absolute(reverse("public:rate", args=[token]))


def conversation_url(rating) -> str:
    token = make_token("conversation", merchant_id=rating.merchant_id, object_id=rating.pk)
    return absolute(reverse("public:conversation", args=[token]))


def unsubscribe_url(customer) -> str:
    token = make_token("unsubscribe", merchant_id=customer.merchant_id, object_id=customer.pk)
    return absolute(reverse("public:unsubscribe", args=[token]))
