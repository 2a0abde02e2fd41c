"""Two tills post the first visit of the same new customer at the same moment: both succeed,
with one customer (SEC-7, API-2)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from customers import services
from customers.models import Customer, CustomerNameToken, Visit
from customers.services import customer_upsert
from merchants import tenancy
from merchants.models import ApiKey, Branch
from merchants.services import api_key_create


def _race(targets: dict) -> dict:
    """Runs every target in its own thread and connection, all released by one barrier."""
    start = threading.Barrier(len(targets))
    results = {}

    def run(key, target):
        try:
            connection.ensure_connection()
            start.wait(5)
            results[key] = target()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each caller got
            results[key] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item, name=f"caller-{item[0]}") for item in targets.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    return results


@pytest.mark.django_db(transaction=True)
def test_sec7_two_visits_of_a_new_customer_at_once_both_succeed_with_one_customer(make, monkeypatch, acting_for):
    merchant = make.merchant()
    acting_for(merchant)
    inserted = threading.Event()
    upsert = services.customer_upsert

    def first_holds_its_new_customer(**kwargs):
        """The first till inserts the customer and keeps it uncommitted while the second upserts."""
        first = threading.current_thread().name == "caller-1"
        if not first:
            inserted.wait(5)
        customer = upsert(**kwargs)
        if first:
            inserted.set()
            time.sleep(0.5)
        return customer

    monkeypatch.setattr(services, "customer_upsert", first_holds_its_new_customer)
    key, raw = api_key_create(merchant=merchant, name="POS")
    # Used a moment ago: neither request updates (and locks) the key's row while the other waits.
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    branch = Branch.objects.filter(merchant=merchant).first()

    def post(number, **contact):
        def call():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
            return client.post(f"/api/v1/merchants/{merchant.slug}/visits/", {
                "branch": branch.pk,
                "customer": {"external_id": "NEW-1", "full_name": "Ana Gómez", **contact},
                "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
                "invoice": {"number": number, "total": "1000.00", "currency": "COP"},
            }, format="json")
        return call

    # The second leaves the e-mail out: it keeps the one the first till gave (API-2).
    results = _race({1: post("F-1", email="ana@example.com"), 2: post("F-2")})
    statuses = [results[n].status_code for n in (1, 2)]
    assert statuses == [201, 201], [getattr(r, "content", r) for r in results.values()]
    assert results[1].json()["customer"] == results[2].json()["customer"]
    with tenancy.tenant(merchant.pk):
        assert list(Customer.objects.filter(merchant=merchant, external_id="NEW-1").values_list("email")) == [
            ("ana@example.com",)]
        assert Visit.objects.filter(merchant=merchant, customer_id=results[1].json()["customer"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_sec7_customer_upsert_racing_itself_keeps_one_customer_and_its_name_tokens(make):
    merchant = make.merchant()

    inserted = threading.Event()

    def first():
        with tenancy.tenant(merchant.pk), transaction.atomic():
            customer = customer_upsert(merchant=merchant, external_id="RACE", full_name="Pedro Perea")
            inserted.set()
            time.sleep(0.5)  # uncommitted while the second upserts the same external id
            return customer

    def second():
        inserted.wait(5)
        with tenancy.tenant(merchant.pk):
            return customer_upsert(merchant=merchant, external_id="RACE", full_name="Pedro Perea Ruiz")

    results = _race({1: first, 2: second})
    assert all(isinstance(r, Customer) for r in results.values()), results
    assert results[1].pk == results[2].pk
    with tenancy.tenant(merchant.pk):
        customer = Customer.objects.get(merchant=merchant, external_id="RACE")
        tokens = set(CustomerNameToken.objects.filter(customer=customer).values_list("token", flat=True))
    assert customer.full_name == "Pedro Perea Ruiz"  # the later write updated the customer
    assert tokens == {"pedro", "perea", "ruiz"}
