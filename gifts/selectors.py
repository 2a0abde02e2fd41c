"""Reads about gifts and grants."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from customers.models import Customer
from merchants.access import Access

from .models import Gift, GiftGrant, PointsEntry

# One statement, plain SQL: this runs on every opened rating, where compiling the ORM
# aggregate and the last-score query cost more than running them (bench, API detail).
# A branch-restricted member counts the grants given from their branches' ratings only, and
# the last score of those branches (SEC-2).
_COUNTERS_SQL = """
    SELECT count(*), count(*) FILTER (WHERE g.status = %s),
           count(*) FILTER (WHERE g.status = %s OR (g.status = %s AND g.expires_at <= %s)){last_score}
    FROM gifts_giftgrant g WHERE g.merchant_id = %s AND g.customer_id = %s{grant_branches}
"""
_GRANT_BRANCHES_SQL = (" AND EXISTS (SELECT 1 FROM ratings_rating gr WHERE gr.merchant_id = g.merchant_id"
                       " AND gr.id = g.rating_id{branch_rule})")
_LAST_SCORE_SQL = (", (SELECT r.score FROM ratings_rating r WHERE r.merchant_id = %s AND r.customer_id = %s"
                   "{branch_rule} ORDER BY r.created_at DESC, r.id DESC LIMIT 1)")


def customer_gift_counters(*, access: Access, customer: Customer, last_score: bool = False) -> dict:
    """Gifts offered (every grant ever made), redeemed and expired (DET-1, GFT-3).

    A grant whose expiry has passed counts as expired even before the job marks it. With
    last_score, also the score of the customer's latest rating here (DET-1's "last score").
    """
    Status = GiftGrant.Status  # noqa: N806 - an enum
    merchant_id = access.merchant_id
    params = [Status.REDEEMED, Status.EXPIRED, Status.OFFERED, timezone.now()]
    score_rule, score_params = access.branch_sql("r.branch_id")
    if last_score:
        params += [merchant_id, customer.pk, *score_params]
    params += [merchant_id, customer.pk]
    grant_branches = ""
    if access.restricted:
        grant_rule, grant_params = access.branch_sql("gr.branch_id")
        grant_branches = _GRANT_BRANCHES_SQL.format(branch_rule=grant_rule)
        params += grant_params
    sql = _COUNTERS_SQL.format(last_score=_LAST_SCORE_SQL.format(branch_rule=score_rule) if last_score else "",
                               grant_branches=grant_branches)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    counters = {"gifts_offered": row[0], "gifts_redeemed": row[1], "gifts_expired": row[2]}
    if last_score:
        counters["last_score"] = row[3]
    return counters


def gift_list(*, access: Access, active_only: bool = False, grants_count: bool = False) -> QuerySet[Gift]:
    """The catalogue (GFT-1): archived gifts and one-offs created while attaching are left out.

    grants_count (the catalogue page: archive or delete) counts every grant of every gift;
    the attach menu of each opened rating does without it: counting is most of that page's SQL.
    """
    gifts = access.scope(Gift.objects, branch=None).filter(is_archived=False, is_one_off=False)
    if active_only:
        gifts = gifts.filter(is_active=True)
    if grants_count:
        # A sub-select, not a join grouped by the gift: the database key of a tenant table is
        # (id, merchant_id) (SCALE-2), so GROUP BY id alone no longer covers the gift's columns.
        grants = (GiftGrant.objects.filter(merchant_id=OuterRef("merchant_id"), gift=OuterRef("pk"))
                  .order_by().values("gift").annotate(n=Count("id")).values("n"))
        gifts = gifts.annotate(grants_count=Coalesce(Subquery(grants, output_field=IntegerField()), Value(0)))
    return gifts.order_by("name", "id")


def gift_get(*, access: Access, id: int) -> Gift:
    gift = access.scope(Gift.objects, branch=None).filter(pk=id).first()
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


def _grants(access: Access):
    """The grants the access may see: a branch-restricted member's are those given from a
    rating of one of their branches (SEC-2)."""
    return access.scope(GiftGrant.objects, branch="rating__branch_id")


def grant_list(*, access: Access, status: str | None = None, customer: Customer | int | None = None):
    """Grants, newest first, filtered by effective status (expired as soon as expiry passes, GFT-3)."""
    grants = _grants(access).select_related("gift", "customer")
    if status:
        if status not in GiftGrant.Status.values:
            raise ValueError(f"Unknown status {status!r}.")
        grants = grants.filter(_effective_status_filter(status))
    if customer is not None:
        grants = grants.filter(customer=customer)
    return grants.order_by("-granted_at", "-id")


def grant_get(*, access: Access, id: int) -> GiftGrant:
    grant = _grants(access).filter(pk=id).select_related("gift", "customer", "rating").first()
    if grant is None:
        raise Http404("No such gift grant.")
    return grant


def grants_for_rating(*, access: Access, rating) -> list[GiftGrant]:
    """The gifts sent from one rating's conversation (from rating_get(access=…)), oldest first."""
    return list(
        access.scope(GiftGrant.objects, branch=None).filter(rating=rating)
        .select_related("gift")
        .order_by("granted_at", "id")
    )


def points_ledger(*, access: Access, customer: Customer, limit: int = 50) -> list[PointsEntry]:
    """The customer's latest points movements, newest first (GFT-4).

    A branch-restricted member sees the movements of grants given from their branches; the
    balance is the customer's own, usable at any branch.
    """
    return list(
        access.scope(PointsEntry.objects, branch="grant__rating__branch_id").filter(customer=customer)
        .select_related("grant")
        .order_by("-created_at", "-id")[:limit]
    )


def rating_gift_panel(*, access: Access, rating) -> dict:
    """What the opened rating's gift pane shows: its grants and the gifts that can be attached.

    Put it in the context as `gift_panel` to render templates/gifts/_rating_gifts.html inline;
    without it the partial loads itself with one htmx request.
    """
    return {
        "grants": grants_for_rating(access=access, rating=rating),
        "active_gifts": gift_list(access=access, active_only=True),
    }
