"""Database roles (SEC-3, TEN-4): the application owns nothing and cannot switch row-level
security off, migrations run as the owner, and cross-merchant reads use the sweeper role."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from merchants import tenancy

from .test_tenancy import TENANT_TABLES, populate, table_merchants

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_populated(make, merchant, other_merchant):
    """Rows of two merchants in every tenant table, and no merchant set (the test acts for none)."""
    populate(make, merchant)
    populate(make, other_merchant)
    tenancy.clear_tenant()
    return merchant, other_merchant


def test_the_app_connects_as_the_runtime_role_and_migrate_as_the_owner(db):
    from merchants.management.commands.migrate import Command

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
    assert settings.DATABASES["owner"]["USER"] == settings.DATABASE_OWNER_ROLE
    assert Command().create_parser("manage.py", "migrate").parse_args([]).database == "owner"


@pytest.mark.parametrize("statement", [
    "ALTER TABLE ratings_rating NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE ratings_rating DISABLE ROW LEVEL SECURITY",
    "DROP POLICY tenant_isolation ON ratings_rating",
    "CREATE POLICY everything ON ratings_rating USING (true)",
    "ALTER TABLE ratings_rating ADD COLUMN note text",
    "TRUNCATE ratings_rating CASCADE",
    "CREATE TABLE runtime_scratch (id integer)",
    "ALTER ROLE CURRENT_USER BYPASSRLS",
])
def test_runtime_role_cannot_switch_row_level_security_off_or_change_the_schema(db, statement):
    """SEC-3: connected as the application, none of these is allowed (TRUNCATE would skip the
    policies; a new table or column is the owner's job)."""
    with pytest.raises(DatabaseError, match="permission denied|must be owner|must be superuser"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_runtime_role_cannot_become_the_owner_or_the_sweeper(db):
    for role in (settings.DATABASE_OWNER_ROLE, settings.DATABASE_SWEEPER_ROLE):
        with pytest.raises(DatabaseError, match="permission denied"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'SET ROLE "{role}"')


@pytest.mark.parametrize("setting", ["app.all_merchants", "app.platform", "app.bypass_rls", "app.operator"])
@pytest.mark.parametrize("value", ["on", "true", "1"])
def test_no_setting_shows_the_rows_of_any_merchant(two_populated, setting, value):
    """SEC-3: no variable turns on a view of every merchant (the `app.all_merchants` policy is
    gone); with no merchant set, a session sees no tenant row at all."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [setting, value])
    seen = {table: table_merchants(table) for table in TENANT_TABLES}
    assert seen == {table: [] for table in TENANT_TABLES}


def test_merchant_zero_is_no_merchant(two_populated):
    with tenancy.tenant(0):
        seen = {table: table_merchants(table) for table in TENANT_TABLES}
    assert seen == {table: [] for table in TENANT_TABLES}


def test_row_security_off_is_refused_rather_than_bypassed(two_populated):
    with tenancy.tenant(two_populated[0].pk):
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL row_security = off")
                cursor.execute("SELECT id FROM ratings_rating")


def test_policies_name_only_the_current_merchant_or_the_users_own_memberships(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, policyname, qual, with_check FROM pg_policies")
        policies = cursor.fetchall()
    assert {name for _table, name, _qual, _check in policies} == {"tenant_isolation", "own_memberships"}
    assert [p for p in policies if "all_merchants" in f"{p[2]} {p[3]}"] == []


def _roles():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles"
            " WHERE rolname = ANY(%s)",
            [[settings.DATABASE_OWNER_ROLE, settings.DATABASE_APP_ROLE, settings.DATABASE_SWEEPER_ROLE]])
        return {name: flags for name, *flags in cursor.fetchall()}


def test_role_attributes(db):
    """Superuser, BYPASSRLS, CREATEDB, CREATEROLE: only the owner and the sweeper bypass
    row-level security; none may create databases or roles."""
    assert _roles() == {
        settings.DATABASE_OWNER_ROLE: [False, True, False, False],
        settings.DATABASE_APP_ROLE: [False, False, False, False],
        settings.DATABASE_SWEEPER_ROLE: [False, True, False, False],
    }


def test_the_owner_owns_everything_and_the_others_nothing(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
        relation_owners = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        table_owners = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT DISTINCT pg_get_userbyid(p.proowner) FROM pg_proc p"
                       " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'")
        function_owners = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        database_owner = cursor.fetchone()[0]
        cursor.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'")
        schema_owner = cursor.fetchone()[0]
    owner = settings.DATABASE_OWNER_ROLE
    assert relation_owners == table_owners == function_owners == {owner}
    assert database_owner == schema_owner == owner


def test_table_privileges(db):
    """The application reads and writes rows of every table, and nothing more; the sweeper
    only reads."""
    app, sweeper = settings.DATABASE_APP_ROLE, settings.DATABASE_SWEEPER_ROLE
    privileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        granted = {}
        for role in (app, sweeper):
            cursor.execute(
                "SELECT DISTINCT p FROM unnest(%s::text[]) t, unnest(%s::text[]) p"
                " WHERE has_table_privilege(%s, 'public.' || quote_ident(t), p)",
                [tables, privileges, role])
            granted[role] = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                "SELECT t FROM unnest(%s::text[]) t WHERE NOT has_table_privilege(%s, 'public.' || quote_ident(t),"
                " 'SELECT')", [tables, role])
            assert cursor.fetchall() == [], f"{role} cannot read some tables"
    assert granted == {app: {"SELECT", "INSERT", "UPDATE", "DELETE"}, sweeper: {"SELECT"}}


def _modules_naming_the_sweeper() -> set[str]:
    """The project's modules that name the sweeper's alias in code (comments aside)."""
    found = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in {".venv", ".git", "var", "tests", "migrations", "static", "docs"}]
        for file in files:
            if not file.endswith(".py"):
                continue
            path = Path(folder) / file
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (isinstance(node, ast.Constant) and node.value == "sweeper") or (
                        isinstance(node, ast.Attribute | ast.Name) and getattr(node, "attr", getattr(node, "id", ""))
                        == "SWEEPER"):
                    found.add(str(path.relative_to(ROOT)))
    return found


def test_the_sweeper_is_used_by_the_sweeps_and_the_operators_admin_only():
    """SEC-3: cross-merchant work has its own role; nothing else reaches for it."""
    assert _modules_naming_the_sweeper() == {
        "ratings_inbox/settings/base.py", "merchants/bootstrap.py",  # configure and create the role
        "merchants/platform.py",  # names its alias
        "autoreply/tasks.py", "notifications/tasks.py", "gifts/tasks.py",  # the sweeps list what is due
        "alerts/tasks.py",  # the SLA alerts and digests due (SLA-3, SLA-5)
        "bench/alerts.py",  # measures the SLA sweep's SQL as it runs, as the sweeper
        "merchants/admin.py",  # operators read every merchant's rows
    }


def test_bootstrap_hands_a_database_of_the_old_layout_over_to_the_owner(db):
    """The previous bootstrap made the application role the owner of the database and of every
    table; running bootstrap_db again hands them to the owner and leaves the application its
    rows only."""
    from merchants.bootstrap import connect, drop_database, ensure_roles_and_database

    admin, app = settings.DATABASE_ADMIN, settings.DATABASE_APP_ROLE
    name = f"{connection.settings_dict['NAME']}_old_layout"[:63]
    drop_database(name)
    conn = connect(admin, "postgres")
    conn.cursor().execute(f'CREATE DATABASE "{name}" OWNER "{app}"')
    conn.close()
    try:
        old = connect({**admin, "USER": app}, name)
        with old.cursor() as cursor:
            cursor.execute("CREATE TABLE legacy (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                           " merchant_id bigint NOT NULL, serial_no serial)")
            cursor.execute("INSERT INTO legacy (merchant_id) VALUES (1)")
        old.close()

        assert any("handed" in line for line in ensure_roles_and_database(name))

        conn = connect(admin, name)
        with conn.cursor() as cursor:
            cursor.execute("SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c"
                           " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
            assert cursor.fetchall() == [(settings.DATABASE_OWNER_ROLE,)]
            cursor.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [name])
            assert cursor.fetchone() == (settings.DATABASE_OWNER_ROLE,)
        conn.close()
        runtime = connect({**admin, "USER": app}, name)
        with runtime.cursor() as cursor:
            cursor.execute("INSERT INTO legacy (merchant_id) VALUES (2) RETURNING id")
            assert cursor.fetchone() == (2,)
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute("ALTER TABLE legacy ADD COLUMN note text")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute("CREATE TABLE another (id integer)")
        runtime.close()
        assert ensure_roles_and_database(name) == []  # idempotent
    finally:
        drop_database(name)
