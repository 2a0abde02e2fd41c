"""PostgreSQL with the tenant set per transaction (SCALE-3, TEN-4).

Row-level security compares each row's merchant with `app.merchant_id` (and the user's own
memberships with `app.user_id`). Both are set transaction-locally, so nothing stays on the server
session: a connection handed back to PgBouncer in transaction pooling mode, or reused by the next
request, carries no merchant. `tenant` is what the current request or task acts for (written by
merchants.tenancy); every transaction that begins while it is set first sets it, and a statement
run outside a transaction (autocommit) while it is set runs in a transaction of its own that does.

On a Citus coordinator the settings must reach the workers, where the shards' policies read them:
Citus forwards `SET LOCAL` statements (citus.propagate_set_commands = 'local', set on the database
by `manage.py distribute`), not set_config() calls. The engine asks once per connection whether
the database has the extension and writes the settings the way that reaches every node.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.backends.postgresql import base

from .savepoints import Connection, Cursor

SETTINGS = ("app.merchant_id", "app.user_id")
# Statements that read or write rows, which row-level security filters; others (VACUUM, CREATE
# INDEX CONCURRENTLY, …) run as they are: some may not run inside a transaction at all.
ROW_STATEMENT = re.compile(r"\s*\(*\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|VALUES|TABLE|COPY)\b", re.IGNORECASE)


def _literal(value: str) -> str:
    """An id (digits) or nothing: the only values a tenant setting takes, checked before any SQL has it."""
    if value and not value.isdigit():
        raise ValueError(f"a tenant setting is an id, not {value!r}")
    return f"'{value}'"


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant: tuple[str, str] | None = None  # (merchant id, user id) as text; "" for none
        self.citus = False
        self.execute_wrappers.append(self._in_tenant_transaction)

    def get_connection_params(self):
        # Savepoints travel with the next statement instead of alone (issue 13): see savepoints.py.
        return {**super().get_connection_params(), "connection_factory": Connection, "cursor_factory": Cursor}

    def init_connection_state(self):
        super().init_connection_state()
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")
            self.citus = cursor.fetchone()[0]

    def tenant_statements(self, merchant_id: str, user_id: str) -> list[str]:
        """The statements that set both settings for the rest of the current transaction."""
        values = (_literal(merchant_id), _literal(user_id))
        if self.citus:
            return [f"SET LOCAL {name} = {value}" for name, value in zip(SETTINGS, values, strict=True)]
        return ["SELECT " + ", ".join(f"set_config('{name}', {value}, true)"
                                      for name, value in zip(SETTINGS, values, strict=True))]

    def _set_autocommit(self, autocommit):
        super()._set_autocommit(autocommit)
        if not autocommit and self.tenant is not None:
            # The transaction begins with the tenant: straight to the driver, as Django's own BEGIN.
            with self.connection.cursor() as cursor:
                for statement in self.tenant_statements(*self.tenant):
                    cursor.execute(statement)

    def _in_tenant_transaction(self, execute, sql, params, many, context):
        if (self.tenant is not None and ROW_STATEMENT.match(sql) and not self.in_atomic_block
                and self.get_autocommit()):
            with transaction.atomic(using=self.alias):
                return execute(sql, params, many, context)
        return execute(sql, params, many, context)
