"""Reads of the ratings inbox: the list with its filters and orders, counters, a rating, its thread."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from customers.models import Customer, Visit
from customers.selectors import customer_list, customers_named
from merchants.access import Access
from merchants.models import Branch, Merchant
from ratings_inbox import rows
from ratings_inbox.keyset import Column, paginate

from .counters import SUMMARY_COLUMNS as COUNTER_COLUMNS
from .models import (
    BAND_SCORES,
    OPEN_STATUSES,
    CaseEvent,
    Message,
    QuickReply,
    Rating,
    RatingBranchCounter,
    RatingDayCounter,
    Sla,
)

# A phone number as customers type one: digits with spaces, dashes, dots, parentheses, a leading +.
PHONE = re.compile(r"\+?[\d\s().-]{6,30}")

TIE_BREAK = [Column("created_at", True), Column("id", True)]

ORDERINGS: dict[str, list[Column]] = {
    "-created_at": TIE_BREAK,
    "created_at": [Column("created_at", False), Column("id", True)],
    "-score": [Column("score", True), *TIE_BREAK],
    "score": [Column("score", False), *TIE_BREAK],
    "customer": [Column("customer_name_key", False), *TIE_BREAK],
    "-customer": [Column("customer_name_key", True), *TIE_BREAK],
    "is_read": [Column("is_read", False), *TIE_BREAK],
    "-is_read": [Column("is_read", True), *TIE_BREAK],
    # CASE-7: a rating whose customer just wrote comes first; due_at soonest first, no due last.
    "-last_activity_at": [Column("last_activity_at", True), *TIE_BREAK],
    "last_activity_at": [Column("last_activity_at", False), *TIE_BREAK],
    "due_at": [Column("due_order", False), *TIE_BREAK],
}
DEFAULT_ORDERING = "-created_at"
# The SLA filter of the inbox's Overdue view (CASE-6, SLA-2): breached or at risk, listed by
# ordering=due_at so the breached come first. Not an API value (API.md lists at_risk, breached).
SLA_LATE = "late"


@dataclass
class RatingFilters:
    """Everything the inbox can filter on (INB-4, API.md ratings list). None means no filter."""

    branch_id: int | None = None
    customer_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    band: str | None = None
    score_min: int | None = None
    score_max: int | None = None
    has_comment: bool | None = None
    is_read: bool | None = None
    # CASE-6 (API.md "Follow-up cases"): statuses, owner ("me", "none" or a user id), priority,
    # needs-reply and the SLA state (at_risk, breached, or SLA_LATE for either: the Overdue view).
    status: list[str] | None = None
    owner: str | int | None = None
    priority: str | None = None
    needs_reply: bool | None = None
    sla: str | None = None
    extra: dict = field(default_factory=dict)


def day_bounds(merchant: Merchant, date_from: dt.date | None, date_to: dt.date | None):
    """[start, end) instants of whole days in the merchant's time zone (INB-4).

    The first and last representable days are no bound at all: the day after 9999-12-31 does
    not exist, and the start of 0001-01-01 east of UTC falls before the first instant (SEC-7).
    """
    zone = ZoneInfo(merchant.timezone)
    start = (
        dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
        if date_from and date_from > dt.date.min else None
    )
    end = (
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        if date_to and date_to < dt.date.max else None
    )
    return start, end


def _filtered(access: Access, filters: RatingFilters, *, ratings: QuerySet | None = None) -> QuerySet:
    merchant = access.merchant
    ratings = access.scope(Rating.objects if ratings is None else ratings)
    if filters.branch_id is not None:
        ratings = ratings.filter(branch_id=filters.branch_id)
    start, end = day_bounds(merchant, filters.date_from, filters.date_to)
    if start is not None:
        ratings = ratings.filter(created_at__gte=start)
    if end is not None:
        ratings = ratings.filter(created_at__lt=end)
    if filters.customer_id is not None:
        ratings = ratings.filter(customer_id=filters.customer_id)
    ratings = _searched(access, ratings, filters.q)
    ratings = _case_filtered(access, ratings, filters)
    if filters.band:
        low, high = BAND_SCORES[filters.band]
        ratings = ratings.filter(score__gte=low, score__lte=high)
    if filters.score_min is not None:
        ratings = ratings.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        ratings = ratings.filter(score__lte=filters.score_max)
    if filters.has_comment is not None:
        ratings = ratings.filter(comment__isnull=not filters.has_comment)
    if filters.is_read is not None:
        ratings = ratings.filter(is_read=filters.is_read)
    return ratings


def _searched(access: Access, ratings: QuerySet, q: str) -> QuerySet:
    """INB-4 and CASE-9: `#1234` a rating, an e-mail or a phone number exactly, else the name."""
    text = (q or "").strip()
    if text.startswith("#") and text[1:].isdigit():
        number = int(text[1:])
        return ratings.filter(pk=number) if number < 2**63 else ratings.none()
    if "@" in text:  # stored lower-cased (customer_upsert): = is leakproof and uses customer_email
        return ratings.filter(customer_id__in=access.scope(Customer.objects, branch=None)
                              .filter(email=text.lower()).values("pk"))
    if PHONE.fullmatch(text):
        return ratings.filter(customer_id__in=access.scope(Customer.objects, branch=None)
                              .filter(phone=text).values("pk"))
    if (matching := customers_named(access=access, query=text)) is not None:
        ratings = ratings.filter(customer_id__in=matching)
    return ratings


def _case_filtered(access: Access, ratings: QuerySet, filters: RatingFilters) -> QuerySet:
    if filters.status:
        ratings = ratings.filter(status__in=filters.status)
    if filters.owner == "me":
        ratings = ratings.filter(owner_id=access.user_id)
    elif filters.owner == "none":
        ratings = ratings.filter(owner__isnull=True)
    elif filters.owner is not None:
        ratings = ratings.filter(owner_id=filters.owner)
    if filters.priority:
        ratings = ratings.filter(priority=filters.priority)
    if filters.needs_reply is not None:
        ratings = ratings.filter(needs_reply=filters.needs_reply)
    if filters.sla in (Sla.AT_RISK, Sla.BREACHED, SLA_LATE):
        now = timezone.now()
        ratings = ratings.filter(status__in=OPEN_STATUSES, first_response_at__isnull=True)
        if filters.sla == Sla.BREACHED:
            ratings = ratings.filter(due_at__lte=now)
        elif filters.sla == Sla.AT_RISK:
            ratings = ratings.filter(at_risk_at__lte=now, due_at__gt=now)
        else:
            # At risk or breached: at_risk_at always comes before due_at (merchants.hours.case_targets).
            ratings = ratings.filter(at_risk_at__lte=now)
    return ratings


def rating_list(*, access: Access,
                filters: RatingFilters | None = None) -> QuerySet[Rating]:
    """The inbox rows, unordered: paginate with ratings_inbox.keyset and ORDERINGS[ordering].

    Joins the customer only: a branch join lets the planner drive the query from the branch
    table and sort every rating of the merchant instead of reading one page in order. API items
    name their branch by a sub-select (rating_item_rows); the case owner's name
    (the row's initials, CASE-6) is such a sub-select too, run for the page's rows only.
    """
    return (
        _filtered(access, filters or RatingFilters())
        .select_related("customer")
        .defer("customer__name_key", "visit_id")
        .annotate(owner_name=OWNER_NAME)
    )


# A case owner's name (or e-mail) by its key, from the ratings table aliased as %s.
OWNER_NAME_SQL = "SELECT COALESCE(NULLIF(u.full_name, ''), u.email) FROM accounts_user u WHERE u.id = %s.owner_id"

# The columns of an API list item (RatingItemSerializer), read as tuples: building a model
# instance for every rating and customer of a page cost about as much as the page's SQL.
ITEM_COLUMNS = ("id", "score", "comment", "is_read", "created_at", "messages_count", "last_message_at",
                "branch_id", "customer_id", "customer_full_name", "branch_name", "customer_name_key",
                "status", "priority", "owner_id", "owner_name", "due_at", "at_risk_at", "first_response_at",
                "resolved_at", "last_activity_at", "needs_reply", "followup_score", "due_order")
# The names are scalar sub-selects, run for the page's rows only. A join to the customer gave
# the planner one more table to order: under row-level security it joined every row the
# search probed before the name filter kept the few it shows, and planned longer; with
# sub-selects both planning and execution are shorter (EXPLAIN ANALYZE on the bench data).
# The branch's name the same way saves the list a statement.
# The customer and the branch are named by the merchant's id itself, not by the row's column:
# on Citus a sub-select correlated on merchant_id alone is not pinned to one shard, a constant is.
ITEM_NAMES = {
    "customer_full_name": lambda merchant_id: RawSQL(
        'SELECT c.full_name FROM customers_customer c WHERE c.merchant_id = %s'
        ' AND c.id = "ratings_rating"."customer_id"', (merchant_id,)),
    "branch_name": lambda merchant_id: RawSQL(
        'SELECT b.name FROM merchants_branch b WHERE b.merchant_id = %s AND b.id = "ratings_rating"."branch_id"',
        (merchant_id,)),
    # Users are a global table: the owner's name (or e-mail) by its key.
    "owner_name": lambda _merchant_id: RawSQL(OWNER_NAME_SQL % '"ratings_rating"', ()),
}
OWNER_NAME = ITEM_NAMES["owner_name"](None)


@lru_cache(maxsize=1024)
def _item_rows(merchant_id: int) -> QuerySet:
    """A merchant's ratings as ITEM_COLUMNS tuples: built once per process and merchant and never
    evaluated, only filtered (each filter clones it). Annotating and choosing the columns anew
    cost 0.3 ms of every list request."""
    names = {name: build(merchant_id) for name, build in ITEM_NAMES.items()}
    return Rating.objects.annotate(**names).values_list(*ITEM_COLUMNS, named=True)


def rating_item_rows(*, access: Access,
                     filters: RatingFilters | None = None) -> QuerySet:
    """rating_list() as named tuples of ITEM_COLUMNS, for the API's lists (items_from_rows)."""
    return _filtered(access, filters or RatingFilters(), ratings=_item_rows(access.merchant_id))


def rating_signature_rows(*, access: Access,
                          filters: RatingFilters | None = None) -> QuerySet:
    """rating_list() reduced to what the inbox poll compares (id, read state, thread length, the
    case's chips, the follow-up score) and the ordering columns the pages are cut on, as tuples: no customer, no model
    instances."""
    return _filtered(access, filters or RatingFilters()).values_list(
        "id", "is_read", "messages_count", "status", "priority", "owner_id", "needs_reply", "followup_score",
        "created_at", "score", "customer_name_key", "last_activity_at", "due_order", named=True)


def rating_ids(*, access: Access, filters: RatingFilters | None = None, limit: int) -> list[int]:
    """The ids of the ratings a filter matches, at most `limit` (CASE-8 "every rating of the
    current filter": the caller asks for one more than it accepts to know when there are too many)."""
    return list(_filtered(access, filters or RatingFilters()).order_by().values_list("id", flat=True)[:limit])


def rating_count(*, access: Access, filters: RatingFilters | None = None, up_to: int) -> int:
    """How many ratings a filter matches, counting no further than `up_to` (one statement over
    at most that many index entries, however large the merchant)."""
    return _filtered(access, filters or RatingFilters()).order_by()[:up_to].count()


# CASE-10: an exported rating, in the CSV's order but for the band (the writer's, from the score).
EXPORT_COLUMNS = ("id", "created_at", "branch_name", "customer_full_name", "customer_email", "score", "comment",
                  "status", "priority", "owner_name", "first_response_at", "resolved_at", "followup_score")
# What a page reads: the customer by a join, read once for both columns, and the branch by its id,
# named from one read of the branches: a sub-select for each name ran once per row of a page
# of thousands (bench/export.py --fill compares the two).
_EXPORT_READ = ("id", "created_at", "branch_id", "customer__full_name", "customer__email", "score", "comment",
                "status", "priority", "owner_name", "first_response_at", "resolved_at", "followup_score")
EXPORT_PAGE_SIZE = 2000


def rating_export_rows(*, access: Access, filters: RatingFilters, ordering: str = DEFAULT_ORDERING,
                       page_size: int = EXPORT_PAGE_SIZE) -> Iterator[tuple]:
    """Every rating of rating_list(filters), in `ordering`, as EXPORT_COLUMNS tuples (CASE-10).

    Read in key-set pages of page_size rows, each one statement that starts where the last
    ended (one index range, as the inbox's pages), after one for the branches' names: memory
    stays flat however many ratings there are, and no statement or transaction lasts longer
    than a page. Lazy: the rows are read as they are consumed, so consume them under the
    access's merchant (inbox.export).
    """
    columns = ORDERINGS[ordering]
    keys = [column.name for column in columns if column.name not in _EXPORT_READ]
    rows = _filtered(access, filters, ratings=Rating.objects.annotate(owner_name=OWNER_NAME))
    rows = rows.values_list(*_EXPORT_READ, *keys, named=True)
    branch_names = dict(access.scope(Branch.objects, branch="id").values_list("id", "name"))
    width, cursor = len(_EXPORT_READ), None
    while True:
        page = paginate(rows, ordering=ordering, columns=columns, cursor=cursor, size=page_size)
        for row in page.rows:
            yield (row[0], row[1], branch_names[row[2]], *row[3:width])
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


_COUNTER_SUMS = ", ".join(f"COALESCE(SUM({name}), 0)" for name in COUNTER_COLUMNS)


def rating_summary(*, access: Access,
                   filters: RatingFilters | None = None) -> dict:
    """The counters of INB-1 and the NPS of API.md, following branch and dates only.

    A sum over the counters that ratings.services keeps, however many ratings there are:
    one row per branch without dates (RatingBranchCounter), at most branches × days rows
    with them (RatingDayCounter; a day is a date in the merchant's time zone, as the date
    filters are).
    """
    filters = filters or RatingFilters()
    dated = filters.date_from is not None or filters.date_to is not None
    branch_rule, params = access.branch_sql("branch_id")
    conditions, params = [f"merchant_id = %s{branch_rule}"], [access.merchant_id, *params]
    for condition, value in (("branch_id = %s", filters.branch_id), ("day >= %s", filters.date_from),
                             ("day <= %s", filters.date_to)):
        if value is not None:
            conditions.append(condition)
            params.append(value)
    # Plain SQL: every inbox page, poll and action sums these, and the ORM's aggregate spent
    # more time in Python than the database spent on the SQL.
    table = (RatingDayCounter if dated else RatingBranchCounter)._meta.db_table
    clock_sql, clock_params = _clock_counts_sql(access, filters)
    # One statement: the kept counters (the case views' needs-reply, open and unassigned among
    # them), then the two counts that depend on the clock and the reader beside them.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM (SELECT {_COUNTER_SUMS} FROM {table} WHERE {' AND '.join(conditions)}) sums,"
                       f" ({clock_sql}) clock", [*params, *clock_params])
        row = dict(zip((*COUNTER_COLUMNS, *CLOCK_COUNTS), cursor.fetchone(), strict=True))
    row["nps"] = nps(row["promoters"], row["detractors"], row["total_ratings"])
    return row


