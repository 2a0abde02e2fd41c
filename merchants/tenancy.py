"""The current merchant in the database session: what row-level security filters on (TEN-4).

PostgreSQL policies compare each row's merchant_id with the setting `app.merchant_id`.
Requests set it in TenantMiddleware and clear it when they end; tasks use `tenant()`.
With no merchant set the application role sees no tenant row, and no setting shows every
merchant's rows (SEC-3): work that spans merchants reads through the sweeper role
(merchants.platform) and acts per merchant under `tenant()`.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from ratings_inbox import rows

from .models import Merchant


def _current() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.merchant_id', true), current_setting('app.user_id', true)")
        return tuple(value or "" for value in cursor.fetchone())


# The two session settings, written together; the merchant's value is an SQL expression.
_SET_SQL = "set_config('app.merchant_id', {merchant}, false), set_config('app.user_id', %s, false)"


def _apply(merchant_id: str, user_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + _SET_SQL.format(merchant="%s"), [merchant_id, user_id])


def set_tenant(merchant_id: int | None, *, user_id: int | None = None) -> None:
    _apply(str(merchant_id or ""), str(user_id or ""))


def enter_merchant(slug: str, *, user_id: int | None = None):
    """The merchant named `slug`, with the session set to it and the user, in one statement.

    What TenantMiddleware does at the start of every merchant URL: one round trip and no ORM
    compilation instead of two. merchants_merchant is not a tenant table, so no policy reads
    the settings this statement writes. None (and nothing set) when no merchant has the slug.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.select_list(Merchant, 'm')}, {_SET_SQL.format(merchant='m.id::text')}"
            " FROM merchants_merchant m WHERE m.slug = %s",
            [str(user_id or ""), slug],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return rows.instance(Merchant, row[: rows.width(Merchant)])


def set_user(user_id: int | None) -> None:
    """Lets a user read their own memberships before any merchant is chosen."""
    _apply("", str(user_id or ""))


def clear_tenant() -> None:
    _apply("", "")


@contextmanager
def tenant(merchant_id: int, *, user_id: int | None = None):
    previous = _current()
    set_tenant(merchant_id, user_id=user_id)
    try:
        yield
    finally:
        _apply(*previous)
