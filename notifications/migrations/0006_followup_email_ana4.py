"""The follow-up request e-mail (ANA-4): a kind of its own, at most one per rating, decided by
the database (one_followup_per_rating). Its unique index is built concurrently on the outbox,
hence non-atomic (SCALE-4)."""

from django.db import migrations, models

from merchants.distributable import unique_concurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('notifications', '0005_outgoing_by_rating_message'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outgoingemail',
            name='kind',
            field=models.CharField(choices=[('auto_reply', 'Auto-reply'), ('staff_reply', 'Staff reply'), ('gift', 'Gift notice'), ('followup', 'Follow-up request'), ('assigned', 'Case assigned'), ('escalated', 'Case escalated'), ('new_detractor', 'New detractor'), ('sla_at_risk', 'Response target at risk'), ('sla_breached', 'Response target breached'), ('digest', 'Daily digest')], max_length=16),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name='outgoingemail',
                    constraint=models.UniqueConstraint(condition=models.Q(('kind', 'followup')),
                                                       fields=('rating', 'merchant'), name='one_followup_per_rating'),
                ),
            ],
            database_operations=[
                unique_concurrently("notifications_outgoingemail", "one_followup_per_rating",
                                    ["rating_id", "merchant_id"], where="kind = 'followup'"),
            ],
        ),
    ]
