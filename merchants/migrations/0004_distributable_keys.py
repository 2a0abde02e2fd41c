"""Members' branch links and API keys: unique with merchant_id, references by composite key only (SCALE-2).

The one-column foreign keys Django made beside the composite (merchant_id, x) ones of 0002 are
dropped (db_constraint=False): a sharded table cannot have them, and the composite key already
checks that the row exists and is the merchant's. Small tables, but the unique indexes are built
concurrently like everywhere else (merchants.distributable), hence non-atomic.
"""

import django.db.models.deletion
from django.db import migrations, models

from merchants.distributable import unique_concurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("merchants", "0003_rls_settings_once_per_statement"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membershipbranch",
            name="branch",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="merchants.branch"),
        ),
        migrations.AlterField(
            model_name="membershipbranch",
            name="membership",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="branch_links", to="merchants.membership"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="membershipbranch", name="membership_branch_unique"),
                migrations.AddConstraint(
                    model_name="membershipbranch",
                    constraint=models.UniqueConstraint(fields=("membership", "branch", "merchant"),
                                                       name="membership_branch_unique"),
                ),
            ],
            database_operations=[
                unique_concurrently("merchants_membershipbranch", "membership_branch_unique",
                                    ["membership_id", "branch_id", "merchant_id"],
                                    old_name="membership_branch_unique", old_columns=["membership_id", "branch_id"]),
            ],
        ),
        # The new unique first, then Django drops the one-column unique (and its _like index).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="apikey",
                    constraint=models.UniqueConstraint(fields=("prefix", "merchant"), name="api_key_prefix_unique"),
                ),
                migrations.AddConstraint(
                    model_name="apikey",
                    constraint=models.UniqueConstraint(fields=("key_hash", "merchant"), name="api_key_hash_unique"),
                ),
            ],
            database_operations=[
                unique_concurrently("merchants_apikey", "api_key_prefix_unique", ["prefix", "merchant_id"]),
                unique_concurrently("merchants_apikey", "api_key_hash_unique", ["key_hash", "merchant_id"]),
            ],
        ),
        migrations.AlterField(
            model_name="apikey",
            name="key_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="apikey",
            name="prefix",
            field=models.CharField(max_length=12),
        ),
    ]
