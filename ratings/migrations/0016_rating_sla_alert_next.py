"""The index the SLA-3 sweep reads: each pending case at its next alert moment.

Built CONCURRENTLY, outside a transaction, so that ratings keep arriving (SCALE-4).
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ratings", "0015_rating_sla_alerted"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="rating",
            index=models.Index(
                models.Case(models.When(sla_alerted=0, then=models.F("at_risk_at")), default=models.F("due_at")),
                condition=models.Q(("first_response_at__isnull", True), ("sla_alerted__lt", 2),
                                   ("status__in", ("new", "open", "escalated"))),
                name="rating_sla_alert_next",
            ),
        ),
    ]
