"""Row-level security for tenant tables (TEN-4), applied by migrations.

One policy per table: rows of the merchant in `app.merchant_id`, nothing else; no setting
turns on a view of every merchant (SEC-3). FORCE makes it apply to the table owner too. Work
that spans merchants connects as a role with BYPASSRLS instead: migrations as the owner, the
sweeps' listings as the read-only sweeper (merchants.bootstrap).

Each setting is read in a scalar sub-select, which PostgreSQL runs once per statement (an
InitPlan) and then compares as a parameter. Written bare, current_setting() and the text
to bigint cast ran for every row the query touched, so a search that probes a few hundred
rows took twice as long under the policies as without them (EXPLAIN ANALYZE on the bench
data); with the sub-selects the two are the same.
"""

from django.db import migrations

CURRENT_MERCHANT = "(SELECT NULLIF(current_setting('app.merchant_id', true), '')::bigint)"
CURRENT_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::bigint)"


def enable_sql(table: str) -> str:
    return f"""
        ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
        DROP POLICY IF EXISTS tenant_isolation ON {table};
        CREATE POLICY tenant_isolation ON {table}
            USING (merchant_id = {CURRENT_MERCHANT}) WITH CHECK (merchant_id = {CURRENT_MERCHANT});
    """


def disable_sql(table: str) -> str:
    return f"""
        DROP POLICY IF EXISTS tenant_isolation ON {table};
        ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
        ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;
    """


def EnableRowLevelSecurity(*tables: str):  # noqa: N802 - reads like a migration operation
    return migrations.RunSQL(
        "".join(enable_sql(t) for t in tables), "".join(disable_sql(t) for t in tables)
    )


def same_merchant_fk_sql(child: str, column: str, parent: str) -> tuple[str, str]:
    """A composite foreign key (merchant_id, column) -> parent(merchant_id, id).

    Django's own foreign key checks that the parent exists; this one checks that it
    belongs to the same merchant, so no row can point across tenants.
    """
    name = f"{child}_{column}_same_merchant"[:63]
    forward = (
        f"ALTER TABLE {child} ADD CONSTRAINT {name} FOREIGN KEY (merchant_id, {column}) "
        f"REFERENCES {parent} (merchant_id, id) DEFERRABLE INITIALLY DEFERRED;"
    )
    return forward, f"ALTER TABLE {child} DROP CONSTRAINT IF EXISTS {name};"


def parent_key_sql(parent: str) -> tuple[str, str]:
    name = f"{parent}_merchant_id_key"[:63]
    return (
        f"ALTER TABLE {parent} ADD CONSTRAINT {name} UNIQUE (merchant_id, id);",
        f"ALTER TABLE {parent} DROP CONSTRAINT IF EXISTS {name};",
    )
