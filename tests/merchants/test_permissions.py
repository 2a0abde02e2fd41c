"""PRODUCT.md §9 role x endpoint, TEN-3 (404 across merchants), integration keys (API.md "Authentication")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from merchants import tenancy
from tests.conftest import base

ROLES = ["staff", "agent", "admin"]


def _visit_payload(merchant, number):
    from merchants.models import Branch

    return {
        "branch": Branch.objects.filter(merchant=merchant).first().id,
        "customer": {"external_id": f"X-{number}", "full_name": "Ana"},
        "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "invoice": {"number": f"N-{number}", "total": "10.00", "currency": "COP"},
    }


def endpoints(make, merchant):
    """(label, method, path, body, least role, success status) for one fresh set of objects."""
    from ratings.models import QuickReply

    rating = make.rating(merchant, 4, "Mal")
    quick = QuickReply.objects.create(merchant=merchant, title=f"Q{rating.id}", body="Hola")
    visit = make.visit(merchant)
    m = base(merchant)
    return [
        ("branches list", "get", m + "branches/", None, "staff", 200),
        ("branches create", "post", m + "branches/", {"name": f"B{rating.id}"}, "admin", 201),
        ("ratings list", "get", m + "ratings/", None, "staff", 200),
        ("ratings summary", "get", m + "ratings/summary/", None, "staff", 200),
        ("rating detail", "get", m + f"ratings/{rating.id}/", None, "staff", 200),
        ("rating read", "post", m + f"ratings/{rating.id}/read/", None, "staff", 204),
        ("rating unread", "post", m + f"ratings/{rating.id}/unread/", None, "staff", 204),
        ("rating create", "post", m + "ratings/", {"visit": visit.id, "score": 7}, "admin", 201),
        ("messages list", "get", m + f"ratings/{rating.id}/messages/", None, "staff", 200),
        ("reply", "post", m + f"ratings/{rating.id}/messages/", {"body": "Hola"}, "staff", 201),
        ("customers", "get", m + "customers/", None, "staff", 200),
        ("customer", "get", m + f"customers/{rating.customer_id}/", None, "staff", 200),
        ("customer ratings", "get", m + f"customers/{rating.customer_id}/ratings/", None, "staff", 200),
        ("customer visits", "get", m + f"customers/{rating.customer_id}/visits/", None, "staff", 200),
        ("visit", "get", m + f"visits/{visit.id}/", None, "staff", 200),
        ("visit create", "post", m + "visits/", _visit_payload(merchant, rating.id), "admin", 201),
        ("keys list", "get", m + "api-keys/", None, "admin", 200),
        ("keys create", "post", m + "api-keys/", {"name": "Caja"}, "admin", 201),
        ("quick replies", "get", m + "quick-replies/", None, "staff", 200),
        ("quick reply", "get", m + f"quick-replies/{quick.id}/", None, "staff", 200),
        ("quick reply create", "post", m + "quick-replies/", {"title": f"T{rating.id}", "body": "x"}, "admin", 201),
        ("quick reply edit", "patch", m + f"quick-replies/{quick.id}/", {"body": "y"}, "admin", 200),
        ("quick reply delete", "delete", m + f"quick-replies/{quick.id}/", None, "admin", 204),
    ]


RANK = {"staff": 1, "agent": 2, "admin": 3}


def _labels():
    return ["branches list", "branches create", "ratings list", "ratings summary", "rating detail", "rating read",
            "rating unread", "rating create", "messages list", "reply", "customers", "customer",
            "customer ratings", "customer visits", "visit", "visit create", "keys list", "keys create",
            "quick replies", "quick reply", "quick reply create", "quick reply edit", "quick reply delete"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", _labels())
def test_role_matrix(make, merchant, client_for, role, label):
    """Each role x endpoint cell: allowed with its success status, or 403."""
    client = client_for(make.admin(merchant) if role == "admin" else make.member(merchant, role))
    _label, method, path, body, least, success = next(e for e in endpoints(make, merchant) if e[0] == label)
    response = getattr(client, method)(path, body, format="json")
    expected = success if RANK[role] >= RANK[least] else 403
    assert response.status_code == expected, (role, label, response.content)


@pytest.mark.parametrize("label", _labels())
def test_non_members_get_404_everywhere(make, merchant, other_merchant, client_for, label):
    """TEN-3: an admin of another merchant learns nothing: 404, never 403."""
    outsider = client_for(make.admin(other_merchant))
    _label, method, path, body, _least, _success = next(e for e in endpoints(make, merchant) if e[0] == label)
    assert getattr(outsider, method)(path, body, format="json").status_code == 404


@pytest.mark.parametrize("label", _labels())
def test_integration_key_may_only_post_visits_and_ratings(make, merchant, other_merchant, client_for, label):
    from merchants.services import api_key_create

    _key, own = api_key_create(merchant=merchant, name="POS")
    with tenancy.tenant(other_merchant.pk):
        _key, foreign = api_key_create(merchant=other_merchant, name="POS")
    _label, method, path, body, _least, success = next(e for e in endpoints(make, merchant) if e[0] == label)
    allowed = label in ("rating create", "visit create")
    response = getattr(client_for(api_key=own), method)(path, body, format="json")
    assert response.status_code == (success if allowed else 403), response.content
    response = getattr(client_for(api_key=foreign), method)(path, body, format="json")
    assert response.status_code == 404


def test_ids_of_another_merchant_in_the_path_are_404(make, merchant, other_merchant, admin_client):
    from ratings.models import QuickReply

    foreign = make.rating(other_merchant, 5, "x")
    with tenancy.tenant(other_merchant.pk):
        quick = QuickReply.objects.create(merchant=other_merchant, title="T", body="B")
    m = base(merchant)
    for path in (f"ratings/{foreign.id}/", f"ratings/{foreign.id}/messages/", f"customers/{foreign.customer_id}/",
                 f"customers/{foreign.customer_id}/ratings/", f"customers/{foreign.customer_id}/visits/",
                 f"visits/{foreign.visit_id}/", f"quick-replies/{quick.id}/"):
        assert admin_client.get(m + path).status_code == 404, path
    assert admin_client.post(m + f"ratings/{foreign.id}/read/").status_code == 404
    assert admin_client.post(m + f"ratings/{foreign.id}/messages/", {"body": "x"}, format="json").status_code == 404
    assert admin_client.patch(m + f"quick-replies/{quick.id}/", {"body": "x"}, format="json").status_code == 404
    assert admin_client.delete(m + f"api-keys/{quick.id}/").status_code == 404
    assert admin_client.get("/api/v1/merchants/no-such-merchant/ratings/").status_code == 404


def test_branch_restricted_member_sees_only_their_branches(make, merchant, client_for):
    north = make.branch(merchant, "Norte")
    south = make.branch(merchant, "Sur")
    mine = make.rating(merchant, 8, branch=north)
    theirs = make.rating(merchant, 8, branch=south)
    client = client_for(make.member(merchant, "agent", branches=[north]))
    m = base(merchant)
    assert [r["id"] for r in client.get(m + "ratings/").json()["results"]] == [mine.id]
    assert [b["id"] for b in client.get(m + "branches/").json()["results"]] == [north.id]
    assert client.get(m + f"ratings/{theirs.id}/").status_code == 404
    assert client.get(m + f"visits/{theirs.visit_id}/").status_code == 404
    assert client.get(m + f"ratings/?branch={south.id}").status_code == 400
    assert client.get(m + "ratings/summary/").json()["total_ratings"] == 1
    me = client.get("/api/v1/me/").json()
    assert me["memberships"][0]["branches"] == [north.id] and me["memberships"][0]["role"] == "agent"
