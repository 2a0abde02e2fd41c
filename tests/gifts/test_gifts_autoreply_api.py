"""API.md "Gifts" and "Auto-reply" endpoints (GFT-1..4, AR-1, AR-2) and their role cells of PRODUCT.md §9."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from merchants import tenancy
from tests.conftest import base

GIFT_FIELDS = {"id", "name", "kind", "product_name", "points", "discount_percent", "discount_amount",
               "validity_days", "cost", "is_active"}
GRANT_FIELDS = {"id", "gift", "gift_name", "gift_kind", "code", "status", "granted_at", "expires_at", "redeemed_at"}
PRODUCT = {"name": "Postre gratis", "kind": "product", "product_name": "Flan", "points": None,
           "discount_percent": None, "discount_amount": None, "validity_days": 30}


def make_gift(merchant, **overrides):
    from gifts.services import gift_create

    values = {k: v for k, v in {**PRODUCT, **overrides}.items()}
    with tenancy.tenant(merchant.pk):
        return gift_create(merchant=merchant, actor=None, **values)


@pytest.mark.parametrize("payload", [
    PRODUCT,
    {"name": "Puntos", "kind": "points", "points": 500, "validity_days": 90},
    {"name": "Descuento", "kind": "discount", "discount_percent": 15, "validity_days": 10},
    {"name": "Bono", "kind": "discount", "discount_amount": "5000.00", "discount_percent": None, "validity_days": 10},
])
def test_admin_creates_gifts_of_each_kind(merchant, admin_client, payload):
    response = admin_client.post(base(merchant) + "gifts/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == GIFT_FIELDS and body["kind"] == payload["kind"] and body["is_active"] is True
    listed = admin_client.get(base(merchant) + "gifts/").json()["results"]
    assert [g["id"] for g in listed] == [body["id"]]


@pytest.mark.parametrize("payload, field", [
    ({**PRODUCT, "points": 10}, "points"),
    ({**PRODUCT, "product_name": None}, "product_name"),
    ({"name": "D", "kind": "discount", "discount_percent": 10, "discount_amount": "10", "validity_days": 5},
     "discount_amount"),
    ({"name": "D", "kind": "discount", "validity_days": 5}, None),
    ({**PRODUCT, "kind": "voucher"}, "kind"),
    ({**PRODUCT, "validity_days": 0}, "validity_days"),
    ({**PRODUCT, "name": ""}, "name"),
])
def test_gift_fields_must_match_the_kind(merchant, admin_client, payload, field):
    from gifts.models import Gift

    response = admin_client.post(base(merchant) + "gifts/", payload, format="json")
    assert response.status_code == 400, response.content
    if field:
        assert field in response.json()
    assert not Gift.objects.filter(merchant=merchant).exists()


def test_patch_deactivates_and_inactive_gift_cannot_be_attached(make, merchant, admin_client):
    gift = make_gift(merchant)
    response = admin_client.patch(base(merchant) + f"gifts/{gift.id}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    rating = make.rating(merchant, 3)
    response = admin_client.post(base(merchant) + f"ratings/{rating.id}/gifts/", {"gift": gift.id}, format="json")
    assert response.status_code == 400 and "gift" in response.json()


def test_attach_gift_to_rating(make, client_for):
    """GFT-2/3: code alphabet, expiry at the end of the day validity_days later in the merchant's zone."""
    merchant = make.merchant(timezone_name="Pacific/Auckland")
    gift = make_gift(merchant, validity_days=7)
    rating = make.rating(merchant, 3, "Mal")
    agent = client_for(make.member(merchant, "agent"))
    response = agent.post(base(merchant) + f"ratings/{rating.id}/gifts/", {"gift": gift.id}, format="json")
    assert response.status_code == 201, response.content
    grant = response.json()
    assert set(grant) == GRANT_FIELDS and grant["gift"] == gift.id and grant["status"] == "offered"
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8,}", grant["code"])
    zone = ZoneInfo("Pacific/Auckland")
    granted = dt.datetime.fromisoformat(grant["granted_at"])
    expires = dt.datetime.fromisoformat(grant["expires_at"]).astimezone(zone)
    assert expires.date() == granted.astimezone(zone).date() + dt.timedelta(days=7)
    assert (expires.hour, expires.minute) == (23, 59)
    assert grant["expires_at"].endswith(("+13:00", "+12:00"))
    detail = agent.get(base(merchant) + f"ratings/{rating.id}/").json()
    assert detail["gift_grants"][0]["id"] == grant["id"]
    assert detail["customer"]["gifts_offered"] == 1
    assert any(m["gift_grant"] == grant["id"] and m["author_kind"] == "system" for m in detail["messages"])


