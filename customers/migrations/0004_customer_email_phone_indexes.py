"""Indexes for the exact e-mail and phone search of the inbox (CASE-9), built CONCURRENTLY (SCALE-4).

`email__iexact` compiles to UPPER(), which is not leakproof, so under row-level security no
index served it and the search filtered every customer of the merchant; `email = lower(q)`
is an index lookup on these.
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
