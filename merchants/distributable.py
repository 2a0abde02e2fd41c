"""Migration steps that make the schema distributable by merchant (SCALE-2) without long locks (SCALE-4).

A table sharded on merchant_id (Citus) enforces a primary key, a unique constraint or a
foreign key only if it includes merchant_id; tests/models/test_distributable_schema.py checks
the catalog. These steps get an existing database there while the application runs:

- indexes are built CONCURRENTLY (no lock on writes), so the migrations that use them are
  non-atomic; a build that failed leaves an invalid index, which the next run drops first;
- a unique constraint or primary key then takes the built index (USING INDEX): the table
  is locked only for the catalog change, not for a scan;
- foreign keys are added NOT VALID (checked for new rows at once) and validated in a
  statement of their own, which locks neither reads nor writes.
"""

from __future__ import annotations

from django.db import migrations, transaction

# The ALTER TABLEs below wait for the table's lock behind running queries, and every new query
# on the table would wait behind them: give up after this long rather than stall the application
# (run the migration again; each step is resumable).
LOCK_TIMEOUT = "10s"

# id first: Django reads, updates, deletes and joins rows by id alone, and the merchant
# condition of row-level security (an OR with the platform policy) cannot bound an index scan:
# with merchant_id first each of those would read the whole table (EXPLAIN of UPDATE ... WHERE
# id = %s under the policies: a sequential scan). Composite keys still reference
# (merchant_id, id): PostgreSQL matches a referenced key in any column order, and so does Citus.
TENANT_PRIMARY_KEY = ["id", "merchant_id"]


def _columns(columns: list[str]) -> str:
    return ", ".join(columns)


def _build(table: str, index: str, columns: list[str], where: str) -> list[str]:
    return [
        f"DROP INDEX CONCURRENTLY IF EXISTS {index}",
        f"CREATE UNIQUE INDEX CONCURRENTLY {index} ON {table} ({_columns(columns)})"
        + (f" WHERE {where}" if where else ""),
    ]


def _attach(table: str, built: str, name: str, replaced: str | None, where: str) -> list[str]:
    if where:  # a partial unique index cannot be a constraint: it stays an index
        drop = [f"DROP INDEX CONCURRENTLY {replaced}"] if replaced else []
        return [*drop, f"ALTER INDEX {built} RENAME TO {name}"]
    drop = f"DROP CONSTRAINT {replaced}, " if replaced else ""
    return [f"SET lock_timeout = '{LOCK_TIMEOUT}'",
            f"ALTER TABLE {table} {drop}ADD CONSTRAINT {name} UNIQUE USING INDEX {built}",
            "RESET lock_timeout"]


def _drop(table: str, name: str, where: str) -> list[str]:
    return [f"DROP INDEX CONCURRENTLY {name}" if where else f"ALTER TABLE {table} DROP CONSTRAINT {name}"]


def unique_concurrently(table: str, name: str, columns: list[str], *, old_name: str | None = None,
                        old_columns: list[str] | None = None, where: str = "") -> migrations.RunSQL:
    """UNIQUE (columns) named `name`, built concurrently, replacing `old_name` if given.

    Each statement runs on its own (the migration must be non-atomic). Backwards, the old
    unique (old_name on old_columns) is built the same way, or the new one is only dropped
    when the field's own migration operation restores the old one.
    """
    forward = [*_build(table, f"{name}_new", columns, where),
               *_attach(table, f"{name}_new", name, old_name, where)]
    if old_name:
        backward = [*_build(table, f"{old_name}_new", old_columns, where),
                    *_attach(table, f"{old_name}_new", old_name, name, where)]
    else:
        backward = _drop(table, name, where)
    return migrations.RunSQL(forward, backward)


# --- primary keys ------------------------------------------------------------------------

def tenant_tables(apps) -> list[str]:
    """The tables of the models (in this migration's state) whose rows carry merchant_id."""
    return sorted(
        model._meta.db_table for model in apps.get_models()
        if any(field.column == "merchant_id" for field in model._meta.concrete_fields)
    )


def _primary_key(cursor, table: str) -> tuple[str | None, list[str]]:
    cursor.execute(
        """SELECT c.conname, array_agg(a.attname ORDER BY k.ord)
           FROM pg_constraint c, unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord), pg_attribute a
           WHERE c.conrelid = %s::regclass AND c.contype = 'p'
             AND a.attrelid = c.conrelid AND a.attnum = k.attnum
           GROUP BY c.conname""", [table])
    row = cursor.fetchone()
    return (row[0], list(row[1])) if row else (None, [])


