"""How far each case's SLA alerts have gone (SLA-3).

The column arrives with its default (done) without rewriting the table; then the cases in
progress whose moments are still to come (a few thousand, by rating_unanswered_due) get the stage
they have reached, so that deploying alerts sends nothing about the past and misses nothing ahead.
"""

from django.db import migrations, models

STAGE_NOW = """
    UPDATE ratings_rating SET sla_alerted = CASE WHEN at_risk_at <= now() THEN 1 ELSE 0 END
     WHERE status IN ('new', 'open', 'escalated') AND first_response_at IS NULL AND due_at > now()
"""


class Migration(migrations.Migration):

    dependencies = [
        ("ratings", "0014_unread_comments_of_user"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="sla_alerted",
            field=models.SmallIntegerField(choices=[(0, "nothing yet"), (1, "at risk"), (2, "breached")],
                                           db_default=2, default=2),
        ),
        migrations.RunSQL(STAGE_NOW, migrations.RunSQL.noop),
    ]
