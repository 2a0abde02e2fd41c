"""The point of sale's write path, pinned (issue 13, API-2): the statements of `POST visits/` and
`POST ratings/` with an integration key, and the round trips they cost.

`statements` is what Django records (CaptureQueriesContext, as tests/test_query_counts.py counts),
SAVEPOINT and RELEASE included; `round trips` the messages that reach the server, savepoints
travelling with the next statement (ratings_inbox.postgres.savepoints). Inside the test's transaction
there is no BEGIN or COMMIT; a real request adds those two, and Django's connection health check.

A change of a number is a decision: update it in the same commit and say why. Before issue 13 a pair
of a new customer and a commented detractor cost 58 statements and as many round trips; 47 and 27 now.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autoreply.services import autoreply_set_enabled
from customers.models import Customer, CustomerNameToken
from ratings.models import Rating
from ratings_inbox.postgres.savepoints import Cursor
from tests.conftest import base

# (statements, round trips); before issue 13 each statement was a round trip of its own: 30, 25, 27 for
# the visits, 25, 28, 26 for the ratings (a savepoint pair fewer now in every request; the rest below).
PINS = {
    # A new customer is one INSERT and its name tokens (no UPDATE after it, no token DELETE, no look for
    # detractors of a customer without ratings); the rollup's row is made and locked in one statement;
    # no look for the invoice before the visit's INSERT (the unique key answers, in a savepoint).
    "visit of a new customer": (25, 12),
    # A known customer with nothing new is not written, nor the ratings' copy of the name.
    "visit of a known customer, unchanged": (21, 10),
    "visit of a known customer, renamed": (25, 14),
    # No look for an existing rating before the INSERT (the unique key answers), the rollup's row in one
    # statement, a first comment counted on the inserted row (no lock and UPDATE after it), no grants read
    # for the answer (a rating this transaction made has none), the thread in plain SQL.
    "rating, a promoter without comment": (20, 13),
    "rating, a detractor with a comment": (22, 15),
    "rating, a silent detractor with the auto-reply on": (22, 15),
}


@pytest.fixture
def measured(monkeypatch):
    """measured(call) -> (its response, statements, round trips)."""
    send = Cursor._send
    sent: list[str] = []

    def counting(cursor, query, vars):
        sent.append(query)
        return send(cursor, query, vars)

    monkeypatch.setattr(Cursor, "_send", counting)

    def measure(call):
        sent.clear()
        with CaptureQueriesContext(connection) as captured:
            response = call()
        return response, len(captured.captured_queries), len(sent)

    return measure


@pytest.fixture
def pos(merchant, api_key, client_for):
    return client_for(api_key=api_key)


@pytest.fixture
def branch_id(merchant):
    from merchants.models import Branch

    return Branch.objects.filter(merchant=merchant).values_list("id", flat=True).first()


def _visit(pos, merchant, branch_id, number: str, *, external_id="C-1", full_name="Ana Gómez"):
    return pos.post(base(merchant) + "visits/", {
        "branch": branch_id,
        "customer": {"external_id": external_id, "full_name": full_name, "email": "ana@example.com"},
        "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "invoice": {"number": number, "total": "45900.00", "currency": "COP",
                    "lines": [{"description": "Ajiaco", "quantity": 2, "unit_price": "15000", "line_total": "30000"},
                              {"description": "Jugo", "quantity": 1, "unit_price": "15900", "line_total": "15900"}]},
    }, format="json")


def _rating(pos, merchant, visit_id: int, score: int, comment: str | None):
    return pos.post(base(merchant) + "ratings/", {"visit": visit_id, "score": score, "comment": comment},
                    format="json")


def test_api2_visits_cost_their_pinned_statements(merchant, pos, branch_id, measured):
    assert _visit(pos, merchant, branch_id, "F-0", external_id="WARM").status_code == 201  # the key's last use
    response, statements, trips = measured(lambda: _visit(pos, merchant, branch_id, "F-1"))
    assert response.status_code == 201, response.content
    figures = {"visit of a new customer": (statements, trips)}
    response, statements, trips = measured(lambda: _visit(pos, merchant, branch_id, "F-2"))
    assert response.status_code == 201
    figures["visit of a known customer, unchanged"] = (statements, trips)
    response, statements, trips = measured(lambda: _visit(pos, merchant, branch_id, "F-3", full_name="Ana Gómez Ruiz"))
    assert response.status_code == 201
    figures["visit of a known customer, renamed"] = (statements, trips)
    assert figures == {name: pin for name, pin in PINS.items() if name.startswith("visit")}
    customer = Customer.objects.get(merchant=merchant, external_id="C-1")
    assert (customer.full_name, customer.name_key, customer.email) == ("Ana Gómez Ruiz", "ana gomez ruiz",
                                                                       "ana@example.com")
    assert set(CustomerNameToken.objects.filter(customer=customer).values_list("token", flat=True)) == {
        "ana", "gomez", "ruiz"}


def test_api2_ratings_cost_their_pinned_statements(merchant, pos, branch_id, measured):
    autoreply_set_enabled(merchant=merchant, enabled=True)
    visits = [_visit(pos, merchant, branch_id, f"F-{n}", external_id=f"C-{n}").json()["id"] for n in range(4)]
    assert _rating(pos, merchant, visits[0], 8, None).status_code == 201  # warm
    figures = {}
    for name, visit_id, score, comment in (
        ("rating, a promoter without comment", visits[1], 10, None),
        ("rating, a detractor with a comment", visits[2], 3, "Llegó frío"),
        ("rating, a silent detractor with the auto-reply on", visits[3], 2, None),
    ):
        response, statements, trips = measured(lambda v=visit_id, s=score, c=comment: _rating(pos, merchant, v, s, c))
        assert response.status_code == 201, response.content
        figures[name] = (statements, trips)
    assert figures == {name: pin for name, pin in PINS.items() if name.startswith("rating")}


def test_api2_the_first_comment_is_counted_on_the_inserted_rating(merchant, pos, branch_id):
    visit_id = _visit(pos, merchant, branch_id, "F-1").json()["id"]
    detail = _rating(pos, merchant, visit_id, 3, "Llegó frío").json()
    assert [m["body"] for m in detail["messages"]] == ["Llegó frío"] and detail["gift_grants"] == []
    rating = Rating.objects.get(merchant=merchant, pk=detail["id"])
    assert (rating.messages_count, rating.replies_count, rating.needs_reply) == (1, 0, True)
    assert rating.last_message_at == rating.created_at == rating.last_activity_at
    assert pos.get(base(merchant) + f"ratings/{detail['id']}/").status_code == 403  # a key only posts


def test_api2_a_second_rating_of_a_visit_is_a_conflict_without_a_check_before_the_insert(merchant, pos, branch_id):
    visit_id = _visit(pos, merchant, branch_id, "F-1").json()["id"]
    assert _rating(pos, merchant, visit_id, 9, None).status_code == 201
    again = _rating(pos, merchant, visit_id, 3, "otra vez")
    assert again.status_code == 409 and "visit" in again.json()
    assert Rating.objects.filter(merchant=merchant, visit_id=visit_id).count() == 1


def test_api2_a_repeated_invoice_is_a_conflict_and_leaves_the_customer_as_it_was(merchant, pos, branch_id):
    assert _visit(pos, merchant, branch_id, "F-1").status_code == 201
    again = _visit(pos, merchant, branch_id, "F-1", full_name="Otro Nombre")
    assert again.status_code == 409 and "number" in again.json()["invoice"]
    assert Customer.objects.get(merchant=merchant, external_id="C-1").full_name == "Ana Gómez"
