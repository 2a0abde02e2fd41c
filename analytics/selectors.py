"""The analytics figures (ANA-1, ANA-2, ANA-3, ANA-5), one selector per figure, read from the
rollups the services keep (ratings.counters, customers.CustomerStats), never from a scan of the
ratings. The dashboard page, the API and the CSV downloads call the same selectors.

A range is whole days in the merchant's time zone; the previous period is the range of equal
length just before it. Every read is scoped by the access (its branches) and the branch filter.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from customers.models import Customer, CustomerStats
from merchants.access import Access
from merchants.models import Branch
from ratings.counters import ANALYTICS_COLUMNS as COLUMNS
from ratings.models import RESPONSE_BUCKET_COLUMNS, RESPONSE_BUCKETS
from ratings.selectors import nps

DEFAULT_DAYS = 90
INTERVALS = ("week", "month")
# Past this many periods a series lists only the periods with ratings (no empty ones between).
MAX_FILLED_PERIODS = 520
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class AnalyticsFilters:
    """A range of local days (both included), an optional branch, the NPS series' interval."""

    date_from: dt.date
    date_to: dt.date
    branch_id: int | None = None
    interval: str = "week"

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def previous(self) -> AnalyticsFilters | None:
        """The range of equal length just before this one; None before the first day there is."""
        try:
            return replace(self, date_from=self.date_from - dt.timedelta(days=self.days),
                           date_to=self.date_from - dt.timedelta(days=1))
        except OverflowError:
            return None


def default_range(today: dt.date, date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The range asked for, or the 90 days up to today (or up to date_to, or from date_from); at the
    ends of the calendar, as far as it goes."""
    span = dt.timedelta(days=DEFAULT_DAYS - 1)
    if date_to is None:
        if date_from is None or date_from <= today:
            date_to = today
        else:
            date_to = date_from + span if date_from <= dt.date.max - span else dt.date.max
    if date_from is None:
        date_from = date_to - span if date_to >= dt.date.min + span else dt.date.min
    return date_from, date_to


def _scope(access: Access, filters: AnalyticsFilters, column: str = "branch_id") -> tuple[str, list]:
    rule, params = access.branch_sql(column)
    if filters.branch_id is not None:
        rule += f" AND {column} = %s"
        params = [*params, filters.branch_id]
    return rule, params


def _next_start(start: dt.date, kind: str) -> dt.date:
    if kind == "month":
        return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + dt.timedelta(days=7)


def pieces(date_from: dt.date, date_to: dt.date, kind: str) -> list[tuple[str, dt.date, dt.date]]:
    """[from, to] as ("period", first start, last start) for the whole weeks or months inside it,
    and ("day", first, last) for the days at its edges: what the analytics read of the day rows
    is the edges only (two years of a large merchant: 1,700 rows instead of 14,600)."""
    try:
        first = period_start(date_from, kind)
        if first < date_from:
            first = _next_start(first, kind)
        last = period_start(date_to, kind)
        if _next_start(last, kind) - dt.timedelta(days=1) > date_to:
            last = period_start(last - dt.timedelta(days=1), kind)
    except (OverflowError, ValueError):
        return [("day", date_from, date_to)]
    if first > last:
        return [("day", date_from, date_to)]
    result = [("period", first, last)]
    if date_from < first:
        result.append(("day", date_from, first - dt.timedelta(days=1)))
    end = _next_start(last, kind)
    if end <= date_to:
        result.append(("day", end, date_to))
    return result


def _ranges(filters: AnalyticsFilters, kind: str) -> list[tuple[bool, str, dt.date, dt.date]]:
    ranges = [(True, *piece) for piece in pieces(filters.date_from, filters.date_to, kind)]
    if filters.previous:
        ranges += [(False, *piece) for piece in pieces(filters.previous.date_from, filters.previous.date_to, kind)]
    return ranges


def _counter_sql(access: Access, filters: AnalyticsFilters, *, kind: str, by: str, columns) -> tuple[str, list]:
    """A UNION ALL of the day rows at the edges and the week or month rows of the whole periods of
    the range and the previous period, each row (current?, branch or period, columns…)."""
    rule, params = _scope(access, filters)
    parts, values = [], []
    for current, source, low, high in _ranges(filters, kind):
        if source == "day":
            key = "branch_id" if by == "branch" else f"date_trunc('{kind}', day)::date"
            parts.append(f"SELECT {current}, {key}, {', '.join(columns)} FROM ratings_ratingdaycounter "
                         f"WHERE merchant_id = %s AND day >= %s AND day <= %s{rule}")
            values += [access.merchant_id, low, high, *params]
        else:
            key = "branch_id" if by == "branch" else "start"
            parts.append(f"SELECT {current}, {key}, {', '.join(columns)} FROM ratings_ratingperiodcounter "
                         f"WHERE merchant_id = %s AND kind = %s AND start >= %s AND start <= %s{rule}")
            values += [access.merchant_id, kind, low, high, *params]
    sums = ", ".join(f"sum(c{index})" for index in range(len(columns)))
    aliased = " UNION ALL ".join(parts)
    names = ", ".join(f"c{index}" for index in range(len(columns)))
    return (f"SELECT is_current, k, {sums} FROM ({aliased}) AS t(is_current, k, {names}) GROUP BY 1, 2",
            values)


# --- ANA-1: NPS ------------------------------------------------------------------------------

NPS_FIELDS = ("ratings", "promoters", "passives", "detractors", "comments")


def _nps_row(ratings=0, promoters=0, passives=0, detractors=0, comments=0) -> dict:
    row = {"ratings": int(ratings), "promoters": int(promoters), "passives": int(passives),
           "detractors": int(detractors), "comments": int(comments)}
    row["nps"] = nps(row["promoters"], row["detractors"], row["ratings"])
    return row


def period_start(day: dt.date, interval: str) -> dt.date:
    """The Monday of the day's week, or the first of its month."""
    if interval == "month":
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())