# The counts of the case views (CASE-6); the first three are kept counters (ratings.counters).
CASE_COUNTS = ("needs_reply", "open_cases", "unassigned_cases", "resolved_cases", "overdue_cases", "my_cases")
CLOCK_COUNTS = ("overdue_cases", "my_cases")
_OPEN = "status IN ('new', 'open', 'escalated')"
# Two scalar sub-selects, each one index range: overdue of rating_unanswered_due (merchant,
# due_at), mine of rating_inbox_owner (merchant, owner). One statement with an OR of the two
# made the planner filter every rating in progress instead.
_CLOCK_COUNTS_SQL = f"""
    SELECT (SELECT count(*) FROM {Rating._meta.db_table} WHERE merchant_id = %s{{conditions}} AND {_OPEN}
              AND first_response_at IS NULL AND due_at <= %s),
           (SELECT count(*) FROM {Rating._meta.db_table} WHERE merchant_id = %s{{conditions}} AND {_OPEN}
              AND owner_id = %s)
"""


def _clock_counts_sql(access: Access, filters: RatingFilters) -> tuple[str, list]:
    """Overdue cases (they become so as time passes, without a write) and the reader's own open
    cases, following branch and dates like the counters."""
    branch_rule, branch_params = access.branch_sql("branch_id")
    conditions, params = [branch_rule], list(branch_params)
    if filters.branch_id is not None:
        conditions.append(" AND branch_id = %s")
        params.append(filters.branch_id)
    start, end = day_bounds(access.merchant, filters.date_from, filters.date_to)
    for condition, value in ((" AND created_at >= %s", start), (" AND created_at < %s", end)):
        if value is not None:
            conditions.append(condition)
            params.append(value)
    merchant = access.merchant_id
    return (_CLOCK_COUNTS_SQL.format(conditions="".join(conditions)),
            [merchant, *params, timezone.now(), merchant, *params, access.user_id])


