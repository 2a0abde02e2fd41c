"""Gifts gain an optional cost (ANA-3, API.md "Gifts"): in the catalogue form, one-off gifts and
the API, never negative (in the database too); each grant keeps the cost it was given with."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from gifts.models import Gift, GiftGrant
from tests.conftest import base

PRODUCT = {"name": "Postre", "kind": "product", "product_name": "Flan", "validity_days": 30}


def test_the_api_writes_and_reads_the_cost_ANA_3(make, merchant, client_for):
    client = client_for(make.admin(merchant))
    created = client.post(base(merchant) + "gifts/", {**PRODUCT, "cost": "2500.50"}, format="json")
    assert created.status_code == 201 and created.json()["cost"] == "2500.50"
    plain = client.post(base(merchant) + "gifts/", {**PRODUCT, "name": "Sin costo"}, format="json").json()
    assert plain["cost"] is None
    refused = client.post(base(merchant) + "gifts/", {**PRODUCT, "name": "Mal", "cost": "-1"}, format="json")
    assert refused.status_code == 400 and "cost" in refused.json()
    changed = client.patch(base(merchant) + f"gifts/{plain['id']}/", {"cost": "900"}, format="json")
    assert changed.status_code == 200 and changed.json()["cost"] == "900.00"


def test_a_one_off_gift_has_a_cost_and_the_grant_keeps_it_ANA_3(make, merchant, client_for):
    rating = make.rating(merchant, 3)
    client = client_for(make.admin(merchant))
    response = client.post(base(merchant) + f"ratings/{rating.pk}/gifts/",
                           {"new_gift": {**PRODUCT, "cost": "7000"}}, format="json")
    assert response.status_code == 201
    grant = GiftGrant.objects.get(pk=response.json()["id"])
    assert grant.cost == Decimal("7000.00") and grant.gift.cost == Decimal("7000.00")
    Gift.objects.filter(pk=grant.gift_id).update(cost=1)  # a later estimate leaves the grant's as it was
    assert GiftGrant.objects.get(pk=grant.pk).cost == Decimal("7000.00")


def test_the_catalogue_form_sets_the_cost_ANA_3(make, merchant, client):
    client.force_login(make.admin(merchant))
    page = client.get(f"/m/{merchant.slug}/gifts/")
    assert b'name="cost"' in page.content
    response = client.post(f"/m/{merchant.slug}/gifts/new/", {**PRODUCT, "cost": "3.000,5"})
    assert response.status_code == 400 and "cost" in response.content.decode()
    client.post(f"/m/{merchant.slug}/gifts/new/", {**PRODUCT, "cost": "3000,50"})
    assert Gift.objects.get(merchant=merchant, name="Postre").cost == Decimal("3000.50")


@pytest.mark.parametrize("model", ["gift", "grant"])
def test_a_negative_cost_is_refused_by_the_database_ANA_3(make, merchant, model):
    gift = Gift.objects.create(merchant=merchant, name="X", kind="product", product_name="Y", validity_days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        if model == "gift":
            Gift.objects.filter(pk=gift.pk).update(cost=-1)
        else:
            rating = make.rating(merchant, 2)
            from django.utils import timezone

            GiftGrant.objects.create(merchant=merchant, gift=gift, customer=rating.customer, rating=rating,
                                     code="ABCDEFGH", expires_at=timezone.now() + timezone.timedelta(days=1),
                                     cost=-1)
