"""Creates the database roles and the database with the DATABASE_URL connection (SEC-3, TEN-4).

Three roles, none a superuser (row-level security applies neither to superusers nor to roles
with BYPASSRLS):
- the owner (DATABASE_OWNER_ROLE) owns the database, the schema and every table; migrations
  run as it. BYPASSRLS: FORCE row-level security applies to table owners too, and data
  migrations span merchants.
- the application (DATABASE_APP_ROLE) owns nothing and may only SELECT, INSERT, UPDATE and
  DELETE rows (granted by the owner's default privileges, so new tables get them), under
  row-level security: it can neither ALTER a table nor switch its policies off.
- the sweeper (DATABASE_SWEEPER_ROLE) may only SELECT, bypassing row-level security: the
  sweeps list what is due across merchants with it, then act per merchant as the application.

A database made by the previous bootstrap, where the application role owned everything, is
handed over to the owner. Idempotent: safe at every start.
"""

from __future__ import annotations

import psycopg2
from django.conf import settings
from psycopg2 import sql

ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def connect(params: dict, dbname: str):
    """An autocommit driver connection with `params` (USER, PASSWORD, HOST, PORT as in DATABASES)."""
    conn = psycopg2.connect(
        dbname=dbname, user=params["USER"] or None, password=params["PASSWORD"] or None,
        host=params["HOST"] or None, port=params["PORT"] or None, connect_timeout=10,
    )
    conn.autocommit = True
    return conn


def _roles() -> dict[str, str]:
    return {"owner": settings.DATABASE_OWNER_ROLE, "app": settings.DATABASE_APP_ROLE,
            "sweeper": settings.DATABASE_SWEEPER_ROLE}


def _ensure_role(cur, role: str, attributes: str, password: str | None) -> bool:
    """Creates the role, or resets its attributes; True when it was created."""
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    created = cur.fetchone() is None
    verb = "CREATE" if created else "ALTER"
    cur.execute(sql.SQL(f"{verb} ROLE {{}} LOGIN NOSUPERUSER NOCREATEROLE {attributes} PASSWORD {{}}").format(
        sql.Identifier(role), sql.Literal(password)))
    return created


def ensure_roles_and_database(name: str | None = None) -> list[str]:
    """The three roles and the database `name` (the settings' by default), owned and granted as
    described above. Returns what it did, one line each, for the command's output."""
    admin = settings.DATABASE_ADMIN
    roles = _roles()
    name = name or admin["NAME"]
    password = admin["PASSWORD"] or None
    done = []
    conn = connect(admin, "postgres")
    with conn.cursor() as cur:
        for kind, attributes in (("owner", "BYPASSRLS NOCREATEDB"), ("app", "NOBYPASSRLS NOCREATEDB"),
                                 ("sweeper", "BYPASSRLS NOCREATEDB")):
            if _ensure_role(cur, roles[kind], attributes, password):
                done.append(f"created role {roles[kind]}")
        # Every query of the app reads a page of rows: starting parallel workers costs more
        # than the query (a name search was several times slower with them).
        cur.execute(sql.SQL("ALTER ROLE {} SET max_parallel_workers_per_gather = 0").format(
            sql.Identifier(roles["app"])))
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(roles["owner"])))
            done.append(f"created database {name}")
        else:
            cur.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(name), sql.Identifier(roles["owner"])))
    conn.close()
    conn = connect(admin, name)
    with conn.cursor() as cur:
        done += _hand_over_to_owner(cur, roles["owner"], [roles["app"], roles["sweeper"]])
        _grant(cur, name, roles)
    conn.close()
    return done


def _hand_over_to_owner(cur, owner: str, others: list[str]) -> list[str]:
    """Tables (with their sequences and indexes), views and loose sequences of the schema that
    another role owns (the application role did, before it had an owner) pass to the owner.

    Object by object: REASSIGN OWNED would also hand over other databases that role owns.
    """
    cur.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = ANY(%s)"
        " AND (c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        "      OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid"
        "          AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))))"
        " ORDER BY c.relkind DESC, c.relname",
        [others],
    )
    moved = cur.fetchall()
    for relname, relkind in moved:
        kind = "SEQUENCE" if relkind == "S" else "TABLE"
        cur.execute(sql.SQL(f"ALTER {kind} {{}} OWNER TO {{}}").format(
            sql.Identifier(relname), sql.Identifier(owner)))
    cur.execute("SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = ANY(%s)", [others])
    functions = [row[0] for row in cur.fetchall()]
    for signature in functions:
        cur.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), sql.Identifier(owner)))
    cur.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
    return [f"handed {len(moved) + len(functions)} objects over to {owner}"] if moved or functions else []


def _grant(cur, name: str, roles: dict[str, str]) -> None:
    owner, app, sweeper = (sql.Identifier(roles[k]) for k in ("owner", "app", "sweeper"))
    database = sql.Identifier(name)
    statements = [
        # Whatever an earlier bootstrap granted (ALL on the database and the schema) goes first.
        "REVOKE ALL ON DATABASE {database} FROM {app}, {sweeper}",
        "GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}, {sweeper}",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC, {app}, {sweeper}",
        "GRANT USAGE ON SCHEMA public TO {app}, {sweeper}",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}, {sweeper}",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app}, {sweeper}",
        "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {app}, {sweeper}",
        f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {{app}}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {app}",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {sweeper}",
        # Tables the owner's migrations create later get the same privileges.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {{owner}} IN SCHEMA public GRANT {ROW_PRIVILEGES} ON TABLES TO {{app}}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT ON TABLES TO {sweeper}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {app}",
    ]
    for statement in statements:
        cur.execute(sql.SQL(statement).format(database=database, owner=owner, app=app, sweeper=sweeper))


def drop_database(name: str) -> None:
    """For the test run's own database: dropped with the DATABASE_URL connection."""
    conn = connect(settings.DATABASE_ADMIN, "postgres")
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()