def nps(promoters: int, detractors: int, total: int) -> int | None:
    """round(100 × (promoters − detractors) / total), halves away from zero; None when empty."""
    if not total:
        return None
    numerator = 100 * (promoters - detractors)
    quotient, remainder = divmod(abs(numerator) * 2 + total, 2 * total)
    return quotient if numerator >= 0 else -quotient


def rating_get(*, access: Access, id: int) -> Rating:
    """One rating of the merchant (within the member's branches), or 404 (TEN-3), with its
    customer, branch and visit.

    Every opened rating, poll with a rating open, reply and read-state change starts here, so
    it is one plain-SQL statement (ratings_inbox.rows): compiling the ORM's three-join
    select_related cost many times the query itself.
    """
    branch_rule, branch_params = access.branch_sql("r.branch_id")
    conditions, params = [f"r.merchant_id = %s{branch_rule}", "r.id = %s"], [access.merchant_id, *branch_params, id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.select_list(Rating, 'r')}, {rows.select_list(Customer, 'c')},"
            f" {rows.select_list(Branch, 'b')}, {rows.select_list(Visit, 'v')}, ({OWNER_NAME_SQL % 'r'})"
            " FROM ratings_rating r"
            " JOIN customers_customer c ON c.merchant_id = r.merchant_id AND c.id = r.customer_id"
            " JOIN merchants_branch b ON b.merchant_id = r.merchant_id AND b.id = r.branch_id"
            " JOIN customers_visit v ON v.merchant_id = r.merchant_id AND v.id = r.visit_id"
            f" WHERE {' AND '.join(conditions)}",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such rating.")
    rating, customer, branch, visit = rows.instances(row, Rating, Customer, Branch, Visit)
    rating.owner_name = row[-1]  # as rating_list() names it, for the row redrawn beside the opened rating
    for name, value in (("customer", customer), ("branch", branch), ("visit", visit)):
        Rating._meta.get_field(name).set_cached_value(rating, value)
    # The visit's branch is the rating's (foreign key ratings_rating_matches_visit).
    Visit._meta.get_field("branch").set_cached_value(visit, branch)
    return rating


