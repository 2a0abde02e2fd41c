"""The summary counters kept by ratings.services: per branch and day (RatingDayCounter) and
per branch since the beginning (RatingBranchCounter), with the analytics' response and funnel
counters among them (ANA-2, ANA-3), the response-time counters (ResponseTimeCounter) and the
per-customer rollup (customers.CustomerStats) that the watchlist and the funnel read (ANA-5).

bump() adds deltas to both counters of one rating's branch (the day is its created_at in
the merchant's time zone), bump_many() those of many ratings, each in one statement that reads
the branches and days from the ratings themselves (by merchant and id: one shard under Citus).
rebuild_sql recomputes every counter from the ratings (the bench loader uses it).
"""

from __future__ import annotations

from django.db import connection

from .models import RESPONSE_BUCKET_COLUMNS, RESPONSE_BUCKETS, response_bucket_column

# What the inbox's summary reads (INB-1, CASE-6); the analytics' columns follow.
SUMMARY_COLUMNS = ("total_ratings", "comments_received", "replies_sent", "unread_comments",
                   "promoters", "passives", "detractors", "needs_reply", "open_cases", "unassigned_cases",
                   "resolved_cases")
COLUMNS = SUMMARY_COLUMNS + (
    "cases", "answered", "answered_within_target", "detractors_answered", "detractors_answered_within_target",
    "gift_offered", "gift_redeemed", "gift_cost_cents", "returned", "rerated", "recovered")

# What the analytics read of the day and period counters (ANA-1..3): the columns the covering index
# rating_period_counter_start holds.
ANALYTICS_COLUMNS = ("total_ratings", "comments_received", "promoters", "passives", "detractors", "cases", "answered",
                     "answered_within_target", "detractors_answered", "detractors_answered_within_target",
                     "gift_offered", "gift_redeemed", "gift_cost_cents", "returned", "rerated", "recovered")

# Minutes from a case's opening to its first reply, and the bucket column they fall in (ANA-2).
RESPONSE_MINUTES_SQL = ("floor(extract(epoch FROM greatest(r.first_response_at - r.case_opened_at,"
                        " interval '0')) / 60)::int")


def _bucket_sums_sql(minutes: str) -> str:
    bounds = list(RESPONSE_BUCKETS) + [None]
    return ", ".join(
        f"count(*) FILTER (WHERE {minutes} >= {low}" + (f" AND {minutes} < {high})" if high is not None else ")")
        for low, high in zip(bounds, bounds[1:], strict=False))


