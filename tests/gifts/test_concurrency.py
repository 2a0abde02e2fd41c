"""Two tills redeem the same code at the same moment: exactly one succeeds (GFT-3)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from gifts.models import GiftGrant, PointsEntry
from gifts.services import gift_create, gift_grant, grant_redeem
from merchants import tenancy
from ratings_inbox.errors import Conflict


def _run_in_thread(target, results, key):
    def wrapper():
        try:
            results[key] = target()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each till got
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=wrapper)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_gft3_concurrent_double_redemption_exactly_one_succeeds(make, acting_for):
    merchant = make.merchant()
    acting_for(merchant)
    actor = make.admin(merchant)
    rating = make.rating(merchant, score=3)
    gift = gift_create(merchant=merchant, actor=actor, name="Puntos", kind="points", points=300, validity_days=5)
    grant = gift_grant(merchant=merchant, actor=actor, rating=rating, gift=gift)
    locked = threading.Event()
    results = {}

    def first_till():
        with tenancy.tenant(merchant.pk), transaction.atomic():
            redeemed = grant_redeem(merchant=merchant, actor=actor, code=grant.code)
            locked.set()
            time.sleep(0.5)  # hold the row lock while the second till tries
            return redeemed

    def second_till():
        locked.wait(5)
        with tenancy.tenant(merchant.pk):
            started = time.monotonic()
            try:
                return grant_redeem(merchant=merchant, actor=actor, code=grant.code.lower())
            finally:
                results["waited"] = time.monotonic() - started

    threads = [_run_in_thread(first_till, results, "first"), _run_in_thread(second_till, results, "second")]
    for thread in threads:
        thread.join(10)

    assert isinstance(results["first"], GiftGrant) and results["first"].status == "redeemed"
    assert isinstance(results["second"], Conflict)
    assert results["waited"] >= 0.3  # it really waited for the first till's lock
    assert GiftGrant.objects.get(pk=grant.pk).status == "redeemed"
    assert PointsEntry.objects.filter(grant=grant).count() == 1
    rating.customer.refresh_from_db()
    assert rating.customer.points_balance == 300


@pytest.mark.django_db(transaction=True)
def test_gft3_simultaneous_start_exactly_one_succeeds(make, acting_for):
    merchant = make.merchant()
    acting_for(merchant)
    actor = make.admin(merchant)
    rating = make.rating(merchant, score=3)
    gift = gift_create(merchant=merchant, actor=actor, name="Tinto", kind="product", product_name="Tinto",
                       validity_days=5)
    grant = gift_grant(merchant=merchant, actor=actor, rating=rating, gift=gift)
    barrier = threading.Barrier(2)
    results = {}

    def till():
        with tenancy.tenant(merchant.pk):
            connection.ensure_connection()
            barrier.wait(5)
            return grant_redeem(merchant=merchant, actor=actor, code=grant.code)

    threads = [_run_in_thread(till, results, n) for n in (1, 2)]
    for thread in threads:
        thread.join(10)
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["Conflict", "GiftGrant"]
