"""The merchant a request or task acts for: what row-level security filters on (TEN-4, SCALE-3).

PostgreSQL policies compare each row's merchant_id with the setting `app.merchant_id`. It is set
per transaction (SET LOCAL, see ratings_inbox.postgres): requests run in one transaction that
TenantMiddleware opens and sets, tasks act for a merchant under `tenant()`, and every transaction
begun while a merchant is chosen starts by setting it. Nothing is left on the database session,
so the application works behind PgBouncer in transaction pooling mode and on Citus, whose workers
receive the setting with each transaction. With no merchant set the application role sees no
tenant row, and no setting shows every merchant's rows (SEC-3): work that spans merchants reads
through the sweeper role (merchants.platform) and acts per merchant under `tenant()`.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DatabaseError, connection

from ratings_inbox import logs, rows

from .models import Merchant


def _text(value: int | None) -> str:
    return str(int(value)) if value else ""


def _apply(merchant_id: str, user_id: str) -> None:
    """Chooses the tenant; inside a transaction it is set at once, otherwise when the next one begins."""
    connection.tenant = (merchant_id, user_id) if merchant_id or user_id else None
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            for statement in connection.tenant_statements(merchant_id, user_id):
                cursor.execute(statement)


def set_tenant(merchant_id: int | None, *, user_id: int | None = None) -> None:
    _apply(_text(merchant_id), _text(user_id))


def enter_merchant(slug: str, *, user_id: int | None = None):
    """The merchant named `slug`, chosen as the tenant with the user; None (and nothing chosen) if none.

    What TenantMiddleware does at the start of every merchant URL, inside the request's transaction.
    On one PostgreSQL the lookup sets both settings in the same statement (one round trip, no ORM
    compilation); merchants_merchant is not a tenant table, so no policy reads what it writes. On
    Citus the settings follow as SET LOCAL statements, which reach the workers.
    """
    user = _text(user_id)
    connection.ensure_connection()  # which kind of server it is, known once connected
    setting = "" if connection.citus else (
        ", set_config('app.merchant_id', m.id::text, true), set_config('app.user_id', %s, true)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {rows.select_list(Merchant, 'm')}{setting} FROM merchants_merchant m"
                       " WHERE m.slug = %s", [slug] if connection.citus else [user, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    merchant = rows.instance(Merchant, row[: rows.width(Merchant)])
    logs.merchant_id.set(str(merchant.pk))  # the request's log lines name it (to its end)
    if connection.citus:
        _apply(str(merchant.pk), user)
    else:
        connection.tenant = (str(merchant.pk), user)
    return merchant


def current_merchant_id() -> int | None:
    """The merchant chosen for this connection's transactions, if any."""
    return int(connection.tenant[0]) if connection.tenant and connection.tenant[0] else None


def set_user(user_id: int | None) -> None:
    """Lets a user read their own memberships before any merchant is chosen."""
    _apply("", _text(user_id))


def clear_tenant() -> None:
    _apply("", "")


def forget() -> None:
    """Chooses no tenant for what follows, without a statement: for the end of a transaction,
    which discards the settings itself."""
    connection.tenant = None


@contextmanager
def tenant(merchant_id: int, *, user_id: int | None = None):
    """Acts for the merchant inside the block, then for whatever was chosen before.

    A transaction open around the block is set now and restored after; transactions begun inside
    it set the merchant themselves, and the block's statements outside any transaction each run in
    one that does (the outbox's claim still commits before its e-mail is sent).
    """
    previous = connection.tenant
    logged = logs.merchant_id.set(str(merchant_id))
    set_tenant(merchant_id, user_id=user_id)
    try:
        yield
    finally:
        logs.merchant_id.reset(logged)
        _restore(previous)


def _restore(previous: tuple[str, str] | None) -> None:
    try:
        _apply(*(previous or ("", "")))
    except DatabaseError:
        # The block's transaction failed: no statement runs in it any more, and its rollback
        # discards the settings.
        connection.tenant = previous