def test_attach_one_off_gift_and_bad_input(make, merchant, admin_client, other_merchant):
    rating = make.rating(merchant, 3)
    url = base(merchant) + f"ratings/{rating.id}/gifts/"
    new = {"name": "Café", "kind": "product", "product_name": "Tinto", "validity_days": 3}
    response = admin_client.post(url, {"new_gift": new}, format="json")
    assert response.status_code == 201, response.content
    assert admin_client.get(base(merchant) + "gifts/").json()["results"] == []  # one-offs stay out of the catalogue
    bad = admin_client.post(url, {"new_gift": {**new, "points": 5}}, format="json")
    assert bad.status_code == 400 and "new_gift" in bad.json()
    assert admin_client.post(url, {}, format="json").status_code == 400
    foreign = make_gift(other_merchant)
    response = admin_client.post(url, {"gift": foreign.id}, format="json")
    assert response.status_code == 400 and "gift" in response.json()
    assert admin_client.post(base(merchant) + "ratings/999999/gifts/", {"gift": 1}, format="json").status_code == 404


def test_grants_list_and_redeem(make, merchant, admin_client, client_for, other_merchant):
    from gifts.services import gift_grant

    gift = make_gift(merchant, name="Puntos", kind="points", product_name=None, points=100)
    rating = make.rating(merchant, 3)
    grant = gift_grant(merchant=merchant, actor=None, rating=rating, gift=gift)
    other = gift_grant(merchant=merchant, actor=None, rating=make.rating(merchant, 5), gift=gift)
    listed = admin_client.get(base(merchant) + "gift-grants/").json()["results"]
    assert [g["id"] for g in listed] == [other.id, grant.id] and set(listed[0]) == GRANT_FIELDS
    mine = admin_client.get(base(merchant) + f"gift-grants/?customer={rating.customer_id}").json()["results"]
    assert [g["id"] for g in mine] == [grant.id]
    agent = client_for(make.member(merchant, "agent"))
    response = agent.post(base(merchant) + "gift-grants/redeem/", {"code": grant.code.lower()}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "redeemed" and response.json()["redeemed_at"]
    rating.customer.refresh_from_db()
    assert rating.customer.points_balance == 100
    again = agent.post(base(merchant) + "gift-grants/redeem/", {"code": grant.code}, format="json")
    assert again.status_code == 409
    assert agent.post(base(merchant) + "gift-grants/redeem/", {"code": "ZZZZZZZZ"}, format="json").status_code == 404
    redeemed = admin_client.get(base(merchant) + "gift-grants/?status=redeemed").json()["results"]
    assert [g["id"] for g in redeemed] == [grant.id]
    assert [g["id"] for g in admin_client.get(base(merchant) + "gift-grants/?status=offered").json()["results"]] \
        == [other.id]
    assert "status" in admin_client.get(base(merchant) + "gift-grants/?status=lost").json()
    foreign = make.customer(other_merchant, "Ajeno")
    assert "customer" in admin_client.get(base(merchant) + f"gift-grants/?customer={foreign.id}").json()


def test_expired_code_is_409(make, merchant, admin_client):
    from gifts.models import GiftGrant

    gift = make_gift(merchant)
    rating = make.rating(merchant, 3)
    now = timezone.now()
    grant = GiftGrant.objects.create(merchant=merchant, gift=gift, customer=rating.customer, rating=rating,
                                     code="EXPRD234", granted_at=now - dt.timedelta(days=5),
                                     expires_at=now - dt.timedelta(days=1))
    response = admin_client.post(base(merchant) + "gift-grants/redeem/", {"code": "exprd234"}, format="json")
    assert response.status_code == 409
    assert admin_client.get(base(merchant) + "gift-grants/?status=expired").json()["results"][0]["id"] == grant.id


def test_autoreply_settings(make, client_for):
    merchant = make.merchant(language="en")
    client = client_for(make.admin(merchant))
    url = base(merchant) + "autoreply/"
    body = client.get(url).json()
    assert set(body) == {"enabled", "subject", "body", "delay_minutes", "updated_at"}
    assert body["enabled"] is False and "{first_name}" in body["subject"] and "Hi" in body["body"]
    response = client.put(url, {"enabled": True, "subject": "Hola {first_name} {{ok}}", "body": "Visita {visit_date}",
                                "delay_minutes": 30}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["enabled"] is True and response.json()["delay_minutes"] == 30
    bad = client.put(url, {"subject": "Hola {nombre}", "body": "x"}, format="json")
    assert bad.status_code == 400 and "nombre" in str(bad.json()["subject"])
    bad = client.put(url, {"body": "Hola {first_name"}, format="json")
    assert bad.status_code == 400 and "body" in bad.json()
    assert client.put(url, {"delay_minutes": 5000}, format="json").status_code == 400
    preview = client.post(url + "preview/", {"subject": "Hi {first_name}", "body": "At {merchant} {{x}}"},
                          format="json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["subject"].startswith("Hi ") and "{first_name}" not in preview.json()["subject"]
    assert preview.json()["body"] == f"At {merchant.name} {{x}}"
    bad = client.post(url + "preview/", {"subject": "x", "body": "{unknown}"}, format="json")
    assert bad.status_code == 400 and "unknown" in str(bad.json()["body"])


def test_spanish_visit_date_in_preview(make, client_for):
    merchant = make.merchant(language="es")
    client = client_for(make.admin(merchant))
    preview = client.post(base(merchant) + "autoreply/preview/", {"subject": "x", "body": "{visit_date}"},
                          format="json").json()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", preview["body"])


GIFT_CELLS = [
    ("gifts list", "get", "gifts/", None, "staff", 200),
    ("gift detail", "get", "gifts/{gift}/", None, "staff", 200),
    ("gift create", "post", "gifts/", PRODUCT, "admin", 201),
    ("gift edit", "patch", "gifts/{gift}/", {"is_active": False}, "admin", 200),
    ("attach", "post", "ratings/{rating}/gifts/", {"gift": "{gift}"}, "agent", 201),
    ("attach one-off", "post", "ratings/{rating}/gifts/",
     {"new_gift": {"name": "X", "kind": "points", "points": 5, "validity_days": 2}}, "agent", 201),
    ("grants", "get", "gift-grants/", None, "staff", 200),
    ("redeem", "post", "gift-grants/redeem/", {"code": "{code}"}, "agent", 200),
    ("autoreply get", "get", "autoreply/", None, "admin", 200),
    ("autoreply put", "put", "autoreply/", {"enabled": True}, "admin", 200),
    ("autoreply preview", "post", "autoreply/preview/", {"subject": "a", "body": "b"}, "admin", 200),
]
RANK = {"staff": 1, "agent": 2, "admin": 3}


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if filled.isdigit() and value.startswith("{") else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ["staff", "agent", "admin", "key", "outsider"])
@pytest.mark.parametrize("cell", GIFT_CELLS, ids=[c[0] for c in GIFT_CELLS])
def test_gift_and_autoreply_role_cells(make, merchant, other_merchant, client_for, role, cell):
    from gifts.services import gift_grant
    from merchants.services import api_key_create

    label, method, path, body, least, success = cell
    gift = make_gift(merchant)
    rating = make.rating(merchant, 3)
    grant = gift_grant(merchant=merchant, actor=None, rating=make.rating(merchant, 4), gift=gift)
    ids = {"gift": gift.id, "rating": rating.id, "code": grant.code}
    if role == "key":
        client = client_for(api_key=api_key_create(merchant=merchant, name="POS")[1])
        expected = 403
    elif role == "outsider":
        client = client_for(make.admin(other_merchant))
        expected = 404
    else:
        client = client_for(make.admin(merchant) if role == "admin" else make.member(merchant, role))
        expected = success if RANK[role] >= RANK[least] else 403
    response = getattr(client, method)(base(merchant) + _fill(path, ids), _fill(body, ids), format="json")
    assert response.status_code == expected, response.content
