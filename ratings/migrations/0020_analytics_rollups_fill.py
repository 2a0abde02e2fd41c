"""Fills the analytics rollups of 0014, 0015 and customers 0005 from the ratings, visits and grants,
one merchant per transaction (SCALE-4), as 0013 filled the case views' counters."""

from django.db import migrations, transaction

from ratings.counters import rebuild_sql


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM merchants_merchant ORDER BY id")
        merchants = [row[0] for row in cursor.fetchall()]
    for merchant in merchants:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.merchant_id', %s, true)", [str(merchant)])
            cursor.execute(rebuild_sql(merchant))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('customers', '0005_analytics_rollups'),
        ('gifts', '0006_gift_cost'),
        ('ratings', '0019_period_counters'),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
