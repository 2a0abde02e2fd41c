"""Outgoing e-mail: unique with merchant_id, references by composite key only (SCALE-2).

Django's one-column foreign keys go (db_constraint=False): merchants 0002 already checks each
reference with a composite (merchant_id, x) key, the only kind a sharded table can have. The
Message-ID and the one auto-reply per rating become unique within the merchant (a rating and
its e-mails are the same merchant's); indexes built concurrently, hence non-atomic (SCALE-4).
"""

import django.db.models.deletion
from django.db import migrations, models

from merchants.distributable import unique_concurrently


def _no_constraint(**field):
    return models.ForeignKey(db_constraint=False, **field)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0001_initial"),
        ("merchants", "0002_row_level_security"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outgoingemail",
            name="customer",
            field=_no_constraint(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                 to="customers.customer"),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="message",
            field=_no_constraint(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                 related_name="+", to="ratings.message"),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="rating",
            field=_no_constraint(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                 related_name="+", to="ratings.rating"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="outgoingemail", name="one_auto_reply_per_rating"),
                migrations.AddConstraint(
                    model_name="outgoingemail",
                    constraint=models.UniqueConstraint(condition=models.Q(("kind", "auto_reply")),
                                                       fields=("rating", "merchant"), name="one_auto_reply_per_rating"),
                ),
                migrations.AddConstraint(
                    model_name="outgoingemail",
                    constraint=models.UniqueConstraint(fields=("header_message_id", "merchant"),
                                                       name="outgoing_message_id_unique"),
                ),
            ],
            database_operations=[
                unique_concurrently("notifications_outgoingemail", "one_auto_reply_per_rating",
                                    ["rating_id", "merchant_id"], old_name="one_auto_reply_per_rating",
                                    old_columns=["rating_id"], where="kind = 'auto_reply'"),
                unique_concurrently("notifications_outgoingemail", "outgoing_message_id_unique",
                                    ["header_message_id", "merchant_id"]),
            ],
        ),
        # After the new unique is in place: Django drops the one on the Message-ID alone.
        migrations.AlterField(
            model_name="outgoingemail",
            name="header_message_id",
            field=models.CharField(help_text="Message-ID, fixed when recorded.", max_length=200),
        ),
    ]
