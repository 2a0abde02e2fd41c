"""All-time counters per branch from the day counters already there (ratings.counters).

A migration of its own, like 0003: rows inserted in 0004 would leave deferred foreign key
events pending when its constraints are created. Platform-wide work: app.all_merchants on.
The SQL is the counters' as they were then, like 0003's.
"""

from django.db import migrations

COLUMNS = "total_ratings, comments_received, replies_sent, unread_comments, promoters, passives, detractors"
BRANCH_COUNTERS_SQL = f"""
    DELETE FROM ratings_ratingbranchcounter;
    INSERT INTO ratings_ratingbranchcounter (merchant_id, branch_id, {COLUMNS})
    SELECT merchant_id, branch_id, sum(total_ratings), sum(comments_received), sum(replies_sent),
           sum(unread_comments), sum(promoters), sum(passives), sum(detractors)
    FROM ratings_ratingdaycounter
    GROUP BY 1, 2;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("ratings", "0004_rating_branch_counter"),
    ]

    operations = [
        migrations.RunSQL("SET LOCAL app.all_merchants = 'on';" + BRANCH_COUNTERS_SQL,
                          migrations.RunSQL.noop),
    ]
