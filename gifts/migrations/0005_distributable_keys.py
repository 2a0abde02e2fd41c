"""Grants and points: unique with merchant_id, references by composite key only (SCALE-2).

Django's one-column foreign keys go (db_constraint=False): merchants 0002 already checks each
reference with a composite (merchant_id, x) key, the only kind a sharded table can have. A
grant's code is unique within its merchant (redemption always looks it up with the merchant);
one points entry per grant becomes UNIQUE (grant_id, merchant_id) in place of the unique on
grant_id alone that the OneToOneField made (Django still treats it as one-to-one). The new
indexes are built concurrently (SCALE-4: grants are a large table), hence non-atomic.
"""

import django.db.models.deletion
from django.db import migrations, models

from merchants.distributable import unique_concurrently


def _no_constraint(**field):
    return models.ForeignKey(db_constraint=False, **field)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("gifts", "0004_grant_recent_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="giftgrant",
            name="customer",
            field=_no_constraint(on_delete=django.db.models.deletion.PROTECT, related_name="gift_grants",
                                 to="customers.customer"),
        ),
        migrations.AlterField(
            model_name="giftgrant",
            name="gift",
            field=_no_constraint(on_delete=django.db.models.deletion.PROTECT, related_name="grants",
                                 to="gifts.gift"),
        ),
        migrations.AlterField(
            model_name="giftgrant",
            name="rating",
            field=_no_constraint(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                 related_name="gift_grants", to="ratings.rating"),
        ),
        migrations.AlterField(
            model_name="pointsentry",
            name="customer",
            field=_no_constraint(on_delete=django.db.models.deletion.CASCADE, related_name="points_entries",
                                 to="customers.customer"),
        ),
        migrations.AlterField(
            model_name="pointsentry",
            name="grant",
            field=models.OneToOneField(blank=True, db_constraint=False, null=True,
                                       on_delete=django.db.models.deletion.PROTECT, related_name="points_entry",
                                       to="gifts.giftgrant"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="pointsentry",
                    constraint=models.UniqueConstraint(fields=("grant", "merchant"), name="points_entry_one_per_grant"),
                ),
                migrations.AddConstraint(
                    model_name="giftgrant",
                    constraint=models.UniqueConstraint(fields=("code", "merchant"), name="grant_code_unique"),
                ),
            ],
            database_operations=[
                unique_concurrently("gifts_pointsentry", "points_entry_one_per_grant", ["grant_id", "merchant_id"],
                                    old_name="gifts_pointsentry_grant_id_key", old_columns=["grant_id"]),
                unique_concurrently("gifts_giftgrant", "grant_code_unique", ["code", "merchant_id"]),
            ],
        ),
        # After the new unique is in place: Django drops the one on code alone (and its _like index).
        migrations.AlterField(
            model_name="giftgrant",
            name="code",
            field=models.CharField(max_length=16, verbose_name="code"),
        ),
    ]
