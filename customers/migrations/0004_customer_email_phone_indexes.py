"""Indexes for the exact e-mail and phone search of the inbox (CASE-9), built CONCURRENTLY (SCALE-4).

Measured on the bench's largest merchant (30,000 customers): `email__iexact` compiled to
UPPER(), which is not leakproof, so under row-level security no index served it and the
search filtered every customer (SQL p95 41 ms); `email = lower(q)` on this index: 0.14 ms.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0003_customer_erased_at"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="customer",
            index=models.Index(condition=models.Q(("email__isnull", False)), fields=["merchant", "email"],
                               name="customer_email"),
        ),
        AddIndexConcurrently(
            model_name="customer",
            index=models.Index(condition=models.Q(("phone__isnull", False)), fields=["merchant", "phone"],
                               name="customer_phone"),
        ),
    ]