# One statement: the counters of every (merchant, branch, local day) from the ratings. The funnel of
# a detractor (ANA-3) is read from its grants, visits and later ratings by sub-selects inside the
# aggregates, each naming {merchant} as the customer rollups below do: Citus runs the statement for
# one merchant whole on its shard, where a FROM-less LATERAL of correlated sub-selects is refused (SCALE-2).
FUNNEL = {
    "offered": "EXISTS (SELECT FROM gifts_giftgrant g WHERE g.merchant_id = r.merchant_id AND g.merchant_id = {merchant}"
               " AND g.rating_id = r.id)",
    "redeemed": "EXISTS (SELECT FROM gifts_giftgrant g WHERE g.merchant_id = r.merchant_id"
                " AND g.merchant_id = {merchant} AND g.rating_id = r.id AND g.status = 'redeemed')",
    "cost_cents": "(SELECT sum(round(g.cost * 100))::bigint FROM gifts_giftgrant g WHERE g.merchant_id = r.merchant_id"
                  " AND g.merchant_id = {merchant} AND g.rating_id = r.id AND g.status = 'redeemed')",
    "returned": "EXISTS (SELECT FROM customers_visit v WHERE v.merchant_id = r.merchant_id"
                " AND v.merchant_id = {merchant} AND v.customer_id = r.customer_id AND v.visited_at > r.created_at)",
    "rerated": "EXISTS (SELECT FROM ratings_rating l WHERE l.merchant_id = r.merchant_id"
               " AND l.merchant_id = {merchant} AND l.customer_id = r.customer_id AND l.created_at > r.created_at)",
    "recovered": "EXISTS (SELECT FROM ratings_rating l WHERE l.merchant_id = r.merchant_id"
                 " AND l.merchant_id = {merchant} AND l.customer_id = r.customer_id AND l.created_at > r.created_at"
                 " AND l.score >= 9)",
}
REBUILD_SQL = f"""
    DELETE FROM ratings_ratingdaycounter {{where_counter}};
    INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, {{columns}})
    SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date,
           count(*), count(r.comment), COALESCE(sum(r.replies_count), 0),
           count(*) FILTER (WHERE r.comment IS NOT NULL AND NOT r.is_read),
           count(*) FILTER (WHERE r.score >= 9), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
           count(*) FILTER (WHERE r.score <= 6), count(*) FILTER (WHERE r.needs_reply),
           count(*) FILTER (WHERE r.status IN ('new', 'open', 'escalated')),
           count(*) FILTER (WHERE r.status IN ('new', 'open', 'escalated') AND r.owner_id IS NULL),
           count(*) FILTER (WHERE r.status = 'resolved'),
           count(*) FILTER (WHERE r.status <> 'none'),
           count(*) FILTER (WHERE r.status <> 'none' AND r.first_response_at IS NOT NULL),
           count(*) FILTER (WHERE r.status <> 'none' AND r.first_response_at <= r.due_at),
           count(*) FILTER (WHERE r.score <= 6 AND r.first_response_at IS NOT NULL),
           count(*) FILTER (WHERE r.score <= 6 AND r.first_response_at <= r.due_at),
           count(*) FILTER (WHERE r.score <= 6 AND {FUNNEL["offered"]}),
           count(*) FILTER (WHERE r.score <= 6 AND {FUNNEL["redeemed"]}),
           COALESCE(sum({FUNNEL["cost_cents"]}) FILTER (WHERE r.score <= 6), 0),
           count(*) FILTER (WHERE r.score <= 6 AND {FUNNEL["returned"]}),
           count(*) FILTER (WHERE r.score <= 6 AND ({FUNNEL["rerated"]} OR r.followup_score IS NOT NULL)),
           count(*) FILTER (WHERE r.score <= 6 AND ({FUNNEL["recovered"]} OR r.followup_score >= 9))
    FROM ratings_rating r JOIN merchants_merchant m ON m.id = r.merchant_id
    {{where_rating}}
    GROUP BY 1, 2, 3;
"""

# The response-time counters from the answered cases (ANA-2).
RESPONSE_REBUILD_SQL = f"""
    DELETE FROM ratings_responsetimecounter {{where_counter}};
    INSERT INTO ratings_responsetimecounter (merchant_id, branch_id, day, responder_id, answered,
                                             answered_within_target, {', '.join(RESPONSE_BUCKET_COLUMNS)})
    SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date, r.first_responder_id,
           count(*), count(*) FILTER (WHERE r.first_response_at <= r.due_at),
           {_bucket_sums_sql(RESPONSE_MINUTES_SQL)}
    FROM ratings_rating r JOIN merchants_merchant m ON m.id = r.merchant_id
    WHERE r.status <> 'none' AND r.first_response_at IS NOT NULL {{and_rating}}
    GROUP BY 1, 2, 3, 4;
    INSERT INTO ratings_responsetimecounter (merchant_id, branch_id, kind, day, responder_id, answered,
                                             answered_within_target, {', '.join(RESPONSE_BUCKET_COLUMNS)})
    SELECT merchant_id, branch_id, 'month', date_trunc('month', day)::date, responder_id, sum(answered),
           sum(answered_within_target), {', '.join(f'sum({c})' for c in RESPONSE_BUCKET_COLUMNS)}
    FROM ratings_responsetimecounter WHERE kind = 'day' {{and_counter}}
    GROUP BY 1, 2, 4, 5;
"""

