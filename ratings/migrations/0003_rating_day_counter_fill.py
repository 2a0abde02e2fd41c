"""Counters of the ratings already there (ratings.counters), after 0002 created the table.

A migration of its own: 0002's foreign keys are created at its end, which PostgreSQL
refuses on a table with pending (deferred) trigger events from rows inserted before.
Row-level security: this is platform-wide work, so app.all_merchants is on for it.
"""

from django.db import migrations

from ratings.counters import rebuild_sql


class Migration(migrations.Migration):

    dependencies = [
        ("ratings", "0002_rating_day_counter"),
    ]

    operations = [
        migrations.RunSQL("SET LOCAL app.all_merchants = 'on';" + rebuild_sql(branches=False),
                          migrations.RunSQL.noop),
    ]
