"""The summary counters kept by ratings.services: per branch and day (RatingDayCounter) and
per branch since the beginning (RatingBranchCounter).

bump() adds deltas to both counters of one rating's branch (the day is its created_at in
the merchant's time zone), bump_many() those of many ratings, each in one statement that reads
the branches and days from the ratings themselves (by merchant and id: one shard under Citus).
rebuild_sql recomputes every counter from the ratings (the bench loader uses it).
"""

from __future__ import annotations

from django.db import connection

COLUMNS = ("total_ratings", "comments_received", "replies_sent", "unread_comments",
           "promoters", "passives", "detractors", "needs_reply", "open_cases", "unassigned_cases")

# One statement: the counters of every (merchant, branch, local day) from the ratings.
REBUILD_SQL = """
    DELETE FROM ratings_ratingdaycounter {where_counter};
    INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, {columns})
    SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date,
           count(*), count(r.comment), COALESCE(sum(r.replies_count), 0),
           count(*) FILTER (WHERE r.comment IS NOT NULL AND NOT r.is_read),
           count(*) FILTER (WHERE r.score >= 9), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
           count(*) FILTER (WHERE r.score <= 6), count(*) FILTER (WHERE r.needs_reply),
           count(*) FILTER (WHERE r.status IN ('new', 'open', 'escalated')),
           count(*) FILTER (WHERE r.status IN ('new', 'open', 'escalated') AND r.owner_id IS NULL)
    FROM ratings_rating r JOIN merchants_merchant m ON m.id = r.merchant_id
    {where_rating}
    GROUP BY 1, 2, 3;
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
                                    columns=", ".join(COLUMNS))
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
    arguments = ", ".join(["%s::bigint[]"] + ["%s::int[]"] * len(names))
    values = ", ".join(name if name in names else "0" for name in COLUMNS)

    def add(table: str) -> str:
        return ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in names)

    with connection.cursor() as cursor:
        # Day rows first, then branch rows, each in (branch, day) order, in every transaction:
        # the same lock order everywhere.
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
            )
            INSERT INTO ratings_ratingbranchcounter (merchant_id, branch_id, {', '.join(COLUMNS)})
            SELECT merchant_id, branch_id, {', '.join(f'sum({c})' if c in names else '0' for c in COLUMNS)}
            FROM source WHERE EXISTS (SELECT FROM day_rows) GROUP BY 1, 2 ORDER BY 2
            ON CONFLICT (merchant_id, branch_id) DO UPDATE SET {add('ratings_ratingbranchcounter')}
            """,
            [ids, *arrays, merchant_id],
        )