# The per-customer rollup (customers.CustomerStats), in two parts that the services write
# separately: what the visits say (customers.stats), what the ratings say (below).
# The sub-selects also name {merchant}, the merchant's id itself when the statement is for one merchant
# (else c.merchant_id): on Citus a sub-select correlated on merchant_id alone is not pinned to one shard,
# a constant is, and the join on merchant_id keeps the INSERT … SELECT on the merchant's shard (SCALE-2).
CUSTOMER_VISITS_SQL = """
    INSERT INTO customers_customerstats (merchant_id, customer_id, visits, spent_cents, last_visit_at,
                                         last_branch_id, median_gap, lapse_at)
    SELECT c.merchant_id, c.id, v.visits, v.total, v.last_at, v.last_branch, v.median_gap,
           CASE WHEN v.visits >= 3 THEN v.last_at + 2 * v.median_gap END
    FROM customers_customer c, LATERAL (
        SELECT count(*) AS visits, COALESCE(sum(round(x.invoice_total * 100)), 0)::bigint AS total, max(x.visited_at) AS last_at,
               (array_agg(x.branch_id ORDER BY x.visited_at DESC, x.id DESC))[1] AS last_branch,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY x.gap) AS median_gap
        FROM (SELECT id, branch_id, invoice_total, visited_at,
                     visited_at - lag(visited_at) OVER (ORDER BY visited_at, id) AS gap
              FROM customers_visit WHERE merchant_id = c.merchant_id AND merchant_id = {merchant} AND customer_id = c.id) x
    ) v
    {where_customer}
    ON CONFLICT (merchant_id, customer_id) DO UPDATE SET
        visits = EXCLUDED.visits, spent_cents = EXCLUDED.spent_cents, last_visit_at = EXCLUDED.last_visit_at,
        last_branch_id = EXCLUDED.last_branch_id, median_gap = EXCLUDED.median_gap, lapse_at = EXCLUDED.lapse_at;
"""

CUSTOMER_RATINGS_SQL = """
    INSERT INTO customers_customerstats (merchant_id, customer_id, last_rating_id, last_rating_at, last_score,
                                         last_promoter_at)
    SELECT c.merchant_id, c.id, l.id, l.created_at, l.score, p.created_at
    FROM customers_customer c
    LEFT JOIN LATERAL (SELECT id, created_at, score FROM ratings_rating
                       WHERE merchant_id = c.merchant_id AND merchant_id = {merchant} AND customer_id = c.id
                       ORDER BY created_at DESC, id DESC LIMIT 1) l ON true
    LEFT JOIN LATERAL (SELECT max(created_at) AS created_at FROM ratings_rating
                       WHERE merchant_id = c.merchant_id AND merchant_id = {merchant} AND customer_id = c.id AND score >= 9) p ON true
    {where_customer}
    ON CONFLICT (merchant_id, customer_id) DO UPDATE SET
        last_rating_id = EXCLUDED.last_rating_id, last_rating_at = EXCLUDED.last_rating_at,
        last_score = EXCLUDED.last_score, last_promoter_at = EXCLUDED.last_promoter_at;
"""


# The week and month counters of every branch, from the day counters (the periods' starts computed
# in the select list: Citus pushes down a VALUES list of constants only).
PERIOD_REBUILD_SQL = f"""
    DELETE FROM ratings_ratingperiodcounter {{where}};
    INSERT INTO ratings_ratingperiodcounter (merchant_id, branch_id, kind, start, {', '.join(COLUMNS)})
    SELECT merchant_id, branch_id, p.kind, date_trunc(p.kind, day)::date, {', '.join(f'sum({c})' for c in COLUMNS)}
    FROM ratings_ratingdaycounter, (VALUES ('week'), ('month')) AS p(kind)
    {{where}}
    GROUP BY 1, 2, 3, 4;
"""

# The all-time counters of every branch, from the day counters.
BRANCH_REBUILD_SQL = f"""
    DELETE FROM ratings_ratingbranchcounter {{where}};
    INSERT INTO ratings_ratingbranchcounter (merchant_id, branch_id, {', '.join(COLUMNS)})
    SELECT merchant_id, branch_id, {', '.join(f'sum({c})' for c in COLUMNS)}
    FROM ratings_ratingdaycounter {{where}}
    GROUP BY 1, 2;
"""


