"""Signed, unguessable links for customers (CUS-1..3, ANA-4): rate a visit, the conversation,
unsubscribe, rate a resolved case again (the follow-up).

A token is the object's merchant and id signed with SECRET_KEY under a salt per purpose,
so it can neither be guessed nor turned into another customer's link. It carries the time
it was signed: rate, conversation and follow-up links expire after CUSTOMER_LINK_MAX_AGE_DAYS,
unsubscribe links never (SEC-6), and the posts of each link's form are throttled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

SALTS = {"rate": "customers.rate-visit", "conversation": "ratings.conversation", "unsubscribe": "customers.unsubscribe",
         "followup": "ratings.followup"}
# A customer must always be able to stop e-mails, however old the e-mail.
NEVER_EXPIRE = {"unsubscribe"}


class _Signer(signing.TimestampSigner):
    """Django's TimestampSigner (the tokens signing.dumps made stay valid) on the application's
    clock, timezone.now, which tests move."""

    def timestamp(self):
        return signing.b62_encode(int(timezone.now().timestamp()))

    def signed_at(self, token: str) -> dt.datetime:
        """When a token with a valid signature was signed."""
        stamp = signing.Signer.unsign(self, token).rsplit(self.sep, 1)[1]
        return dt.datetime.fromtimestamp(signing.b62_decode(stamp), tz=dt.UTC)


@dataclass(frozen=True)
class Link:
    purpose: str
    merchant_id: int
    object_id: int
    expired: bool


def make_token(purpose: str, *, merchant_id: int, object_id: int) -> str:
    return _Signer(salt=SALTS[purpose]).sign_object([merchant_id, object_id])


def read_token(purpose: str, token: str) -> Link | None:
    """The link, expired or not, or None for a token that was not issued for this purpose."""
    signer = _Signer(salt=SALTS[purpose])
    try:
        merchant_id, object_id = signer.unsign_object(token)
        signed_at = signer.signed_at(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(merchant_id, int) or not isinstance(object_id, int):
        return None
    max_age = dt.timedelta(days=settings.CUSTOMER_LINK_MAX_AGE_DAYS)
    expired = purpose not in NEVER_EXPIRE and timezone.now() - signed_at > max_age
    return Link(purpose, merchant_id, object_id, expired)


def post_wait_seconds(link: Link) -> int:
    """Counts one post of the link's form: 0 when it is allowed, else the seconds until the
    link may post again (SEC-6). At most CUSTOMER_FORM_POSTS_PER_WINDOW posts per fixed window
    of CUSTOMER_FORM_WINDOW_SECONDS, counted in the shared cache so every web process agrees.
    Counted per object rather than per token: each page view signs a fresh token for it."""
    window = settings.CUSTOMER_FORM_WINDOW_SECONDS
    now = int(timezone.now().timestamp())
    start = now - now % window
    key = f"link-posts:{link.purpose}:{link.merchant_id}:{link.object_id}:{start}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: the count starts again
        count = 1
    return 0 if count <= settings.CUSTOMER_FORM_POSTS_PER_WINDOW else start + window - now


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def rating_url(visit) -> str:
    token = make_token("rate", merchant_id=visit.merchant_id, object_id=visit.pk)
    return absolute(reverse("public:rate", args=[token]))


def conversation_path(rating) -> str:
    """The customer's conversation page of a rating (CUS-2), as a path of this site."""
    token = make_token("conversation", merchant_id=rating.merchant_id, object_id=rating.pk)
    return reverse("public:conversation", args=[token])


def conversation_url(rating) -> str:
    return absolute(conversation_path(rating))


def followup_url(rating, *, score: int | None = None) -> str:
    """The follow-up page of a resolved case (ANA-4); with a score, the page opens with it chosen."""
    token = make_token("followup", merchant_id=rating.merchant_id, object_id=rating.pk)
    query = "" if score is None else f"?score={int(score)}"
    return absolute(reverse("public:followup", args=[token]) + query)


def unsubscribe_url(customer) -> str:
    token = make_token("unsubscribe", merchant_id=customer.merchant_id, object_id=customer.pk)
    return absolute(reverse("public:unsubscribe", args=[token]))
