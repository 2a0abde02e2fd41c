"""Ratings and messages: unique with merchant_id, references by composite key only (SCALE-2).

Django's one-column foreign keys go (db_constraint=False): merchants 0002 (and 0002, 0004 and
0009 here, for the counters and case events) already check each reference with a composite (merchant_id, x) key, the
only kind a sharded table can have. One rating per visit becomes UNIQUE (visit_id, merchant_id)
(visit_id first, as the index it replaces: joins from a visit keep it), built concurrently on
this large table (SCALE-4), and replaces the unique on visit_id alone that the OneToOneField
made; Django keeps treating the field as one-to-one (see Rating.visit). Non-atomic for the
concurrent build (merchants.distributable).
"""

import django.db.models.deletion
from django.db import migrations, models

from merchants.distributable import unique_concurrently


def _no_constraint(**field):
    return models.ForeignKey(db_constraint=False, **field)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ratings", "0010_case_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="rating",
            field=_no_constraint(on_delete=django.db.models.deletion.CASCADE, related_name="case_events",
                                 to="ratings.rating"),
        ),
        migrations.AlterField(
            model_name="message",
            name="gift_grant",
            field=_no_constraint(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                 related_name="messages", to="gifts.giftgrant"),
        ),
        migrations.AlterField(
            model_name="message",
            name="rating",
            field=_no_constraint(on_delete=django.db.models.deletion.CASCADE, related_name="messages",
                                 to="ratings.rating"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="branch",
            field=_no_constraint(on_delete=django.db.models.deletion.PROTECT, related_name="ratings",
                                 to="merchants.branch"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="customer",
            field=_no_constraint(on_delete=django.db.models.deletion.PROTECT, related_name="ratings",
                                 to="customers.customer"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="visit",
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="rating", to="customers.visit"),
        ),
        migrations.AlterField(
            model_name="ratingbranchcounter",
            name="branch",
            field=_no_constraint(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                 to="merchants.branch"),
        ),
        migrations.AlterField(
            model_name="ratingdaycounter",
            name="branch",
            field=_no_constraint(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                 to="merchants.branch"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="rating",
                    constraint=models.UniqueConstraint(fields=("visit", "merchant"), name="rating_one_per_visit"),
                ),
            ],
            database_operations=[
                unique_concurrently("ratings_rating", "rating_one_per_visit", ["visit_id", "merchant_id"],
                                    old_name="ratings_rating_visit_id_key", old_columns=["visit_id"]),
            ],
        ),
    ]
