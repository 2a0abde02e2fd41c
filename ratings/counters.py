"""The summary counters kept by ratings.services: per branch and day (RatingDayCounter) and
per branch since the beginning (RatingBranchCounter).

bump() adds deltas to both counters of one rating's branch (the day is its created_at in
the merchant's time zone) in one statement that reads the branch and day from the rating
itself. rebuild_sql recomputes every counter from the ratings (the bench loader uses it).
"""

from __future__ import annotations

from django.db import connection

COLUMNS = ("total_ratings", "comments_received", "replies_sent", "unread_comments",
           "promoters", "passives", "detractors")

# One statement: the counters of every (merchant, branch, local day) from the ratings.
REBUILD_SQL = """
    DELETE FROM ratings_ratingdaycounter {where_counter};
    INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, total_ratings, comments_received,
        replies_sent, unread_comments, promoters, passives, detractors)
    SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date,
           count(*), count(r.comment), COALESCE(sum(r.replies_count), 0),
           count(*) FILTER (WHERE r.comment IS NOT NULL AND NOT r.is_read),
           count(*) FILTER (WHERE r.score >= 9), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
           count(*) FILTER (WHERE r.score <= 6)
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
    statements = REBUILD_SQL.format(where_counter=where_counter, where_rating=where_rating)
    if branches:
        statements += BRANCH_REBUILD_SQL.format(where=where_counter)
    return statements


def counters_rebuild(merchant_id: int | None = None) -> None:
    """Recompute the counters from the ratings: of one merchant under its tenant, or of all on a
    connection that spans merchants (the owner's, as migrations and the bench load do)."""
    with connection.cursor() as cursor:
        cursor.execute(rebuild_sql(merchant_id))


def bump(rating_id: int, **deltas: int) -> None:
    """Add deltas (column=±n) to the counters of the rating's branch and local day."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    unknown = set(deltas) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    names = list(deltas)
    values = ", ".join("%s" if c in deltas else "0" for c in COLUMNS)
    params = [deltas[c] for c in COLUMNS if c in deltas]

    def add(table: str) -> str:
        return ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in names)

    with connection.cursor() as cursor:
        # Day row first, then branch row, in every transaction: the same lock order everywhere.
        cursor.execute(
            f"""
            WITH source AS (
                SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date AS day
                FROM ratings_rating r JOIN merchants_merchant m ON m.id = r.merchant_id
                WHERE r.id = %s
            ), day_row AS (
                INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, {', '.join(COLUMNS)})
                SELECT merchant_id, branch_id, day, {values} FROM source
                ON CONFLICT (merchant_id, branch_id, day) DO UPDATE SET {add('ratings_ratingdaycounter')}
                RETURNING 1
            )
            INSERT INTO ratings_ratingbranchcounter (merchant_id, branch_id, {', '.join(COLUMNS)})
            SELECT merchant_id, branch_id, {values} FROM source WHERE EXISTS (SELECT FROM day_row)
            ON CONFLICT (merchant_id, branch_id) DO UPDATE SET {add('ratings_ratingbranchcounter')}
            """,
            [rating_id, *params, *params],
        )