def rebuild_sql(merchant_id: int | None = None, *, branches: bool = True) -> str:
    """Day counters from the ratings, then (unless branches=False) branch counters from those."""
    where_counter = "" if merchant_id is None else f"WHERE merchant_id = {int(merchant_id)}"
    where_rating = "" if merchant_id is None else f"WHERE r.merchant_id = {int(merchant_id)}"
    statements = REBUILD_SQL.format(where_counter=where_counter, where_rating=where_rating,
                                    merchant="r.merchant_id" if merchant_id is None else str(int(merchant_id)),
                                    columns=", ".join(COLUMNS))
    statements += RESPONSE_REBUILD_SQL.format(
        where_counter=where_counter, and_rating="" if merchant_id is None else f"AND r.merchant_id = {int(merchant_id)}",
        and_counter="" if merchant_id is None else f"AND merchant_id = {int(merchant_id)}")
    statements += PERIOD_REBUILD_SQL.format(where=where_counter)
    where_customer = "" if merchant_id is None else f"WHERE c.merchant_id = {int(merchant_id)}"
    statements += f"DELETE FROM customers_customerstats {where_counter};"
    merchant = "c.merchant_id" if merchant_id is None else str(int(merchant_id))
    statements += CUSTOMER_VISITS_SQL.format(where_customer=where_customer, merchant=merchant)
    statements += CUSTOMER_RATINGS_SQL.format(where_customer=where_customer, merchant=merchant)
    if branches:
        statements += BRANCH_REBUILD_SQL.format(where=where_counter)
    return statements


def counters_rebuild(merchant_id: int | None = None) -> None:
    """Recompute the counters from the ratings: of one merchant under its tenant, or of all on a
    connection that spans merchants (the owner's, as migrations and the bench load do)."""
    with connection.cursor() as cursor:
        cursor.execute(rebuild_sql(merchant_id))


def bump(rating, **deltas: int) -> None:
    """Add deltas (column=±n) to the counters of the rating's branch and local day."""
    bump_many(rating.merchant_id, {rating.pk: deltas})


def bump_many(merchant_id: int, deltas_by_rating: dict[int, dict[str, int]]) -> None:
    """Add each rating's deltas to the counters of its branch and local day, summed per branch
    and day, in one statement however many ratings (a bulk action's)."""
    deltas_by_rating = {rating_id: {k: v for k, v in deltas.items() if v}
                        for rating_id, deltas in deltas_by_rating.items()}
    deltas_by_rating = {rating_id: deltas for rating_id, deltas in deltas_by_rating.items() if deltas}
    if not deltas_by_rating:
        return
    names = sorted({name for deltas in deltas_by_rating.values() for name in deltas})
    unknown = set(names) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    ids = list(deltas_by_rating)
    arrays = [[deltas_by_rating[rating_id].get(name, 0) for rating_id in ids] for name in names]
    arguments = ", ".join(["%s::bigint[]"] * (len(names) + 1))
    values = ", ".join(name if name in names else "0" for name in COLUMNS)
    grouped = ", ".join(f"sum({name})" if name in names else "0" for name in COLUMNS)

    def add(table: str) -> str:
        return ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in names)

    with connection.cursor() as cursor:
        # Day rows first, then week and month rows, then branch rows, each in (branch, day) order,
        # in every transaction: the same lock order everywhere.
        cursor.execute(
            f"""
            WITH d AS (
                SELECT * FROM unnest({arguments}) AS d(id, {', '.join(names)})
            ), source AS (
                SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date AS day,
                       {', '.join(f'sum(d.{name}) AS {name}' for name in names)}
                FROM d JOIN ratings_rating r ON r.merchant_id = %s AND r.id = d.id
                JOIN merchants_merchant m ON m.id = r.merchant_id
                GROUP BY 1, 2, 3
            ), day_rows AS (
                INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, {', '.join(COLUMNS)})
                SELECT merchant_id, branch_id, day, {values} FROM source ORDER BY branch_id, day
                ON CONFLICT (merchant_id, branch_id, day) DO UPDATE SET {add('ratings_ratingdaycounter')}
                RETURNING 1
            ), period_rows AS (
                INSERT INTO ratings_ratingperiodcounter (merchant_id, branch_id, kind, start, {', '.join(COLUMNS)})
                SELECT merchant_id, branch_id, kind, start, {grouped}
                FROM source, LATERAL (VALUES ('week', date_trunc('week', day)::date),
                                             ('month', date_trunc('month', day)::date)) AS p(kind, start)
                GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4
                ON CONFLICT (merchant_id, branch_id, kind, start) DO UPDATE SET {add('ratings_ratingperiodcounter')}
                RETURNING 1
            )
            INSERT INTO ratings_ratingbranchcounter (merchant_id, branch_id, {', '.join(COLUMNS)})
            SELECT merchant_id, branch_id, {', '.join(f'sum({c})' if c in names else '0' for c in COLUMNS)}
            FROM source WHERE EXISTS (SELECT FROM day_rows) GROUP BY 1, 2 ORDER BY 2
            ON CONFLICT (merchant_id, branch_id) DO UPDATE SET {add('ratings_ratingbranchcounter')}
            """,
            [ids, *arrays, merchant_id],
        )