def _periods(filters: AnalyticsFilters) -> list[dt.date]:
    starts, day = [], period_start(filters.date_from, filters.interval)
    while day <= filters.date_to and len(starts) <= MAX_FILLED_PERIODS:
        starts.append(day)
        if filters.interval == "month":
            if day.year == dt.MAXYEAR and day.month == 12:
                break
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        else:
            if day > dt.date.max - dt.timedelta(days=7):
                break
            day += dt.timedelta(days=7)
    return starts


def nps_series(*, access: Access, filters: AnalyticsFilters) -> dict:
    """ANA-1: {"series": [{"period_start", ratings, promoters, passives, detractors, comments, nps}],
    "total": {…}, "previous": {…}} from the day counters: weeks start on Monday, months on the
    1st; a period at the range's edge counts only the range's days."""
    sql, params = _counter_sql(access, filters, kind=filters.interval, by="period", columns=(
        "total_ratings", "promoters", "passives", "detractors", "comments_received"))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_period: dict[dt.date, list[int]] = {}
    totals = {True: [0] * 5, False: [0] * 5}
    for current, period, *sums in rows:
        totals[current] = [a + (b or 0) for a, b in zip(totals[current], sums, strict=True)]
        if current:
            by_period[period] = [a + (b or 0) for a, b in zip(by_period.get(period, [0] * 5), sums, strict=True)]
    starts = _periods(filters)
    if len(starts) > MAX_FILLED_PERIODS:
        starts = sorted(by_period)
    series = [{"period_start": start, **_nps_row(*by_period.get(start, [0] * 5))} for start in starts]
    return {"series": series, "total": _nps_row(*totals[True]),
            "previous": _nps_row(*totals[False]) if filters.previous else None}


# --- the counters per branch: ranking (ANA-1), response counts (ANA-2), funnel (ANA-3) -----------

def _branch_sums(access: Access, filters: AnalyticsFilters) -> dict[tuple[bool, int], dict]:
    """{(current?, branch id): {counter: sum}} over the range and the previous period."""
    sql, params = _counter_sql(access, filters, kind="month", by="branch", columns=COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(current, branch): dict(zip(COLUMNS, (int(v or 0) for v in sums), strict=True))
                for current, branch, *sums in cursor.fetchall()}


def _added(rows) -> dict:
    total = dict.fromkeys(COLUMNS, 0)
    for row in rows:
        for name in COLUMNS:
            total[name] += row[name]
    return total


def _branches(access: Access, filters: AnalyticsFilters) -> list[Branch]:
    branches = access.scope(Branch.objects, branch="id").order_by("name", "id")
    if filters.branch_id is not None:
        branches = branches.filter(pk=filters.branch_id)
    return list(branches.only("id", "name"))


def branch_ranking(*, access: Access, filters: AnalyticsFilters, sums=None, branches=None) -> list[dict]:
    """ANA-1: the branches by NPS over the range, best first (those without ratings last), each
    with its volume and the previous period's NPS."""
    sums = _branch_sums(access, filters) if sums is None else sums
    branches = _branches(access, filters) if branches is None else branches
    ranked = []
    for branch in branches:
        now, before = sums.get((True, branch.pk)), sums.get((False, branch.pk))
        row = _nps_row(*(_counter_nps(now) if now else ()))
        row["branch"] = {"id": branch.pk, "name": branch.name}
        row["previous_nps"] = _nps_row(*_counter_nps(before))["nps"] if before else None
        ranked.append(row)
    ranked.sort(key=lambda row: (row["nps"] is None, -(row["nps"] or 0), -row["ratings"], row["branch"]["name"]))
    return ranked