def rating_thread(*, access: Access, rating: Rating) -> list[Message]:
    """The conversation in time order (THR-1), each message with its author; `rating` comes from
    rating_get(access=…).

    Plain SQL (ratings_inbox.rows): every opened rating and every rating posted reads it, and the
    ORM's select_related cost several times the query (issue 13).
    """
    author_field = Message._meta.get_field("author")
    user = author_field.related_model
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.select_list(Message, 'm')}, {rows.select_list(user, 'u')}"
            f" FROM ratings_message m LEFT JOIN {user._meta.db_table} u ON u.id = m.author_id"
            " WHERE m.merchant_id = %s AND m.rating_id = %s ORDER BY m.created_at, m.id",
            [access.merchant_id, rating.pk],
        )
        found = cursor.fetchall()
    thread = []
    for row in found:
        message, author = rows.instances(row, Message, user)
        author_field.set_cached_value(message, author if message.author_id is not None else None)
        thread.append(message)
    return thread


def customer_thread(*, access: Access, rating: Rating) -> list[Message]:
    """The conversation as the customer sees it: never an internal note (CASE-4), and no system line
    (gift sent, gift redeemed): their page shows each gift once, with its code, status and expiry (CUS-2)."""
    return [message for message in rating_thread(access=access, rating=rating)
            if message.author_kind in Message.CUSTOMER_KINDS and message.author_kind != Message.AuthorKind.SYSTEM]


