"""The tenant policies read their settings once per statement instead of once per row.

merchants.rls now wraps each current_setting() in a scalar sub-select (an InitPlan); this
rewrites the policies of every table that already has them, whichever migration made them.
The platform_all policies it rewrote are gone since 0004 (merchants.rls no longer makes them).
"""

from django.db import migrations

from merchants.rls import CURRENT_MERCHANT, CURRENT_USER

PLATFORM = "(SELECT current_setting('app.all_merchants', true) = 'on')"
OLD_MERCHANT = "NULLIF(current_setting('app.merchant_id', true), '')::bigint"
OLD_USER = "NULLIF(current_setting('app.user_id', true), '')::bigint"
OLD_PLATFORM = "current_setting('app.all_merchants', true) = 'on'"


def _rewrite(merchant: str, user: str, platform: str):
    def apply(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT tablename, policyname FROM pg_policies"
                           " WHERE policyname IN ('tenant_isolation', 'platform_all')")
            for table, policy in cursor.fetchall():
                if policy == "tenant_isolation":
                    cursor.execute(f"ALTER POLICY tenant_isolation ON {table}"
                                   f" USING (merchant_id = {merchant}) WITH CHECK (merchant_id = {merchant});")
                else:
                    cursor.execute(f"ALTER POLICY platform_all ON {table} USING ({platform}) WITH CHECK ({platform});")
            cursor.execute(f"ALTER POLICY own_memberships ON merchants_membership USING (user_id = {user});")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0002_row_level_security"),
        ("ratings", "0005_rating_branch_counter_fill"),
        ("gifts", "0003_gift_kind_check_nulls"),
    ]

    operations = [
        migrations.RunPython(_rewrite(CURRENT_MERCHANT, CURRENT_USER, PLATFORM),
                             _rewrite(OLD_MERCHANT, OLD_USER, OLD_PLATFORM)),
    ]