def _counter_nps(sums: dict) -> tuple:
    return (sums["total_ratings"], sums["promoters"], sums["passives"], sums["detractors"],
            sums["comments_received"])


# --- ANA-2: response -----------------------------------------------------------------------------

def percentile(histogram: list[int], share: float) -> int | None:
    """The nearest-rank percentile of the bucket counts (RESPONSE_BUCKETS order): the lower bound
    of the first bucket with at least `share` of the counts at or below it; None when empty."""
    total = sum(histogram)
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for bound, count in zip(RESPONSE_BUCKETS, histogram, strict=True):
        seen += count
        if seen >= rank:
            return bound
    return None


def _response_row(cases: int, answered: int, within: int, histogram: list[int]) -> dict:
    return {"cases": cases, "answered": answered, "answered_within_target": within,
            "within_target_rate": round(within / cases, 4) if cases else None,
            "median_first_response_minutes": percentile(histogram, 0.5),
            "p90_first_response_minutes": percentile(histogram, 0.9)}


def _response_times(access: Access, filters: AnalyticsFilters) -> list[tuple]:
    """[(current?, branch, responder, answered, within, [bucket counts])] of the range and the previous period."""
    rule, params = _scope(access, filters)
    columns = ("answered", "answered_within_target", *RESPONSE_BUCKET_COLUMNS)
    parts, values = [], []
    for current, source, low, high in _ranges(filters, "month"):
        parts.append(f"SELECT {current}, branch_id, responder_id, {', '.join(columns)} FROM ratings_responsetimecounter"
                     f" WHERE merchant_id = %s AND kind = %s AND day >= %s AND day <= %s{rule}")
        values += [access.merchant_id, "month" if source == "period" else "day", low, high, *params]
    names = ", ".join(f"c{index}" for index in range(len(columns)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT is_current, branch_id, responder_id, {', '.join(f'sum(c{i})' for i in range(len(columns)))}
                FROM ({' UNION ALL '.join(parts)}) AS t(is_current, branch_id, responder_id, {names})
                GROUP BY 1, 2, 3""", values)
        return [(now, branch, member, int(answered), int(within), [int(n) for n in buckets])
                for now, branch, member, answered, within, *buckets in cursor.fetchall()]


def response_summary(*, access: Access, filters: AnalyticsFilters, sums=None, branches=None) -> dict:
    """ANA-2: cases of the range (by the rating's day), those answered by staff, those answered
    by their due time, and the median and 90th percentile of the minutes from the case's opening
    to the first reply (to the bucket: RESPONSE_BUCKETS); by branch and by member. A member's row
    counts the cases they replied to first (the replying member), so its `cases` equal its
    `answered`."""
    sums = _branch_sums(access, filters) if sums is None else sums
    branches = _branches(access, filters) if branches is None else branches
    times = _response_times(access, filters)

    def histogram(current: bool, branch_id=None, member_id=None) -> list[int]:
        total = [0] * len(RESPONSE_BUCKETS)
        for now, branch, member, _answered, _within, buckets in times:
            if now == current and branch_id in (None, branch) and member_id in (None, member):
                total = [a + b for a, b in zip(total, buckets, strict=True)]
        return total

    def counted(current: bool, branch_id=None) -> dict:
        rows = [row for (now, branch), row in sums.items() if now == current and branch_id in (None, branch)]
        total = _added(rows)
        return _response_row(total["cases"], total["answered"], total["answered_within_target"],
                             histogram(current, branch_id))

    by_branch = [{"branch": {"id": b.pk, "name": b.name}, **counted(True, b.pk)} for b in branches]
    member_ids = sorted({member for now, _, member, *_ in times if now and member is not None})
    names = {user.pk: user.get_full_name() for user in User.objects.filter(pk__in=member_ids)}
    by_member = []
    for member_id in member_ids:
        rows = [row for row in times if row[0] and row[2] == member_id]
        answered, within = sum(row[3] for row in rows), sum(row[4] for row in rows)
        by_member.append({"member": {"id": member_id, "full_name": names.get(member_id, "")},
                          **_response_row(answered, answered, within, histogram(True, member_id=member_id))})
    by_member.sort(key=lambda row: (-row["answered"], row["member"]["full_name"], row["member"]["id"]))
    return {**counted(True), "by_branch": by_branch, "by_member": by_member,
            "previous": counted(False) if filters.previous else None}


# --- ANA-3: the recovery funnel ------------------------------------------------------------------

FUNNEL = (("detractors", "detractors"), ("answered", "detractors_answered"),
          ("answered_within_target", "detractors_answered_within_target"), ("gift_offered", "gift_offered"),
          ("gift_redeemed", "gift_redeemed"), ("returned", "returned"), ("rerated", "rerated"),
          ("recovered", "recovered"))


def _funnel_row(sums: dict) -> dict:
    row = {name: sums[column] for name, column in FUNNEL}
    cost = (Decimal(sums["gift_cost_cents"]) / 100).quantize(CENTS)
    row["gift_cost"] = cost
    row["cost_per_recovered"] = (cost / row["recovered"]).quantize(CENTS) if row["recovered"] else None
    return row


def recovery_funnel(*, access: Access, filters: AnalyticsFilters, sums=None, branches=None) -> dict:
    """ANA-3: of the detractor ratings received in the range, how many were answered, answered in
    time, offered a gift, redeemed it, whose customer came back (a later visit), rated again (a
    later rating or a follow-up score) and was recovered (one of those 9-10); the cost of the
    redeemed grants (as each was when granted) and the cost per recovered customer; by branch."""
    sums = _branch_sums(access, filters) if sums is None else sums
    branches = _branches(access, filters) if branches is None else branches

    def total(current: bool, branch_id=None) -> dict:
        return _funnel_row(_added(row for (now, branch), row in sums.items()
                                  if now == current and branch_id in (None, branch)))

    return {**total(True), "currency": access.merchant.currency,
            "by_branch": [{"branch": {"id": b.pk, "name": b.name}, **total(True, b.pk)} for b in branches],
            "previous": total(False) if filters.previous else None}


# --- ANA-5: the watchlist --------------------------------------------------------------------------

WATCHLIST_ORDERING = "-spent"


def watchlist(*, access: Access, now: dt.datetime, branch_id: int | None = None) -> QuerySet[CustomerStats]:
    """ANA-5: customers with 3 visits or more whose time since their last visit is over twice
    their median gap between visits, the highest spenders first, within the access's branches
    (a customer's branch is that of their last visit). The list is as of `now`: a date range
    does not apply to it (who is overdue today does not depend on the range looked at). A
    keyset-paginated queryset on (spent_cents, id), both descending."""
    rows = access.scope(CustomerStats.objects, branch="last_branch_id").filter(lapse_at__lt=now)
    if branch_id is not None:
        rows = rows.filter(last_branch_id=branch_id)
    # The names as sub-selects of the page's rows only: a join made the planner read every
    # customer of the merchant first (bench: 30,000 rows, 150 ms, against 0.3 ms).
    return rows.annotate(
        customer_name=Subquery(Customer.objects.filter(merchant_id=access.merchant_id, pk=OuterRef("customer_id"))
                               .values("full_name")[:1]),
        branch_name=Subquery(Branch.objects.filter(merchant_id=access.merchant_id, pk=OuterRef("last_branch_id"))
                             .values("name")[:1]),
    ).order_by("-spent_cents", "-id")


def watch_item(stats: CustomerStats, *, now: dt.datetime, currency: str) -> dict:
    """One watchlist row as API.md writes it, with its branch, latest rating and detractor flag."""
    gap = stats.median_gap.total_seconds() / 86400
    return {
        "customer": {"id": stats.customer_id, "full_name": stats.customer_name},
        "visits": stats.visits,
        "median_gap_days": round(gap, 1),
        "days_since_last_visit": int((now - stats.last_visit_at).total_seconds() // 86400),
        "last_visit_at": stats.last_visit_at,
        "last_score": stats.last_score,
        "last_rating": stats.last_rating_id,
        "detractor": stats.last_score is not None and stats.last_score <= 6,
        "branch": {"id": stats.last_branch_id, "name": stats.branch_name} if stats.last_branch_id else None,
        "total_spent": (Decimal(stats.spent_cents) / 100).quantize(CENTS),
        "currency": currency,
    }


def dashboard(*, access: Access, filters: AnalyticsFilters, branches: list[Branch]) -> dict:
    """Every figure of the page: the NPS series, the ranking, response and funnel, from one read
    of the branch counters shared by the three (the API reads each alone). `branches` are the
    access's branches (the page lists them for its filter), in name order."""
    sums = _branch_sums(access, filters)
    branches = [branch for branch in branches if filters.branch_id in (None, branch.pk)]
    return {
        "nps": nps_series(access=access, filters=filters),
        "ranking": branch_ranking(access=access, filters=filters, sums=sums, branches=branches),
        "response": response_summary(access=access, filters=filters, sums=sums, branches=branches),
        "recovery": recovery_funnel(access=access, filters=filters, sums=sums, branches=branches),
    }