def case_events(*, access: Access, rating: Rating) -> list[CaseEvent]:
    """The case's log, oldest first (CASE-5); `rating` comes from rating_get(access=…)."""
    return list(access.scope(CaseEvent.objects, branch=None).filter(rating=rating)
                .select_related("actor").order_by("at", "id"))


def quick_reply_list(*, access: Access) -> QuerySet[QuickReply]:
    """The merchant's quick replies by title (THR-4)."""
    return access.scope(QuickReply.objects, branch=None).order_by("title", "id")


def quick_reply_get(*, access: Access, id: int) -> QuickReply:
    quick_reply = quick_reply_list(access=access).filter(pk=id).first()
    if quick_reply is None:
        raise Http404("No such quick reply.")
    return quick_reply


def customer_ratings(*, access: Access, customer: Customer):
    """The customer's ratings here, newest first (DET-2), within the member's branches."""
    ratings = access.scope(Rating.objects).filter(customer=customer)
    return ratings.select_related("branch", "customer").order_by("-created_at", "-id")


def customer_list_with_stats(*, access: Access, q: str = ""):
    """customer_list with last_score and ratings_count on each row, in one query (API customers).

    A branch-restricted member counts only their branches' ratings.
    """
    ratings = access.scope(Rating.objects).filter(customer=OuterRef("pk"))
    last_score = ratings.order_by("-created_at", "-id").values("score")[:1]
    count = ratings.order_by().values("customer").annotate(n=Count("id")).values("n")
    return customer_list(access=access, q=q).annotate(
        last_score=Subquery(last_score, output_field=IntegerField()),
        ratings_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
    )


def unread_comments_of_user() -> dict[int, int]:
    """Unread comments per merchant of the memberships of the user set on the session, each within the
    branches that membership may see: the merchant switcher's counts (TEN-2, INB-1). One statement for
    every merchant, from the kept branch counters (the function of migration 0014, which reads across the
    user's own merchants only); the access of one merchant cannot express it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT merchant_id, unread FROM ratings_unread_comments_of_user()")
        return dict(cursor.fetchall())
