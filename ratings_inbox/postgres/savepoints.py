"""Savepoints without round trips of their own (issue 13, the write path).

Every nested `transaction.atomic()` costs Django two statements, `SAVEPOINT` and `RELEASE
SAVEPOINT`, and psycopg2 sends each alone: a round trip to the server and back for a statement that
does nothing visible until the next one. A visit + rating pair of the point of sale nests about
ten (the request's ATOMIC_REQUESTS inside the tenant's transaction, each service's own atomic):
a third of its round trips.

This connection keeps those statements until the next one that does something and sends them in
the same message, before it (`SAVEPOINT "s1"; INSERT …`): the server runs the same statements in
the same order, in the same transaction, so every savepoint exists exactly when Django's does and
a failure rolls back to the same place. Only a query carries them; before any other command (a SET
LOCAL of the tenant on Citus, a COPY) they are sent on their own. What may be dropped, is: at COMMIT or ROLLBACK of the
transaction the savepoints still waiting end with it, and a `ROLLBACK TO SAVEPOINT` of one still
waiting has nothing to undo (no statement ran since), so everything queued after it is dropped
instead (the savepoint itself stays queued: Django releases it next).

Django's own records are unchanged: CaptureQueriesContext and the debug log still list each
SAVEPOINT and RELEASE, and each statement with its own text (`query` leaves out what was queued
before it).
"""

from __future__ import annotations

import re

from psycopg2 import extensions

BOOKKEEPING = re.compile(r'(SAVEPOINT|RELEASE SAVEPOINT) "?[\w$]+"?$')
ROLLBACK_TO = re.compile(r'ROLLBACK TO SAVEPOINT ("?[\w$]+"?)$')
# What the queued statements may travel with: a query. Not a command: Citus records a SET LOCAL's
# whole message to replay it on the workers it connects to later, savepoints included.
CARRIER = re.compile(r"\s*\(*\s*(SELECT|INSERT|UPDATE|DELETE|WITH|VALUES|TABLE)\b", re.IGNORECASE)


class Cursor(extensions.cursor):
    _sent_before = 0  # bytes of queued statements sent in front of the last query
    _queued: bytes | None = None  # the last query, when it was queued rather than sent

    @property
    def query(self):
        if self._queued is not None:
            return self._queued
        sent = super().query
        return sent if sent is None else sent[self._sent_before:]

    def execute(self, query, vars=None):
        self._queued, self._sent_before = None, 0
        pending = self.connection.pending
        if isinstance(query, str) and vars is None and self.name is None:
            if BOOKKEEPING.match(query):
                pending.append(query)
                self._queued = query.encode()
                return None
            rollback = ROLLBACK_TO.match(query)
            if rollback and f"SAVEPOINT {rollback.group(1)}" in pending:
                del pending[pending.index(f"SAVEPOINT {rollback.group(1)}") + 1:]
                self._queued = query.encode()
                return None
        if pending and self.name is None and isinstance(query, str) and CARRIER.match(query):
            prefix = "; ".join(pending) + "; "
            pending.clear()
            self._sent_before = len(prefix.encode())
            return self._send(prefix + query, vars)
        self.connection.send_pending()
        return self._send(query, vars)

    def _send(self, query, vars):
        """One message to the server."""
        return super().execute(query, vars)

    def executemany(self, query, vars_list):
        self.connection.send_pending()
        self._queued, self._sent_before = None, 0
        return super().executemany(query, vars_list)

    def callproc(self, procname, parameters=None):
        self.connection.send_pending()
        return super().callproc(procname, parameters)

    def copy_expert(self, sql, file, size=8192):
        self.connection.send_pending()
        return super().copy_expert(sql, file, size)

    def copy_from(self, *args, **kwargs):
        self.connection.send_pending()
        return super().copy_from(*args, **kwargs)

    def copy_to(self, *args, **kwargs):
        self.connection.send_pending()
        return super().copy_to(*args, **kwargs)


class Connection(extensions.connection):
    """A psycopg2 connection whose cursors queue savepoint bookkeeping (see the module)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending: list[str] = []

    def send_pending(self) -> None:
        """Sends what is queued on its own (before a server-side cursor's query, a COPY…)."""
        if self.pending:
            statements = "; ".join(self.pending)
            self.pending.clear()
            with Cursor(self) as cursor:
                cursor._send(statements, None)

    def commit(self):
        self.pending.clear()
        return super().commit()

    def rollback(self):
        self.pending.clear()
        return super().rollback()

    def close(self):
        self.pending.clear()
        return super().close()
