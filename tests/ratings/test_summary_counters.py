"""The summary counters kept by ratings.services equal a recount of the ratings (INB-1, issue 7).

rating_summary reads RatingDayCounter rows (per branch and local day) instead of
aggregating every rating; after any series of writes through the services, every
branch/date filter must give what an aggregate over the ratings gives.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from merchants import tenancy
from merchants.access import Access
from merchants.bootstrap import connect
from ratings import cases as case_services
from ratings import services
from ratings.counters import COLUMNS, counters_rebuild
from ratings.models import Rating, RatingBranchCounter, RatingDayCounter
from ratings.selectors import RatingFilters, day_bounds, nps, rating_summary


def recount(merchant, filters: RatingFilters) -> dict:
    start, end = day_bounds(merchant, filters.date_from, filters.date_to)
    bounds = {"branch_id": filters.branch_id, "created_at__gte": start, "created_at__lt": end}
    ratings = Rating.objects.filter(merchant=merchant, **{k: v for k, v in bounds.items() if v is not None})
    row = ratings.aggregate(
        total_ratings=Count("id"),
        comments_received=Count("id", filter=Q(comment__isnull=False)),
        replies_sent=Sum("replies_count", default=0),
        unread_comments=Count("id", filter=Q(comment__isnull=False, is_read=False)),
        promoters=Count("id", filter=Q(score__gte=9)),
        passives=Count("id", filter=Q(score__gte=7, score__lte=8)),
        detractors=Count("id", filter=Q(score__lte=6)),
    )
    row["nps"] = nps(row["promoters"], row["detractors"], row["total_ratings"])
    # The case views' counts (CASE-6), from each rating's own fields and the thread.
    now = timezone.now()
    open_cases = [r for r in ratings if r.status in ("new", "open", "escalated")]
    row["needs_reply"] = sum(1 for r in ratings if _customer_wrote_last(r))
    row["open_cases"] = len(open_cases)
    row["unassigned_cases"] = sum(1 for r in open_cases if r.owner_id is None)
    row["resolved_cases"] = sum(1 for r in ratings if r.status == "resolved")
    row["overdue_cases"] = sum(1 for r in open_cases if r.first_response_at is None and r.due_at <= now)
    row["my_cases"] = 0
    return row


def _customer_wrote_last(rating) -> bool:
    """CASE-6 "Needs reply": the customer wrote last (comment or message), no staff reply since."""
    kinds = [m.author_kind for m in rating.messages.order_by("created_at", "id") if m.author_kind in ("customer", "staff")]
    return bool(kinds) and kinds[-1] == "customer"


def counter_rows(merchant) -> list[tuple]:
    return sorted(
        RatingDayCounter.objects.filter(merchant=merchant).exclude(total_ratings=0)
        .values_list("branch_id", "day", *COLUMNS)
    ) + sorted(
        RatingBranchCounter.objects.filter(merchant=merchant).exclude(total_ratings=0)
        .values_list("branch_id", *COLUMNS)
    )


@pytest.mark.django_db
def test_counters_equal_a_recount_after_a_series_of_writes(make, merchant, other_merchant):
    zone = ZoneInfo(merchant.timezone)
    second = make.branch(merchant)
    agent = make.member(merchant, "agent")
    now = timezone.now()
    # Around local midnight two days ago, so that UTC and local days differ.
    midnight = dt.datetime.combine(now.astimezone(zone).date() - dt.timedelta(days=2), dt.time.min, tzinfo=zone)
    times = [midnight - dt.timedelta(minutes=30), midnight + dt.timedelta(minutes=30),
             now - dt.timedelta(days=40), now - dt.timedelta(hours=3), now - dt.timedelta(minutes=5)]
    ratings = []
    for i, created_at in enumerate(times * 2):
        ratings.append(make.rating(
            merchant, score=[10, 9, 8, 7, 6, 3, 1, 10, 5, 9][i], comment="Muy rico" if i % 3 == 0 else None,
            branch=second if i % 2 else None, created_at=created_at,
        ))
    make.rating(other_merchant, score=2, comment="Otro comercio")
    with tenancy.tenant(merchant.pk):
        services.rating_mark_read(merchant=merchant, rating=ratings[0])
        services.rating_mark_read(merchant=merchant, rating=ratings[0])  # twice: counted once
        services.rating_mark_read(merchant=merchant, rating=ratings[1])  # no comment
        services.customer_message_add(merchant=merchant, rating=ratings[1], body="Ahora sí comento")
        services.customer_message_add(merchant=merchant, rating=ratings[0], body="Y otra cosa")
        services.customer_message_add(merchant=merchant, rating=ratings[3], body="Hola de nuevo")  # unread, commented
        services.rating_reply(merchant=merchant, rating=ratings[3], author=agent, body="Gracias")
        services.rating_reply(merchant=merchant, rating=ratings[4], author=agent, body="¡Gracias!")
        services.autoreply_message_add(merchant=merchant, rating=ratings[6], body="Respuesta automática")
        services.system_message_add(merchant=merchant, rating=ratings[6], body="Regalo ofrecido")
        services.rating_mark_unread(merchant=merchant, rating=ratings[3])
        stale = Rating.objects.get(pk=ratings[9].pk)
        services.rating_mark_read(merchant=merchant, rating=ratings[9])
        services.rating_mark_read(merchant=merchant, rating=stale)  # a stale copy: not counted twice
        services.rating_mark_unread(merchant=merchant, rating=ratings[6])  # read already? only when it was
        # The case views' kept counters (CASE-6) through every path that changes a case.
        access = Access.system(merchant)
        case_services.case_update(access=access, rating=ratings[5], actor=agent, owner=agent.pk)
        case_services.case_update(access=access, rating=ratings[6], actor=agent, status="resolved")
        services.customer_message_add(merchant=merchant, rating=ratings[6], body="Sigue mal")  # reopens it
        case_services.case_update(access=access, rating=ratings[1], actor=agent, priority="low")  # opens one
        services.ratings_bulk(access=access, actor=agent, ids=[r.pk for r in ratings[:5]], action="status",
                              value="escalated")
        services.ratings_bulk(access=access, actor=agent, ids=[r.pk for r in ratings[4:8]], action="assign",
                              value=agent.pk)
        services.ratings_bulk(access=access, actor=agent, ids=[r.pk for r in ratings[6:9]], action="assign",
                              value=None)
        case_services.cases_restore_many(access=access, ratings=[Rating.objects.get(pk=ratings[0].pk)],
                                         actor=agent, previous={ratings[0].pk: ("none", None, None)})
        services.note_add(merchant=merchant, rating=ratings[2], author=agent, body="Nota interna")
        services.rating_reply(merchant=merchant, rating=ratings[6], author=agent, body="Ya lo vemos")

        local = [t.astimezone(zone).date() for t in times]
        cases = [RatingFilters(), RatingFilters(branch_id=second.id),
                 RatingFilters(date_from=local[1], date_to=local[1]),
                 RatingFilters(date_to=local[0]), RatingFilters(date_from=local[3]),
                 RatingFilters(branch_id=second.id, date_from=local[0], date_to=local[1])]
        for filters in cases:
            assert rating_summary(access=Access.system(merchant), filters=filters) == recount(merchant, filters), filters
        assert rating_summary(access=Access.system(merchant))["total_ratings"] == 10
        kept = counter_rows(merchant)
        counters_rebuild(merchant.pk)
        assert counter_rows(merchant) == kept

    with tenancy.tenant(other_merchant.pk):
        assert rating_summary(access=Access.system(other_merchant)) == recount(other_merchant, RatingFilters())


@pytest.mark.django_db
def test_branch_restricted_member_sums_only_their_branches(make, merchant):
    from merchants.selectors import membership_get

    second = make.branch(merchant)
    make.rating(merchant, score=10, comment="Bien")
    make.rating(merchant, score=2, comment="Mal", branch=second)
    user = make.member(merchant, "staff", branches=[second])
    with tenancy.tenant(merchant.pk):
        membership = membership_get(merchant=merchant, user=user)
        summary = rating_summary(access=Access.member(membership))
    assert summary["total_ratings"] == 1 and summary["detractors"] == 1 and summary["nps"] == -100


@pytest.mark.django_db(transaction=True)  # VACUUM, so that the planner may read the index alone
def test_dated_summary_reads_the_covering_index_alone(make, merchant):
    """INB-1 at scale: a date range over two years of day counters of many branches is one
    index range scan, with a branch filter or without (then on the covering index, read alone
    once vacuumed), never the merchant's whole history filtered."""
    from django.db import connection

    from merchants.models import Branch

    branches = [make.branch(merchant) for _ in range(9)]
    branches += list(Branch.objects.filter(merchant=merchant).exclude(pk__in=[b.pk for b in branches]))
    first = dt.date(2025, 1, 1)
    RatingDayCounter.objects.bulk_create(
        RatingDayCounter(merchant=merchant, branch=branch, day=first + dt.timedelta(days=n), total_ratings=1)
        for branch in branches for n in range(730)
    )
    # As the table's owner: the application's role owns nothing, and PostgreSQL skips (with a warning) a
    # VACUUM or ANALYZE by a role that does not own the table, leaving the planner with whatever statistics
    # autovacuum last gathered (an empty table's, now and then).
    owner = settings.DATABASES["owner"]
    vacuum = connect(owner, owner["NAME"])
    with vacuum.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ratings_ratingdaycounter")
    vacuum.close()
    for branch_id in (None, branches[0].pk):
        filters = RatingFilters(branch_id=branch_id, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 1))
        with tenancy.tenant(merchant.pk), connection.cursor() as cursor:
            rows = RatingDayCounter.objects.filter(merchant=merchant, day__gte=filters.date_from,
                                                   day__lte=filters.date_to)
            if branch_id is not None:
                rows = rows.filter(branch_id=branch_id)
            sql, params = rows.values("total_ratings").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert re.search(r"Index Cond: \(\(merchant_id = \d+\) AND .*\(day >= ", plan), plan
            if branch_id is None:
                assert "Index Only Scan using rating_day_counter_day" in plan, plan
            assert rating_summary(access=Access.system(merchant), filters=filters)["total_ratings"] == 60 * (
                1 if branch_id else len(branches))
