"""Savepoints travel with the next statement (ratings_inbox.postgres.savepoints, issue 13): the same
statements reach the server in the same order, nested atomic blocks roll back exactly as before,
and Django still records each statement with its own text."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from merchants.models import Merchant
from ratings_inbox.postgres.savepoints import Cursor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def round_trips(monkeypatch):
    """Every message psycopg2 sends to the server, as sent."""
    sent: list[str] = []
    send = Cursor._send

    def counting(cursor, query, vars):
        sent.append(query if isinstance(query, str) else query.decode())
        return send(cursor, query, vars)

    monkeypatch.setattr(Cursor, "_send", counting)
    return sent


def _merchant_names() -> list[str]:
    return sorted(Merchant.objects.values_list("slug", flat=True))


def _create(slug: str) -> Merchant:
    return Merchant.objects.create(slug=slug, name=slug, timezone="America/Bogota", currency="COP", language="es")


def test_savepoint_and_release_travel_with_the_next_statement(round_trips):
    with transaction.atomic():
        connection.ensure_connection()
        round_trips.clear()
        with CaptureQueriesContext(connection) as captured:
            with transaction.atomic():
                with transaction.atomic():
                    _create("uno")
            _create("dos")
    # Django records five statements; two messages reach the server, in the same order.
    recorded = [q["sql"].split(" ")[0] for q in captured.captured_queries]
    assert recorded == ["SAVEPOINT", "SAVEPOINT", "INSERT", "RELEASE", "RELEASE", "INSERT"]
    assert len(round_trips) == 2
    assert round_trips[0].startswith('SAVEPOINT "') and "; SAVEPOINT " in round_trips[0]
    assert "INSERT INTO" in round_trips[0]
    assert round_trips[1].count("RELEASE SAVEPOINT") == 2 and "INSERT INTO" in round_trips[1]
    # Each statement is recorded with its own text, not what travelled before it.
    assert captured.captured_queries[2]["sql"].startswith("INSERT INTO")
    assert _merchant_names() == ["dos", "uno"]


def test_a_failure_rolls_back_to_the_inner_savepoint_only():
    with transaction.atomic():
        _create("fuera")
        with pytest.raises(IntegrityError):
            with transaction.atomic():
                _create("dentro")
                _create("fuera")  # the unique slug: the savepoint (sent with the first INSERT) undoes both
        _create("despues")
    assert _merchant_names() == ["despues", "fuera"]


def test_a_block_that_fails_before_any_statement_sends_nothing(round_trips):
    with transaction.atomic():
        connection.ensure_connection()
        round_trips.clear()
        with pytest.raises(ValueError):
            with transaction.atomic():
                raise ValueError("refused before touching the database")
        assert round_trips == []  # SAVEPOINT, ROLLBACK TO, RELEASE: nothing to undo, nothing sent
        _create("sigue")
    assert _merchant_names() == ["sigue"]
    assert not any("ROLLBACK TO" in message for message in round_trips)


def test_queued_savepoints_precede_a_server_side_cursor_and_end_with_the_transaction(round_trips):
    for slug in ("a", "b", "c"):
        _create(slug)
    with transaction.atomic():
        with transaction.atomic():
            slugs = [m.slug for m in Merchant.objects.order_by("slug").iterator(chunk_size=2)]
        with transaction.atomic():
            pass  # queued, then ended by the commit
    assert slugs == ["a", "b", "c"]
    assert connection.connection.pending == []
    with transaction.atomic():
        _create("d")  # the next transaction starts clean
    assert _merchant_names() == ["a", "b", "c", "d"]


def test_a_command_travels_alone_after_the_queued_savepoints(round_trips):
    """Only a query carries them: Citus replays a SET LOCAL's whole message on the workers."""
    with transaction.atomic():
        connection.ensure_connection()
        round_trips.clear()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("SELECT 1")
    # The savepoint alone, the command alone, the query; the RELEASE ends with the commit.
    assert len(round_trips) == 3 and round_trips[0].startswith('SAVEPOINT "') and ";" not in round_trips[0]
    assert round_trips[1:] == ["SET LOCAL statement_timeout = 0", "SELECT 1"]
