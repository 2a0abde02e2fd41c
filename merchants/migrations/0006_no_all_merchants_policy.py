"""No setting shows every merchant's rows any more (SEC-3, TEN-4).

The platform_all policies let any session that set `app.all_merchants` read and write every
merchant's rows; they are dropped from every table. Work that spans merchants now connects as
a role with BYPASSRLS (merchants.bootstrap): migrations as the owner, the sweeps' listings as
the read-only sweeper.

An integration key names no merchant until it is found, and the key of another merchant must
answer 404, not 401 (API.md): merchants_apikey_by_prefix() is the one cross-merchant read the
application role may make, the key with that prefix, run with its owner's rights.
"""

from django.db import migrations

PLATFORM = "(SELECT current_setting('app.all_merchants', true) = 'on')"

API_KEY_BY_PREFIX = """
    CREATE OR REPLACE FUNCTION merchants_apikey_by_prefix(key_prefix text) RETURNS SETOF merchants_apikey
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$ SELECT * FROM public.merchants_apikey WHERE prefix = key_prefix $$;
    REVOKE ALL ON FUNCTION merchants_apikey_by_prefix(text) FROM PUBLIC;
"""


def drop_platform_policies(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'platform_all'")
        for (table,) in cursor.fetchall():
            cursor.execute(f"DROP POLICY platform_all ON {table}")


def create_platform_policies(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'")
        for (table,) in cursor.fetchall():
            cursor.execute(f"CREATE POLICY platform_all ON {table} USING ({PLATFORM}) WITH CHECK ({PLATFORM})")


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0005_distributable_primary_keys"),  # after every app's tables and policies
    ]

    operations = [
        migrations.RunPython(drop_platform_policies, create_platform_policies),
        migrations.RunSQL(API_KEY_BY_PREFIX, "DROP FUNCTION IF EXISTS merchants_apikey_by_prefix(text);"),
    ]
