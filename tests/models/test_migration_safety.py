"""No new migration builds an index on a large table under a lock (SCALE-4).

CREATE INDEX (and a UNIQUE or PRIMARY KEY constraint that builds its own index) blocks every
write to the table while it reads the whole table. On the large tables a migration builds the
index CONCURRENTLY instead (AddIndexConcurrently, or RunSQL CREATE ... CONCURRENTLY then
ADD CONSTRAINT ... USING INDEX, as merchants.distributable does) in a non-atomic migration.
The migrations that were there before this check ran while the tables were small: history.
"""

from __future__ import annotations

import pathlib
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

LARGE_MODELS = {("ratings", "rating"), ("ratings", "message"), ("customers", "customer"),
                ("customers", "visit"), ("gifts", "giftgrant")}

# The last migration of each of our apps when this check came; later ones are checked, and
# every migration of an app of ours not listed (RunSQL in any app may touch a large table).
CHECKED_AFTER = {"accounts": 3, "autoreply": 1, "customers": 1, "gifts": 4, "merchants": 3,
                 "notifications": 1, "ratings": 10}

INDEX_BUILDING_CONSTRAINTS = (models.UniqueConstraint,)


def _sql_texts(operation: migrations.RunSQL) -> list[str]:
    sql = operation.sql
    parts = sql if isinstance(sql, (list, tuple)) else [sql]
    return [part[0] if isinstance(part, (list, tuple)) else part for part in parts]


def _locking_sql(sql: str, table: str) -> bool:
    name = re.escape(table)
    create = re.search(rf"CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)[^;]*?\bON\s+(ONLY\s+)?{name}\b", sql, re.I)
    constraint = re.search(
        rf"ALTER\s+TABLE\s+(ONLY\s+)?{name}\b[^;]*?\bADD\s+(CONSTRAINT\s+\w+\s+)?(UNIQUE|PRIMARY\s+KEY)\s*\(",
        sql, re.I)
    return bool(create or constraint)


def _indexed(field) -> bool:
    return bool(field is not None and (field.db_index or field.unique))


def _database_operations(operations):
    for operation in operations:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            yield from _database_operations(operation.database_operations)
        else:
            yield operation


def locking_index_builds(app_label: str, migration, state) -> list[str]:
    """What in `migration` (applied on top of `state`) builds an index on a large table under lock."""
    found = []
    # A table the migration itself creates is empty: anything goes on it.
    large = {name for app, name in LARGE_MODELS if app == app_label and (app, name) in state.models}
    tables = {apps.get_model(app, name)._meta.db_table for app, name in LARGE_MODELS}
    for operation in _database_operations(migration.operations):
        model = getattr(operation, "model_name", "").lower()
        what = f"{app_label}.{migration.name}: {operation.describe()}"
        if model in large:
            old = state.models[app_label, model].fields.get(getattr(operation, "name", None))
            if isinstance(operation, migrations.AddIndex) and not isinstance(operation, AddIndexConcurrently):
                found.append(what)
            elif isinstance(operation, migrations.AddConstraint) and isinstance(
                    operation.constraint, INDEX_BUILDING_CONSTRAINTS):
                found.append(what)
            elif isinstance(operation, (migrations.AddField, migrations.AlterField)) and (
                    _indexed(operation.field) and not _indexed(old)):
                found.append(what)
            elif isinstance(operation, (migrations.AlterUniqueTogether, migrations.AlterIndexTogether)) and (
                    operation.option_value):
                found.append(what)
        if isinstance(operation, migrations.RunSQL) and any(
                _locking_sql(sql, table) for sql in _sql_texts(operation) for table in tables):
            found.append(what)
    return found


def _number(name: str) -> int:
    return int(name.split("_", 1)[0])


@pytest.fixture(scope="module")
def loader():
    return MigrationLoader(None, ignore_no_migrations=True)  # the files only: no database


def test_no_new_migration_builds_an_index_on_a_large_table_under_lock(loader):
    ours = {config.label for config in apps.get_app_configs()
            if (pathlib.Path(settings.BASE_DIR) / config.name.split(".")[0] / "__init__.py").exists()}
    checked = [key for key in loader.disk_migrations
               if key[0] in ours and _number(key[1]) > CHECKED_AFTER.get(key[0], 0)]
    assert checked, "the distributable-keys migrations at least are checked"
    found = []
    for key in checked:
        state = loader.project_state(key, at_end=False)
        found += locking_index_builds(key[0], loader.disk_migrations[key], state)
    assert found == []


def _migration(app_label: str, *operations):
    migration = migrations.Migration("0099_check", app_label)
    migration.operations = list(operations)
    return migration


@pytest.mark.parametrize("app_label, operation, flagged", [
    ("ratings", migrations.AddIndex("rating", models.Index(fields=["score"], name="rating_score")), True),
    ("ratings", AddIndexConcurrently("rating", models.Index(fields=["score"], name="rating_score")), False),
    ("ratings", migrations.AddIndex("quickreply", models.Index(fields=["title"], name="qr_title")), False),
    ("gifts", migrations.AddConstraint("giftgrant", models.UniqueConstraint(
        fields=["code", "merchant"], name="grant_code_again")), True),
    ("customers", migrations.AlterField("visit", "invoice_number", models.CharField(max_length=60, db_index=True)),
     True),
    ("customers", migrations.AddField("customer", "nickname", models.CharField(max_length=9, default="")), False),
    ("customers", migrations.AddField("customer", "code", models.CharField(max_length=9, unique=True, null=True)),
     True),
    ("ratings", migrations.RunSQL("CREATE INDEX rating_x ON ratings_rating (score)"), True),
    ("ratings", migrations.RunSQL(["CREATE UNIQUE INDEX CONCURRENTLY rating_x ON ratings_rating (id, score)",
                                   "ALTER TABLE ratings_rating ADD CONSTRAINT rating_x UNIQUE USING INDEX rating_x"]),
     False),
    ("ratings", migrations.RunSQL("ALTER TABLE ratings_message ADD CONSTRAINT m_x UNIQUE (id, body)"), True),
    ("ratings", migrations.SeparateDatabaseAndState(database_operations=[
        migrations.RunSQL("CREATE INDEX message_x ON ratings_message (body)")]), True),
])
def test_the_check_tells_locking_builds_from_concurrent_ones(loader, app_label, operation, flagged):
    state = loader.project_state()
    assert bool(locking_index_builds(app_label, _migration(app_label, operation), state)) is flagged
