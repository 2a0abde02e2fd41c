"""API.md "Customers and visits": lists, detail, history, and the point-of-sale push (DET-1..4, API-2/3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from merchants import tenancy
from tests.conftest import base


def visit_payload(branch_id, **overrides):
    payload = {
        "branch": branch_id,
        "customer": {"external_id": "C-1", "full_name": "María José Ñáñez", "email": "MJ@Example.com",
                     "phone": "+57 300"},
        "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "invoice": {"number": "F-100", "total": "45900.00", "currency": "COP",
                    "lines": [{"description": "Ajiaco", "quantity": 2, "unit_price": "15000",
                               "line_total": 30000.0},
                              {"description": "Jugo", "quantity": "1.5", "unit_price": 10600,
                               "line_total": "15900.00"}]},
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def branch(merchant):
    from merchants.models import Branch

    return Branch.objects.filter(merchant=merchant).first()


def test_customers_list_and_search(make, merchant, admin_client):
    jose = make.customer(merchant, "José Pérez", email="jose@example.com")
    make.rating(merchant, 3, customer=jose, created_at=timezone.now() - dt.timedelta(days=2))
    make.rating(merchant, 9, customer=jose, created_at=timezone.now() - dt.timedelta(days=1))
    make.customer(merchant, "Ana Gómez")
    body = admin_client.get(base(merchant) + "customers/").json()
    assert [c["full_name"] for c in body["results"]] == ["Ana Gómez", "José Pérez"]
    item = body["results"][1]
    assert item == {"id": jose.id, "full_name": "José Pérez", "email": "jose@example.com", "last_score": 9,
                    "ratings_count": 2}
    assert body["results"][0]["last_score"] is None and body["results"][0]["ratings_count"] == 0
    found = admin_client.get(base(merchant) + "customers/?q=PEREZ").json()["results"]
    assert [c["id"] for c in found] == [jose.id]
    assert admin_client.get(base(merchant) + "customers/?page_size=x").status_code == 400


def test_customer_detail_ratings_and_visits(make, merchant, admin_client):
    customer = make.customer(merchant, "Luis")
    old = make.rating(merchant, 5, customer=customer, created_at=timezone.now() - dt.timedelta(days=3))
    new = make.rating(merchant, 10, customer=customer, created_at=timezone.now() - dt.timedelta(days=1))
    unrated = make.visit(merchant, customer=customer, visited_at=timezone.now() - dt.timedelta(minutes=5))
    url = base(merchant) + f"customers/{customer.id}/"
    detail = admin_client.get(url).json()
    assert set(detail) == {"id", "full_name", "email", "phone", "document_id", "birth_date", "created_at",
                           "email_opt_out", "points_balance", "last_score", "gifts_offered", "gifts_redeemed",
                           "gifts_expired"}
    assert detail["last_score"] == 10 and detail["points_balance"] == 0 and detail["email_opt_out"] is False
    assert [r["id"] for r in admin_client.get(url + "ratings/").json()["results"]] == [new.id, old.id]
    visits = admin_client.get(url + "visits/").json()["results"]
    assert [v["id"] for v in visits] == [unrated.id, new.visit_id, old.visit_id]
    assert visits[0]["rating"] is None and visits[1]["rating"] == new.id
    assert set(visits[0]) == {"id", "visited_at", "branch", "total", "currency", "rating"}
    assert visits[0]["total"] == "45900.00" and visits[0]["currency"] == "COP"
    visit = admin_client.get(base(merchant) + f"visits/{new.visit_id}/").json()
    assert visit["invoice"]["lines"][0]["description"] == "Bandeja paisa" and visit["rating"] == new.id
    assert admin_client.get(base(merchant) + "customers/999999/").status_code == 404
    assert admin_client.get(base(merchant) + "visits/999999/").status_code == 404


def test_post_visit_creates_customer_visit_and_rating_link(make, merchant, branch, admin_client):
    from customers.models import Customer, Visit

    response = admin_client.post(base(merchant) + "visits/", visit_payload(branch.id), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "customer", "rating_url"}
    assert body["rating_url"].startswith("http://127.0.0.1:8000/r/")
    visit = Visit.objects.get(pk=body["id"])
    assert visit.lines.count() == 2 and str(visit.invoice_total) == "45900.00"
    customer = Customer.objects.get(pk=body["customer"])
    assert customer.external_id == "C-1" and customer.email == "mj@example.com"
    # the same external id is the same customer, updated
    payload = visit_payload(branch.id, customer={"external_id": "C-1", "full_name": "María J. Ñáñez"},
                            invoice={"number": "F-101", "total": 100, "currency": "COP"})
    second = admin_client.post(base(merchant) + "visits/", payload, format="json")
    assert second.status_code == 201, second.content
    assert second.json()["customer"] == customer.id
    customer.refresh_from_db()
    assert customer.full_name == "María J. Ñáñez"
    assert customer.email == "mj@example.com" and customer.phone == "+57 300"  # absent: kept
    assert Customer.objects.filter(merchant=merchant).count() == 1


def test_repeated_invoice_number_per_branch_is_409(make, merchant, branch, admin_client):
    assert admin_client.post(base(merchant) + "visits/", visit_payload(branch.id), format="json").status_code == 201
    again = admin_client.post(base(merchant) + "visits/", visit_payload(branch.id), format="json")
    assert again.status_code == 409
    assert "number" in again.json()["invoice"]
    other = make.branch(merchant, "Otra")
    assert admin_client.post(base(merchant) + "visits/", visit_payload(other.id), format="json").status_code == 201


@pytest.mark.parametrize("mutate, field", [
    (lambda p: p.pop("branch"), "branch"),
    (lambda p: p["customer"].pop("external_id"), "customer"),
    (lambda p: p["customer"].update(full_name="   "), "customer"),
    (lambda p: p.pop("visited_at"), "visited_at"),
    (lambda p: p.update(visited_at=(timezone.now() + dt.timedelta(hours=2)).isoformat()), "visited_at"),
    (lambda p: p["invoice"].pop("number"), "invoice"),
    (lambda p: p["invoice"].update(total="abc"), "invoice"),
    (lambda p: p["invoice"].update(currency="pesos"), "invoice"),
    (lambda p: p["invoice"]["lines"][1].update(quantity=0), "invoice"),
    (lambda p: p["invoice"]["lines"][1].update(unit_price="1.234"), "invoice"),
    (lambda p: p["customer"].update(email="not-an-email"), "customer"),
    (lambda p: p.update(branch=999999), "branch"),
])
def test_bad_visit_input_is_400_and_leaves_nothing(make, merchant, branch, admin_client, mutate, field):
    """API-3: one transaction per request; a bad line after good customer data writes nothing."""
    from customers.models import Customer, InvoiceLine, Visit

    payload = visit_payload(branch.id)
    mutate(payload)
    response = admin_client.post(base(merchant) + "visits/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Customer.objects.filter(merchant=merchant).exists()
    assert not Visit.objects.filter(merchant=merchant).exists()
    assert not InvoiceLine.objects.filter(merchant=merchant).exists()


def test_service_failure_after_customer_upsert_rolls_back(make, merchant, branch, admin_client):
    """A visit refused by the service (future date) after the customer was written leaves no customer."""
    from customers.models import Customer

    payload = visit_payload(branch.id, visited_at=(timezone.now() + dt.timedelta(days=1)).isoformat())
    response = admin_client.post(base(merchant) + "visits/", payload, format="json")
    assert response.status_code == 400 and "visited_at" in response.json()
    assert not Customer.objects.filter(merchant=merchant).exists()


def test_visit_with_another_merchants_branch_is_400(make, merchant, other_merchant, admin_client):
    from merchants.models import Branch

    with tenancy.tenant(other_merchant.pk):
        foreign = Branch.objects.filter(merchant=other_merchant).first()
    response = admin_client.post(base(merchant) + "visits/", visit_payload(foreign.id), format="json")
    assert response.status_code == 400 and "branch" in response.json()


def test_optional_fields_may_be_null_or_absent(make, merchant, branch, admin_client):
    payload = visit_payload(branch.id)
    payload["customer"].update(email=None, phone=None)
    payload["invoice"]["lines"] = None
    assert admin_client.post(base(merchant) + "visits/", payload, format="json").status_code == 201
    payload = visit_payload(branch.id, invoice={"number": "F-9", "total": "10.00", "currency": "COP"})
    payload["customer"] = {"external_id": "C-2", "full_name": "Otro"}
    assert admin_client.post(base(merchant) + "visits/", payload, format="json").status_code == 201


def test_customer_since_is_never_later_than_the_first_visit_DET_3(make, merchant, branch, admin_client):
    """A visit sent after the fact (an import, the demo's history) moves "Customer since" back to it."""
    from customers.models import Customer

    month_ago = timezone.now() - dt.timedelta(days=30)
    response = admin_client.post(base(merchant) + "visits/", visit_payload(
        branch.id, visited_at=month_ago.isoformat()), format="json")
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["customer"])
    assert customer.created_at == month_ago
    later = visit_payload(branch.id, visited_at=(month_ago + dt.timedelta(days=1)).isoformat(),
                          invoice={"number": "F-101", "total": 100, "currency": "COP"})
    assert admin_client.post(base(merchant) + "visits/", later, format="json").status_code == 201
    customer.refresh_from_db()
    assert customer.created_at == month_ago
    assert customer.created_at == min(visit.visited_at for visit in customer.visits.all())


def test_customers_stored_before_the_fix_get_their_first_visit_as_since_DET_3(make, merchant, branch, admin_client):
    """customers 0006 moves the customers already stored with a later "Customer since" back to their first visit,
    and leaves the others (and every other merchant's) alone."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    from customers.models import Customer

    month_ago = timezone.now() - dt.timedelta(days=30)
    response = admin_client.post(base(merchant) + "visits/", visit_payload(
        branch.id, visited_at=month_ago.isoformat()), format="json")
    late = Customer.objects.get(pk=response.json()["customer"])
    stored_late = timezone.now()
    with tenancy.tenant(merchant.pk):
        Customer.objects.filter(merchant_id=merchant.id, pk=late.pk).update(created_at=stored_late)
    fine = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    fill = importlib.import_module("customers.migrations.0006_customer_since_first_visit").fill
    fill(None, SimpleNamespace(connection=connection))
    late.refresh_from_db()
    assert late.created_at == month_ago
    created = fine.created_at
    fine.refresh_from_db()
    assert fine.created_at == created
