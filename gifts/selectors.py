"""Reads about gifts and grants."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from customers.models import Customer
from merchants.models import Merchant

from .models import Gift, GiftGrant, PointsEntry

# One statement, plain SQL: this runs on every opened rating, where compiling the ORM
# aggregate and the last-score query cost more than running them (bench, API detail).
_COUNTERS_SQL = """
    SELECT count(*), count(*) FILTER (WHERE status = %s),
           count(*) FILTER (WHERE status = %s OR (status = %s AND expires_at <= %s)){last_score}
    FROM gifts_giftgrant WHERE merchant_id = %s AND customer_id = %s
"""
_LAST_SCORE_SQL = (", (SELECT r.score FROM ratings_rating r WHERE r.merchant_id = %s AND r.customer_id = %s"
                   " ORDER BY r.created_at DESC, r.id DESC LIMIT 1)")


def customer_gift_counters(*, merchant: Merchant, customer: Customer, last_score: bool = False) -> dict:
    """Gifts offered (every grant ever made), redeemed and expired (DET-1, GFT-3).

    A grant whose expiry has passed counts as expired even before the job marks it. With
    last_score, also the score of the customer's latest rating here (DET-1's "last score").
    """
    Status = GiftGrant.Status  # noqa: N806 - an enum
    params = [Status.REDEEMED, Status.EXPIRED, Status.OFFERED, timezone.now()]
    if last_score:
        params += [merchant.pk, customer.pk]
    with connection.cursor() as cursor:
        cursor.execute(_COUNTERS_SQL.format(last_score=_LAST_SCORE_SQL if last_score else ""),
                       [*params, merchant.pk, customer.pk])
        row = cursor.fetchone()
    counters = {"gifts_offered": row[0], "gifts_redeemed": row[1], "gifts_expired": row[2]}
    if last_score:
        counters["last_score"] = row[3]
    return counters


def gift_list(*, merchant: Merchant, active_only: bool = False, grants_count: bool = False) -> list[Gift]:
    """The catalogue (GFT-1): archived gifts and one-offs created while attaching are left out.

    grants_count (the catalogue page: archive or delete) counts every grant of every gift;
    the attach menu of each opened rating does without it (bench: 4.6 ms of that page's SQL).
    """
    gifts = Gift.objects.filter(merchant=merchant, is_archived=False, is_one_off=False)
    if active_only:
        gifts = gifts.filter(is_active=True)
    if grants_count:
        gifts = gifts.annotate(grants_count=Count("grants"))
    return list(gifts.order_by("name", "id"))


def gift_get(*, merchant: Merchant, id: int) -> Gift:
    gift = Gift.objects.filter(merchant=merchant, pk=id).first()
    if gift is None:
        raise Http404("No such gift.")
    return gift


def _effective_status_filter(status: str) -> Q:
    now = timezone.now()
    if status == GiftGrant.Status.OFFERED:
        return Q(status=GiftGrant.Status.OFFERED, expires_at__gt=now)
    if status == GiftGrant.Status.EXPIRED:
        return Q(status=GiftGrant.Status.EXPIRED) | Q(status=GiftGrant.Status.OFFERED, expires_at__lte=now)
    return Q(status=status)


def grant_list(*, merchant: Merchant, status: str | None = None, customer: Customer | int | None = None):
    """Grants, newest first, filtered by effective status (expired as soon as expiry passes, GFT-3)."""
    grants = GiftGrant.objects.filter(merchant=merchant).select_related("gift", "customer")
    if status:
        if status not in GiftGrant.Status.values:
            raise ValueError(f"Unknown status {status!r}.")
        grants = grants.filter(_effective_status_filter(status))
    if customer is not None:
        grants = grants.filter(customer=customer)
    return grants.order_by("-granted_at", "-id")


def grant_get(*, merchant: Merchant, id: int) -> GiftGrant:
    grant = GiftGrant.objects.filter(merchant=merchant, pk=id).select_related("gift", "customer", "rating").first()
    if grant is None:
        raise Http404("No such gift grant.")
    return grant


def grants_for_rating(*, merchant: Merchant, rating) -> list[GiftGrant]:
    """The gifts sent from one rating's conversation, oldest first."""
    return list(
        GiftGrant.objects.filter(merchant=merchant, rating=rating)
        .select_related("gift")
        .order_by("granted_at", "id")
    )


def points_ledger(*, merchant: Merchant, customer: Customer, limit: int = 50) -> list[PointsEntry]:
    """The customer's latest points movements, newest first (GFT-4)."""
    return list(
        PointsEntry.objects.filter(merchant=merchant, customer=customer)
        .select_related("grant")
        .order_by("-created_at", "-id")[:limit]
    )


def rating_gift_panel(*, merchant: Merchant, rating) -> dict:
    """What the opened rating's gift pane shows: its grants and the gifts that can be attached.

    Put it in the context as `gift_panel` to render templates/gifts/_rating_gifts.html inline;
    without it the partial loads itself with one htmx request.
    """
    return {
        "grants": grants_for_rating(merchant=merchant, rating=rating),
        "active_gifts": gift_list(merchant=merchant, active_only=True),
    }
