"""Customers and visits: unique with merchant_id, references by composite key only (SCALE-2).

Django's one-column foreign keys go (db_constraint=False): merchants 0002 already checks each
reference with a composite (merchant_id, x) key, the only kind a sharded table can have. The two
uniques gain merchant_id (last, so every lookup the old index served keeps it); their indexes are built concurrently (SCALE-4: visits and name tokens
are large tables), so the migration is non-atomic (merchants.distributable).
"""

import django.db.models.deletion
from django.db import migrations, models

from merchants.distributable import unique_concurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0001_initial"),
        ("merchants", "0002_row_level_security"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customernametoken",
            name="customer",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="name_tokens", to="customers.customer"),
        ),
        migrations.AlterField(
            model_name="invoiceline",
            name="visit",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="lines", to="customers.visit"),
        ),
        migrations.AlterField(
            model_name="visit",
            name="branch",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="visits", to="merchants.branch"),
        ),
        migrations.AlterField(
            model_name="visit",
            name="customer",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="visits", to="customers.customer"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="customernametoken", name="customer_token_unique"),
                migrations.AddConstraint(
                    model_name="customernametoken",
                    constraint=models.UniqueConstraint(fields=("customer", "token", "merchant"),
                                                       name="customer_token_unique"),
                ),
                migrations.RemoveConstraint(model_name="visit", name="visit_invoice_unique"),
                migrations.AddConstraint(
                    model_name="visit",
                    constraint=models.UniqueConstraint(fields=("branch", "invoice_number", "merchant"),
                                                       name="visit_invoice_unique"),
                ),
            ],
            database_operations=[
                unique_concurrently("customers_customernametoken", "customer_token_unique",
                                    ["customer_id", "token", "merchant_id"],
                                    old_name="customer_token_unique", old_columns=["customer_id", "token"]),
                unique_concurrently("customers_visit", "visit_invoice_unique",
                                    ["branch_id", "invoice_number", "merchant_id"],
                                    old_name="visit_invoice_unique", old_columns=["branch_id", "invoice_number"]),
            ],
        ),
    ]
