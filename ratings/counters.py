"""The per branch and day summary counters (RatingDayCounter) kept by ratings.services.

bump() adds deltas to the counters of one rating's branch and day (its created_at in the
merchant's time zone) with one upsert; the row's branch and day are read from the rating
itself in the same statement. rebuild_sql recomputes every counter from the ratings (the
migration that creates the table and the bench loader use it).
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


def rebuild_sql(merchant_id: int | None = None) -> str:
    if merchant_id is None:
        return REBUILD_SQL.format(where_counter="", where_rating="")
    merchant_id = int(merchant_id)
    return REBUILD_SQL.format(where_counter=f"WHERE merchant_id = {merchant_id}",
                              where_rating=f"WHERE r.merchant_id = {merchant_id}")


def counters_rebuild(merchant_id: int | None = None) -> None:
    """Recompute the counters (of one merchant, or all under all_merchants()) from the ratings."""
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
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, {', '.join(COLUMNS)})
            SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date,
                   {', '.join('%s' if c in deltas else '0' for c in COLUMNS)}
            FROM ratings_rating r JOIN merchants_merchant m ON m.id = r.merchant_id
            WHERE r.id = %s
            ON CONFLICT (merchant_id, branch_id, day) DO UPDATE SET
                {', '.join(f'{c} = ratings_ratingdaycounter.{c} + EXCLUDED.{c}' for c in names)}
            """,
            [deltas[c] for c in COLUMNS if c in deltas] + [rating_id],
        )
