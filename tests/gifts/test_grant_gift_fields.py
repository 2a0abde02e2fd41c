"""A grant names its gift: a one-off gift is not in the catalogue (GET gifts/{id}/ is a 404), so
the grant itself tells an integrator what the customer was given (API.md "Gifts", GFT-2)."""

from __future__ import annotations

import pytest

from tests.conftest import base

ONE_OFF = {"name": "Café de la casa", "kind": "product", "product_name": "Tinto", "validity_days": 3}


@pytest.fixture
def one_off_grant(make, merchant, admin_client):
    rating = make.rating(merchant, 3, "Frío")
    response = admin_client.post(base(merchant) + f"ratings/{rating.id}/gifts/", {"new_gift": ONE_OFF}, format="json")
    assert response.status_code == 201, response.content
    return rating, response.json()


def test_attaching_a_one_off_gift_answers_its_name_and_kind(merchant, admin_client, one_off_grant):
    _rating, grant = one_off_grant
    assert grant["gift_name"] == "Café de la casa" and grant["gift_kind"] == "product"
    assert admin_client.get(base(merchant) + f"gifts/{grant['gift']}/").status_code == 404  # why it is needed


def test_grant_list_detail_and_redeem_name_the_gift(make, merchant, admin_client, one_off_grant):
    from gifts.services import gift_create

    rating, grant = one_off_grant
    points = gift_create(merchant=merchant, actor=None, name="Puntos", kind="points", points=50, validity_days=9)
    catalogue = admin_client.post(base(merchant) + f"ratings/{rating.id}/gifts/", {"gift": points.pk},
                                  format="json").json()
    listed = admin_client.get(base(merchant) + "gift-grants/").json()["results"]
    assert [(g["id"], g["gift_name"], g["gift_kind"]) for g in listed] == [
        (catalogue["id"], "Puntos", "points"), (grant["id"], "Café de la casa", "product")]
    detail = admin_client.get(base(merchant) + f"ratings/{rating.id}/").json()
    assert [(g["gift_name"], g["gift_kind"]) for g in detail["gift_grants"]] == [
        ("Café de la casa", "product"), ("Puntos", "points")]
    redeemed = admin_client.post(base(merchant) + "gift-grants/redeem/", {"code": grant["code"]}, format="json")
    assert redeemed.status_code == 200
    assert redeemed.json()["gift_name"] == "Café de la casa" and redeemed.json()["gift_kind"] == "product"


def test_schema_documents_the_gift_name_and_kind_of_a_grant(db):
    import yaml
    from rest_framework.test import APIClient

    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    grant = schema["components"]["schemas"]["Grant"]
    assert {"gift_name", "gift_kind"} <= set(grant["required"])
    assert grant["properties"]["gift_name"]["type"] == "string"
    kind = grant["properties"]["gift_kind"]
    kind = schema["components"]["schemas"][kind["$ref"].rsplit("/", 1)[1]] if "$ref" in kind else kind
    assert set(kind["enum"]) == {"product", "points", "discount"}
