"""All-time counters per branch from the day counters already there (ratings.counters).

A migration of its own, like 0003: rows inserted in 0004 would leave deferred foreign key
events pending when its constraints are created. Platform-wide work: app.all_merchants on.
"""

from django.db import migrations

from ratings.counters import BRANCH_REBUILD_SQL


class Migration(migrations.Migration):

    dependencies = [
        ("ratings", "0004_rating_branch_counter"),
    ]

    operations = [
        migrations.RunSQL("SET LOCAL app.all_merchants = 'on';" + BRANCH_REBUILD_SQL.format(where=""),
                          migrations.RunSQL.noop),
    ]
