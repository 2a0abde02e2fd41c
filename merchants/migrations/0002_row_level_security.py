"""Row-level security on every tenant table, and foreign keys that cannot cross merchants.

TEN-1/TEN-4: each tenant table gets the policies of merchants.rls; each parent gets a
UNIQUE (merchant_id, id) and each child a composite foreign key to it, so a row can only
point at a row of its own merchant. A rating's customer and branch must be its visit's.
"""

from django.db import migrations

from merchants.migrations._tables import TENANT_TABLES
from merchants.rls import EnableRowLevelSecurity, parent_key_sql, same_merchant_fk_sql


PARENTS = [
    "merchants_branch",
    "merchants_membership",
    "customers_customer",
    "customers_visit",
    "ratings_rating",
    "ratings_message",
    "gifts_gift",
    "gifts_giftgrant",
]

SAME_MERCHANT_FKS = [
    ("merchants_membershipbranch", "membership_id", "merchants_membership"),
    ("merchants_membershipbranch", "branch_id", "merchants_branch"),
    ("customers_customernametoken", "customer_id", "customers_customer"),
    ("customers_visit", "branch_id", "merchants_branch"),
    ("customers_visit", "customer_id", "customers_customer"),
    ("customers_invoiceline", "visit_id", "customers_visit"),
    ("ratings_rating", "visit_id", "customers_visit"),
    ("ratings_rating", "customer_id", "customers_customer"),
    ("ratings_rating", "branch_id", "merchants_branch"),
    ("ratings_message", "rating_id", "ratings_rating"),
    ("ratings_message", "gift_grant_id", "gifts_giftgrant"),
    ("gifts_giftgrant", "gift_id", "gifts_gift"),
    ("gifts_giftgrant", "customer_id", "customers_customer"),
    ("gifts_giftgrant", "rating_id", "ratings_rating"),
    ("gifts_pointsentry", "customer_id", "customers_customer"),
    ("gifts_pointsentry", "grant_id", "gifts_giftgrant"),
    ("notifications_outgoingemail", "customer_id", "customers_customer"),
    ("notifications_outgoingemail", "rating_id", "ratings_rating"),
    ("notifications_outgoingemail", "message_id", "ratings_message"),
]

OWN_MEMBERSHIPS = """
    CREATE POLICY own_memberships ON merchants_membership FOR SELECT
        USING (user_id = NULLIF(current_setting('app.user_id', true), '')::bigint);
"""

RATING_MATCHES_VISIT = (
    "ALTER TABLE customers_visit ADD CONSTRAINT customers_visit_id_customer_branch_key"
    " UNIQUE (id, customer_id, branch_id);"
    "ALTER TABLE ratings_rating ADD CONSTRAINT ratings_rating_matches_visit FOREIGN KEY"
    " (visit_id, customer_id, branch_id) REFERENCES customers_visit (id, customer_id, branch_id)"
    " DEFERRABLE INITIALLY DEFERRED;",
    "ALTER TABLE ratings_rating DROP CONSTRAINT IF EXISTS ratings_rating_matches_visit;"
    "ALTER TABLE customers_visit DROP CONSTRAINT IF EXISTS customers_visit_id_customer_branch_key;",
)


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0001_initial"),
        ("customers", "0001_initial"),
        ("ratings", "0001_initial"),
        ("gifts", "0002_initial"),
        ("autoreply", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        *[migrations.RunSQL(*parent_key_sql(table)) for table in PARENTS],
        *[migrations.RunSQL(*same_merchant_fk_sql(*fk)) for fk in SAME_MERCHANT_FKS],
        migrations.RunSQL(*RATING_MATCHES_VISIT),
        EnableRowLevelSecurity(*TENANT_TABLES),
        migrations.RunSQL(OWN_MEMBERSHIPS, "DROP POLICY IF EXISTS own_memberships ON merchants_membership;"),
    ]
