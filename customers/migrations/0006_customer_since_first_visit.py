"""DET-3 "Cliente desde" is never later than the customer's first visit (issue 17): customers
recorded before their history was imported kept the moment of the import. New visits move it back
as they arrive (customers.services); this fixes the rows already stored, one merchant per
transaction (SCALE-4), reading the visit_customer_recent index."""

from django.db import migrations, transaction


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM merchants_merchant ORDER BY id")
        merchants = [row[0] for row in cursor.fetchall()]
    for merchant in merchants:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.merchant_id', %s, true)", [str(merchant)])
            cursor.execute(
                """
                UPDATE customers_customer c SET created_at = first.visited_at
                FROM (SELECT customer_id, min(visited_at) AS visited_at FROM customers_visit
                      WHERE merchant_id = %s GROUP BY customer_id) first
                WHERE c.merchant_id = %s AND c.id = first.customer_id AND c.created_at > first.visited_at
                """,
                [merchant, merchant],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0005_analytics_rollups"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
