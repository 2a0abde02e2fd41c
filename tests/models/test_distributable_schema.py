"""The schema can be distributed by merchant (SCALE-2, TEN-1): the catalog follows Citus's rules.

A table sharded on merchant_id can only enforce a primary key, a unique constraint or index,
or a foreign key to another sharded table if it includes merchant_id. The tenant tables are
derived from the models (every model with a merchant_id column), never listed by hand, so a
new tenant model is checked the day it is added. Foreign keys to the global tables
(merchants_merchant, the users) may stay one-column: those become reference tables.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def tenant_models() -> dict[str, type]:
    return {
        model._meta.db_table: model for model in apps.get_models()
        if any(field.column == "merchant_id" for field in model._meta.concrete_fields)
    }


TENANT_TABLES = sorted(tenant_models())

# Each constraint or index with its table and column names in key order (attnum 0, an
# expression, is left out: a merchant_id inside an expression does not count).
COLUMNS = """
    SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest({keys}) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum
"""


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_tenant_tables_are_derived_from_the_models():
    """The check below covers every tenant model, the ones added tomorrow too."""
    assert {"ratings_rating", "customers_visit", "gifts_giftgrant", "merchants_branch"} <= set(TENANT_TABLES)
    assert "merchants_merchant" not in TENANT_TABLES


def test_primary_key_of_every_tenant_table_is_id_and_merchant():
    """id first: Django reads, updates, deletes and joins rows by id alone, and row-level security's
    merchant condition (an OR with the platform policy) cannot bound an index, so an index
    leading with merchant_id would turn each of those into a scan. The composite keys reference
    (merchant_id, id), which PostgreSQL matches with this key in any column order."""
    found = dict(rows(
        f"""SELECT c.conrelid::regclass::text, ({COLUMNS.format(keys="c.conkey", rel="c.conrelid")})
            FROM pg_constraint c WHERE c.contype = 'p' AND c.conrelid::regclass::text = ANY(%s)""",
        [TENANT_TABLES],
    ))
    assert {table: found.get(table) for table in TENANT_TABLES} == {
        table: ["id", "merchant_id"] for table in TENANT_TABLES
    }


def test_every_unique_constraint_and_unique_index_includes_merchant():
    """Primary keys, UNIQUE constraints and unique (partial) indexes alike: pg_index has them all."""
    unique = rows(
        f"""SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,
                   ({COLUMNS.format(keys="i.indkey::int2[]", rel="i.indrelid")})
            FROM pg_index i WHERE i.indisunique AND i.indrelid::regclass::text = ANY(%s)""",
        [TENANT_TABLES],
    )
    assert len(unique) >= len(TENANT_TABLES)
    assert [(table, index, columns) for table, index, columns in unique
            if "merchant_id" not in (columns or [])] == []


def _tenant_foreign_keys() -> list[tuple]:
    return rows(
        f"""SELECT c.conrelid::regclass::text, c.conname, c.confrelid::regclass::text,
                   ({COLUMNS.format(keys="c.conkey", rel="c.conrelid")}),
                   ({COLUMNS.format(keys="c.confkey", rel="c.confrelid")})
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
              AND c.confrelid::regclass::text = ANY(%s)""",
        [TENANT_TABLES, TENANT_TABLES],
    )


def test_foreign_keys_between_tenant_tables_pair_merchant_with_merchant():
    """Composite, merchant_id on both sides at the same position: a row cannot point at
    another merchant's row, and the two rows live on the same shard."""
    keys = _tenant_foreign_keys()
    assert keys
    one_column = [(table, name) for table, name, _parent, columns, _refs in keys if len(columns) == 1]
    assert one_column == []
    not_paired = [
        (table, name, columns, refs) for table, name, _parent, columns, refs in keys
        if "merchant_id" not in columns or refs[columns.index("merchant_id")] != "merchant_id"
    ]
    assert not_paired == []


def test_every_reference_between_tenant_models_is_checked_by_a_composite_key():
    """Django's own one-column constraints are off (db_constraint=False) for these fields; the
    database still checks each of them, with merchant_id: no reference is left unchecked."""
    checked = {(table, columns[-1]) for table, _name, _parent, columns, _refs in _tenant_foreign_keys()
               if columns[0] == "merchant_id" and len(columns) == 2}
    tables = tenant_models()
    references = {
        (table, field.column) for table, model in tables.items() for field in model._meta.concrete_fields
        if field.is_relation and field.related_model._meta.db_table in tables
    }
    assert references
    assert sorted(references - checked) == []


def test_every_tenant_table_forces_row_level_security():
    found = dict(rows(
        "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class"
        " WHERE relkind = 'r' AND relname = ANY(%s)", [TENANT_TABLES],
    ))
    assert {table: found.get(table) for table in TENANT_TABLES} == {table: True for table in TENANT_TABLES}


def test_no_key_is_left_unvalidated_and_no_index_half_built():
    """SCALE-4: keys are added NOT VALID then validated, indexes built concurrently; a migration
    that stopped half-way would leave a NOT VALID key or an invalid index behind."""
    assert rows("SELECT conrelid::regclass::text, conname FROM pg_constraint c JOIN pg_namespace n"
                " ON n.oid = c.connamespace WHERE n.nspname = 'public' AND NOT c.convalidated") == []
    assert rows("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid") == []
