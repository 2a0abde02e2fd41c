"""PRIMARY KEY (id, merchant_id) on every tenant table (SCALE-2, TEN-1), without long locks (SCALE-4).

After the per-app 00NN_distributable_keys migrations every unique includes merchant_id and
every reference between tenant tables is a composite key; what is left:

1. A rating's customer and branch must be its visit's: that key becomes
   (merchant_id, visit_id, customer_id, branch_id) -> customers_visit, on a new
   UNIQUE (id, customer_id, branch_id, merchant_id) built concurrently.
2. For each tenant table (those of the models with merchant_id, in this migration's state): a
   unique index on (id, merchant_id) is built CONCURRENTLY; then, in one transaction with a
   lock timeout, the composite keys pointing at the table are dropped, the primary key is
   replaced USING that index, the former UNIQUE (merchant_id, id) is dropped and the keys
   are added back NOT VALID; afterwards each key is validated in a statement of its own.

id stays first in the key (merchants.distributable.TENANT_PRIMARY_KEY says why): every lookup by
id keeps its index; the composite keys reference (merchant_id, id), which matches it.

The lock: replacing a primary key takes ACCESS EXCLUSIVE on the table (and SHARE ROW
EXCLUSIVE on the tables whose keys point at it), but USING INDEX makes it a catalog change:
no scan, no index build under the lock, milliseconds per table. The lock timeout gives up
instead of queueing every query behind a long-running one; the steps are resumable, so the
migration is simply run again. Ids stay globally unique in practice (one sequence per table);
Django keeps `id` as the model's primary key, which only needs the column.

A migration that creates a tenant model later ends with merchants.distributable.TenantPrimaryKeys().
"""

from django.db import migrations

from merchants.distributable import TenantPrimaryKeys, replace_foreign_key, unique_concurrently

VISIT_KEY = "customers_visit_merchant_customer_branch_key"
OLD_VISIT_KEY = "customers_visit_id_customer_branch_key"
RATING_MATCHES_VISIT = "ratings_rating_matches_visit"


def rating_matches_visit_with_merchant(apps, schema_editor):
    replace_foreign_key(
        schema_editor.connection, "ratings_rating", RATING_MATCHES_VISIT,
        "FOREIGN KEY (merchant_id, visit_id, customer_id, branch_id)"
        " REFERENCES customers_visit (merchant_id, id, customer_id, branch_id) DEFERRABLE INITIALLY DEFERRED",
        drop_after=f"ALTER TABLE customers_visit DROP CONSTRAINT {OLD_VISIT_KEY}",
    )


def rating_matches_visit_without_merchant(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_VISIT_KEY}_new")
        cursor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {OLD_VISIT_KEY}_new"
                       " ON customers_visit (id, customer_id, branch_id)")
        cursor.execute(f"ALTER TABLE customers_visit ADD CONSTRAINT {OLD_VISIT_KEY} UNIQUE USING INDEX"
                       f" {OLD_VISIT_KEY}_new")
    replace_foreign_key(
        connection, "ratings_rating", RATING_MATCHES_VISIT,
        "FOREIGN KEY (visit_id, customer_id, branch_id)"
        " REFERENCES customers_visit (id, customer_id, branch_id) DEFERRABLE INITIALLY DEFERRED",
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("merchants", "0004_distributable_keys"),
        ("customers", "0002_distributable_keys"),
        ("ratings", "0011_distributable_keys"),
        ("gifts", "0005_distributable_keys"),
        ("notifications", "0002_distributable_keys"),
        ("autoreply", "0001_initial"),
    ]

    operations = [
        unique_concurrently("customers_visit", VISIT_KEY, ["id", "customer_id", "branch_id", "merchant_id"]),
        migrations.RunPython(rating_matches_visit_with_merchant, rating_matches_visit_without_merchant,
                             atomic=False),
        TenantPrimaryKeys(),
    ]
