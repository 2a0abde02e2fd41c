"""Counters of the ratings already there (ratings.counters), after 0002 created the table.

A migration of its own: 0002's foreign keys are created at its end, which PostgreSQL
refuses on a table with pending (deferred) trigger events from rows inserted before.
Row-level security: this is platform-wide work, so app.all_merchants is on for it.
The SQL is the counters' as they were then (ratings.counters has more columns since): a
migration must not run today's code against yesterday's schema.
"""

from django.db import migrations

DAY_COUNTERS_SQL = """
    DELETE FROM ratings_ratingdaycounter;
    INSERT INTO ratings_ratingdaycounter (merchant_id, branch_id, day, total_ratings, comments_received,
        replies_sent, unread_comments, promoters, passives, detractors)
    SELECT r.merchant_id, r.branch_id, (r.created_at AT TIME ZONE m.timezone)::date,
           count(*), count(r.comment), COALESCE(sum(r.replies_count), 0),
           count(*) FILTER (WHERE r.comment IS NOT NULL AND NOT r.is_read),
           count(*) FILTER (WHERE r.score >= 9), count(*) FILTER (WHERE r.score BETWEEN 7 AND 8),
           count(*) FILTER (WHERE r.score <= 6)
    FROM ratings_rating r JOIN merchants_merchant m ON m.id = r.merchant_id
    GROUP BY 1, 2, 3;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("ratings", "0002_rating_day_counter"),
    ]

    operations = [
        migrations.RunSQL("SET LOCAL app.all_merchants = 'on';" + DAY_COUNTERS_SQL,
                          migrations.RunSQL.noop),
    ]
