"""Two indexes for the case views, measured at 1,000,000 ratings (docs/bench, issue 14).

- rating_case_counts: the ratings in progress (waiting for a reply or with an open case) in
  the inbox order, with what the case counts read: the summary counts them from the index
  alone, Unassigned and sla=breached walk it.
- rating_unanswered_due: the open cases without a first response by due time: sla=at_risk is
  a range of it, and so is the summary's overdue count (index-only, with dates and branch).

Built CONCURRENTLY, outside a transaction, so that ratings keep arriving (SCALE-4).
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ratings", "0011_distributable_keys"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("needs_reply", True), ("status__in", ["new", "open", "escalated"]),
                                   _connector="OR"),
                fields=["merchant", "-created_at", "-id"],
                include=["branch", "status", "needs_reply", "owner", "first_response_at", "due_at"],
                name="rating_case_counts",
            ),
        ),
        AddIndexConcurrently(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("first_response_at__isnull", True), ("status__in", ["new", "open", "escalated"])),
                fields=["merchant", "due_at"],
                include=["created_at", "branch"],
                name="rating_unanswered_due",
            ),
        ),
    ]