def response_key(rating) -> tuple[int | None, str, bool] | None:
    """Where an answered case counts among the response-time counters (ANA-2): (the member who
    first replied, the bucket column of the minutes from the case's opening to that reply, within
    target); None while the rating has no case or no reply."""
    if rating.status == "none" or rating.first_response_at is None:
        return None
    seconds = max((rating.first_response_at - rating.case_opened_at).total_seconds(), 0)
    within = rating.due_at is not None and rating.first_response_at <= rating.due_at
    return rating.first_responder_id, response_bucket_column(int(seconds // 60)), within


def bump_responses(merchant_id: int, changes: dict[int, tuple]) -> None:
    """Moves each rating's case between response-time counters: `changes` maps a rating id to
    (its response_key before, after); a rating whose key did not change is left alone."""
    rows = []
    for rating_id, (before, after) in changes.items():
        if before == after:
            continue
        for key, delta in ((before, -1), (after, 1)):
            if key is not None:
                responder, column, within = key
                rows.append((rating_id, responder, RESPONSE_BUCKET_COLUMNS.index(column), delta,
                             delta if within else 0))
    if not rows:
        return
    ids, responders, buckets, deltas, within = (list(column) for column in zip(*rows, strict=True))
    sums = ", ".join(f"COALESCE(sum(d.answered) FILTER (WHERE d.bucket = {index}), 0)"
                     for index in range(len(RESPONSE_BUCKET_COLUMNS)))
    added = ", ".join(f"{c} = ratings_responsetimecounter.{c} + EXCLUDED.{c}"
                      for c in ("answered", "answered_within_target", *RESPONSE_BUCKET_COLUMNS))
    local_day = "(r.created_at AT TIME ZONE m.timezone)::date"
    with connection.cursor() as cursor:
        for kind, day in (("day", local_day), ("month", f"date_trunc('month', {local_day})::date")):
            cursor.execute(
                f"""
                WITH d AS (
                    SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::int[], %s::int[])
                        AS d(id, responder_id, bucket, answered, within)
                )
                INSERT INTO ratings_responsetimecounter (merchant_id, branch_id, kind, day, responder_id, answered,
                                                         answered_within_target, {', '.join(RESPONSE_BUCKET_COLUMNS)})
                SELECT r.merchant_id, r.branch_id, '{kind}', {day}, d.responder_id, sum(d.answered), sum(d.within),
                       {sums}
                FROM d JOIN ratings_rating r ON r.merchant_id = %s AND r.id = d.id
                JOIN merchants_merchant m ON m.id = r.merchant_id
                GROUP BY 1, 2, 4, 5 ORDER BY 2, 4, 5
                ON CONFLICT (merchant_id, branch_id, kind, day, responder_id) DO UPDATE SET {added}
                """,
                [ids, responders, buckets, deltas, within, merchant_id],
            )


def detractors_between(merchant_id: int, customer_id: int, since, until, *, extra: str = "") -> list[int]:
    """The customer's detractor ratings received at or after `since` (any time when None) and
    strictly before `until`: those a later visit or rating at `until` changes in the funnel."""
    since_sql = "" if since is None else " AND created_at >= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT id FROM ratings_rating WHERE merchant_id = %s AND customer_id = %s AND score <= 6
                AND created_at < %s{since_sql}{extra}""",
            [merchant_id, customer_id, until, *([] if since is None else [since])])
        return [row[0] for row in cursor.fetchall()]


def customer_ratings_counted(merchant_id: int, customer_id: int) -> None:
    """The customer's rollup as their ratings say (latest rating and score, latest 9-10)."""
    with connection.cursor() as cursor:
        cursor.execute(CUSTOMER_RATINGS_SQL.format(where_customer="WHERE c.merchant_id = %s AND c.id = %s",
                                              merchant=int(merchant_id)), [merchant_id, customer_id])


def customer_visits_counted(merchant_id: int, customer_id: int) -> None:
    """The customer's rollup as their visits say (visits, spend, last visit, median gap, lapse)."""
    with connection.cursor() as cursor:
        cursor.execute(CUSTOMER_VISITS_SQL.format(where_customer="WHERE c.merchant_id = %s AND c.id = %s",
                                              merchant=int(merchant_id)), [merchant_id, customer_id])


def customer_stats_locked(merchant_id: int, customer_id: int) -> tuple:
    """(last visit, last rating, last 9-10) of the customer's rollup, its row created when new and
    locked until commit: two writers for one customer take turns.

    One statement (issue 13): the conflict's no-op update locks the existing row against the other
    writers, as the SELECT … FOR UPDATE after an INSERT … DO NOTHING did (it waits for one that holds
    it, then returns the committed values); it sets a column that is neither the distribution column
    nor indexed (Citus, HOT updates)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO customers_customerstats (merchant_id, customer_id, visits, spent_cents)
               VALUES (%s, %s, 0, 0) ON CONFLICT (merchant_id, customer_id)
               DO UPDATE SET visits = customers_customerstats.visits
               RETURNING last_visit_at, last_rating_at, last_promoter_at""",
            [merchant_id, customer_id])
        return cursor.fetchone()


def _rated_since(last_rating_at, since) -> bool:
    """Whether the customer may have a rating at or after `since` (any time when None), from their
    rollup's latest rating time: every transaction that adds a rating sets it (rating_counted), and
    every customer with a rating has a rollup row (ratings migration 0020 filled them), so a customer
    whose latest rating is older, or who has none, has nothing to look for (issue 13: no statement)."""
    return last_rating_at is not None and (since is None or last_rating_at >= since)


def visit_counted(visit) -> None:
    """A visit was recorded (ANA-3, ANA-5): the customer's rollup from their visits, and every
    detractor of theirs received before it that had no later visit now counts as returned."""
    merchant_id, customer_id = visit.merchant_id, visit.customer_id
    last_visit_at, last_rating_at, _ = customer_stats_locked(merchant_id, customer_id)
    if (last_visit_at is None or visit.visited_at > last_visit_at) and _rated_since(last_rating_at, last_visit_at):
        returned = detractors_between(merchant_id, customer_id, last_visit_at, visit.visited_at)
        bump_many(merchant_id, {rating_id: {"returned": 1} for rating_id in returned})
    customer_visits_counted(merchant_id, customer_id)


def rating_counted(rating, **own: int) -> None:
    """A rating was saved (ANA-3, ANA-5): its own counters (`own`, with its funnel flags) and those
    of the earlier detractors of its customer it re-rates (and, at 9-10, recovers) are bumped in one
    statement, which locks every counter row it moves in one order (issue 13: two such bumps, one
    after the other, deadlocked two tills whose customers' old detractors were of each other's
    branches), then the customer's rollup follows."""
    merchant_id, customer_id, at = rating.merchant_id, rating.customer_id, rating.created_at
    last_visit_at, last_rating_at, last_promoter_at = customer_stats_locked(merchant_id, customer_id)
    deltas: dict[int, dict[str, int]] = {}
    if last_rating_at is not None and at > last_rating_at:  # none before it: no earlier detractor (_rated_since)
        for rating_id in detractors_between(merchant_id, customer_id, last_rating_at, at,
                                            extra=" AND followup_score IS NULL"):
            deltas.setdefault(rating_id, {})["rerated"] = 1
    if rating.score >= 9 and (last_promoter_at is None or at > last_promoter_at) and _rated_since(
            last_rating_at, last_promoter_at):
        for rating_id in detractors_between(merchant_id, customer_id, last_promoter_at, at,
                                            extra=" AND (followup_score IS NULL OR followup_score < 9)"):
            deltas.setdefault(rating_id, {})["recovered"] = 1
    if rating.score <= 6:
        own = {**own, "returned": int(last_visit_at is not None and last_visit_at > at),
               "rerated": int(last_rating_at is not None and last_rating_at > at),
               "recovered": int(last_promoter_at is not None and last_promoter_at > at)}
    deltas[rating.pk] = own
    bump_many(merchant_id, deltas)
    customer_ratings_counted(merchant_id, customer_id)