def _referencing_keys(cursor, table: str, constraints: list[str]) -> list[tuple[str, str, str]]:
    """(child table, name, definition) of the foreign keys that use one of these constraints' index."""
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE contype = 'f' AND confrelid = %s::regclass AND conindid IN (
               SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass AND conname = ANY(%s))
           ORDER BY 1, 2""", [table, table, constraints])
    return cursor.fetchall()


def swap_primary_key(connection, table: str, columns: list[str], *, old_key: str | None = None,
                     kept_key: str | None = None) -> list[tuple[str, str]]:
    """Makes PRIMARY KEY (columns) the table's, from an index built concurrently beforehand.

    The foreign keys that reference the old primary key or `old_key` (the UNIQUE constraint
    the composite keys used until now, dropped here) depend on its index: they are dropped and
    added again NOT VALID in one short transaction, and returned for the caller to validate.
    `kept_key` keeps the old primary key's columns unique under that name (going backwards).
    Does nothing when the primary key is already (columns): a run that stopped half-way resumes.
    """
    with connection.cursor() as cursor:
        name, current = _primary_key(cursor, table)
        if current == columns:
            return []
        built = f"{table}_pkey_new"[:63]
        for statement in _build(table, built, columns, ""):
            cursor.execute(statement)
        if kept_key:
            for statement in _build(table, f"{kept_key}_new"[:63], current, ""):
                cursor.execute(statement)
        with transaction.atomic(using=connection.alias):
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            referencing = _referencing_keys(cursor, table, [name, old_key or name])
            if "merchant_id" in columns:
                one_column = [key for _child, key, definition in referencing if "merchant_id" not in definition]
                if one_column:
                    raise RuntimeError(f"{one_column} reference {table} without merchant_id: make them composite"
                                       " (and db_constraint=False on the Django field) first.")
            for child, key, _definition in referencing:
                cursor.execute(f"ALTER TABLE {child} DROP CONSTRAINT {key}")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name},"
                           f" ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {built}")
            if kept_key:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {kept_key} UNIQUE USING INDEX {kept_key}_new")
            if old_key:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {old_key}")
            for child, key, definition in referencing:
                cursor.execute(f"ALTER TABLE {child} ADD CONSTRAINT {key} {definition} NOT VALID")
        return [(child, key) for child, key, _definition in referencing]


def replace_foreign_key(connection, child: str, name: str, definition: str, *, drop_after: str = "") -> None:
    """Drops the foreign key `name` and adds it again as `definition`, NOT VALID then validated.

    `drop_after` is a constraint that only the old definition needed, dropped in the same
    transaction.
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"ALTER TABLE {child} DROP CONSTRAINT {name}")
        cursor.execute(f"ALTER TABLE {child} ADD CONSTRAINT {name} {definition} NOT VALID")
        if drop_after:
            cursor.execute(drop_after)
    validate(connection, [(child, name)])


def validate(connection, keys: list[tuple[str, str]]) -> None:
    """VALIDATE CONSTRAINT scans the child under SHARE UPDATE EXCLUSIVE: reads and writes go on."""
    with connection.cursor() as cursor:
        for child, key in keys:
            cursor.execute(f"ALTER TABLE {child} VALIDATE CONSTRAINT {key}")


def _tenant_primary_keys(apps, schema_editor) -> None:
    connection = schema_editor.connection
    to_validate = []
    for table in tenant_tables(apps):
        to_validate += swap_primary_key(connection, table, TENANT_PRIMARY_KEY,
                                        old_key=f"{table}_merchant_id_key"[:63])
    validate(connection, to_validate)


def _id_primary_keys(apps, schema_editor) -> None:
    """Backwards: PRIMARY KEY (id), and UNIQUE (merchant_id, id) where composite keys point (as before)."""
    connection = schema_editor.connection
    to_validate = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'")
        referenced = {row[0] for row in cursor.fetchall()}
    for table in tenant_tables(apps):
        kept = f"{table}_merchant_id_key"[:63] if table in referenced else None
        to_validate += swap_primary_key(connection, table, ["id"], kept_key=kept)
    validate(connection, to_validate)


def TenantPrimaryKeys():  # noqa: N802 - reads like a migration operation
    """PRIMARY KEY (id, merchant_id) on every tenant table of the migration's state that lacks it.

    For a migration that creates a tenant model: put it after the CreateModel (the migration
    must be non-atomic).
    """
    return migrations.RunPython(_tenant_primary_keys, _id_primary_keys, atomic=False)


# --- Citus (manage.py distribute) -------------------------------------------------------

def citus_tables(apps) -> tuple[list[str], list[str]]:
    """(reference tables, distributed tables) of the models, each list ordered so that a table comes
    after every table its foreign keys reference (Citus distributes a referencing table only once
    the referenced one is distributed).

    Distributed: the tenant models (merchant_id on the row) whose `distributed` is true, sharded by
    merchant_id and co-located, so a merchant's rows of every table are on one node. Reference:
    every other table of the models (merchants, users, tokens, sessions, Django's own), copied
    whole to every node, which a shard may join or reference locally.
    """
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    distributed = {m._meta.db_table for m in models
                   if m._meta.db_table in tenant_tables(apps) and getattr(m, "distributed", True)}
    # Every foreign key, composite ones included, has its Django field (db_constraint=False or not).
    references: dict[str, set[str]] = {m._meta.db_table: set() for m in models}
    for model in models:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                references[model._meta.db_table].add(field.related_model._meta.db_table)
    ordered = _referenced_first(references)
    return ([t for t in ordered if t not in distributed], [t for t in ordered if t in distributed])


def _referenced_first(references: dict[str, set[str]]) -> list[str]:
    done: list[str] = []

    def visit(table: str, path: tuple[str, ...]) -> None:
        if table in done or table in path:
            return
        for parent in sorted(references.get(table, ())):
            visit(parent, (*path, table))
        done.append(table)

    for table in sorted(references):
        visit(table, ())
    return done
