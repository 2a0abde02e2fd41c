"""A branch-restricted member sees nothing of another branch, through any page or endpoint (SEC-2, TEN-5).

Every URL of a merchant is taken from the URL conf, so a page or endpoint added later is
checked too: its path ids are filled with another branch's rating, visit, customer and grant,
and it is called as an admin restricted to one branch, who may do everything but see the
other branch. No answer may carry what only the other branch knows, and no write may land.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from gifts.models import GiftGrant
from gifts.services import gift_create, gift_grant
from merchants.access import Access
from merchants.models import Branch
from ratings.models import Message, Rating
from ratings.services import customer_message_add
from tests.urlconf import routes

SECRET_NAME = "Zoila Secreta"
SECRET_COMMENT = "secreto-de-la-otra-sucursal"
SECRET_BRANCH = "Sucursal Escondida"
# Pages that find a grant by the code the customer shows: the code is the credential, and a
# customer may redeem at any branch of the chain (GFT-3), so these answer for any branch.
REDEEM_BY_CODE = {"redeem", "gift-grants-redeem"}


def _merchant_routes():
    return [(route, name) for route, name in routes() if "<slug:merchant_slug>" in route]


@pytest.fixture
def world(make, merchant):
    """Branch A (the member's) and a hidden branch with its own customer, ratings, visit and grants."""
    mine = Branch.objects.filter(merchant=merchant).order_by("id").first()
    hidden = make.branch(merchant, SECRET_BRANCH)
    admin = make.admin(merchant)
    secret_customer = make.customer(merchant, SECRET_NAME, email="zoila@example.com")
    secret = make.rating(merchant, 2, SECRET_COMMENT, customer=secret_customer, branch=hidden)
    customer_message_add(merchant=merchant, rating=secret, body=SECRET_COMMENT + " otra vez")
    points = gift_create(merchant=merchant, actor=admin, name="Puntos", kind="points", points=500, validity_days=10)
    grant = gift_grant(merchant=merchant, actor=admin, rating=secret, gift=points)
    # A customer of both branches: rated 9 in the member's branch, then 2 in the hidden one,
    # with a gift from the hidden one.
    shared = make.customer(merchant, "Compartido Ambos", email="ambos@example.com")
    visible = make.rating(merchant, 9, "bien", customer=shared, branch=mine,
                          created_at=timezone.now() - dt.timedelta(hours=3))
    hidden_later = make.rating(merchant, 2, SECRET_COMMENT, customer=shared, branch=hidden)
    gift_grant(merchant=merchant, actor=admin, rating=hidden_later, gift=points)
    user = make.member(merchant, "admin", branches=[mine])
    return {"merchant": merchant, "mine": mine, "hidden": hidden, "user": user, "secret": secret,
            "secret_customer": secret_customer, "grant": grant, "gift": points, "shared": shared,
            "visible": visible}


def _path_ids(world, route: str) -> dict:
    secret = world["secret"]
    by_name = {"rating_id": secret.pk, "visit_id": secret.visit_id, "customer_id": world["secret_customer"].pk,
               "grant_id": world["grant"].pk, "gift_id": world["gift"].pk, "quick_reply_id": 0}
    ids = {}
    for name in re.findall(r"<int:(\w+)>", route):
        if name == "id":  # the API names every id `id`: the resource is the segment before it
            resource = route.split("<int:id>")[0].rstrip("/").rsplit("/", 1)[-1]
            name = {"ratings": "rating_id", "customers": "customer_id", "visits": "visit_id",
                    "gifts": "gift_id", "api-keys": "quick_reply_id", "quick-replies": "quick_reply_id"}[resource]
        ids[name] = by_name[name]
    return ids


def _url(world, route: str) -> str:
    path = route.replace("<slug:merchant_slug>", world["merchant"].slug)
    for value in _path_ids(world, route).values():
        path = re.sub(r"<int:\w+>", str(value), path, count=1)
    return "/" + path


def _assert_nothing_hidden(response, what: str) -> None:
    assert response.status_code < 500, what
    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode(errors="replace")
    for secret in (SECRET_NAME, SECRET_COMMENT, SECRET_BRANCH):
        assert secret not in body, f"{what} shows {secret!r}"


def test_every_merchant_url_hides_the_other_branch_from_a_restricted_member_SEC_2(world, client):
    client.force_login(world["user"])
    merchant_routes = _merchant_routes()
    assert len(merchant_routes) > 40  # pages and endpoints alike
    hidden = world["hidden"].pk
    before = (Message.objects.count(), GiftGrant.objects.count(), Rating.objects.filter(is_read=True).count())
    for route, name in merchant_routes:
        url = _url(world, route)
        for query in ("", f"?branch={hidden}&customer={world['secret_customer'].pk}&open={world['secret'].pk}"):
            _assert_nothing_hidden(client.get(url + query), f"GET {url}{query}")
        if name in REDEEM_BY_CODE:
            continue
        form = {"body": "hola", "gift": world["gift"].pk, "source": "catalogue", "title": "t", "enabled": "on",
                "subject": "s", "name": "n", "is_read": "true"}
        _assert_nothing_hidden(client.post(url, form), f"POST {url}")
        _assert_nothing_hidden(client.post(url, form, content_type="application/json"), f"POST {url} (JSON)")
    after = (Message.objects.count(), GiftGrant.objects.count(), Rating.objects.filter(is_read=True).count())
    assert after == before, "a write landed on the hidden branch"


def test_every_url_with_a_hidden_id_answers_404_SEC_2(world, client):
    """Not only no data: the member cannot tell the hidden rows exist (TEN-3)."""
    client.force_login(world["user"])
    for route, name in _merchant_routes():
        ids = set(re.findall(r"<int:(\w+)>", route)) - {"gift_id", "quick_reply_id"}
        if not ids or "api-keys" in route or "quick-replies" in route or "/gifts/<int:id>/" in route:
            continue  # merchant-wide rows (catalogue, keys, quick replies) belong to no branch
        url = _url(world, route)
        response = client.get(url) if "attach" not in name and "redeem" not in name else client.post(url)
        assert response.status_code in (404, 405), f"{url}: {response.status_code}"
        if response.status_code == 405:
            assert client.post(url).status_code == 404, url


def test_points_ledger_of_a_hidden_customer_is_404_SEC_2(world, client):
    client.force_login(world["user"])
    slug = world["merchant"].slug
    assert client.get(f"/m/{slug}/gifts/customers/{world['secret_customer'].pk}/points/").status_code == 404
    assert client.get(f"/api/v1/merchants/{slug}/customers/{world['secret_customer'].pk}/").status_code == 404


def test_last_score_and_gift_counters_come_from_the_members_branches_only_SEC_2(world, client):
    """The shared customer scored 2 last, in the hidden branch, and was given a gift there."""
    client.force_login(world["user"])
    slug, visible = world["merchant"].slug, world["visible"]
    detail = client.get(f"/api/v1/merchants/{slug}/ratings/{visible.pk}/").json()
    assert detail["customer"]["last_score"] == 9
    assert detail["customer"]["gifts_offered"] == 0
    customer = client.get(f"/api/v1/merchants/{slug}/customers/{world['shared'].pk}/").json()
    assert customer["last_score"] == 9 and customer["gifts_offered"] == 0
    page = client.get(f"/m/{slug}/inbox/{visible.pk}/")
    assert page.context["last_score"] == 9
    assert page.context["gift_counters"]["gifts_offered"] == 0
    # The same reads for the whole merchant see both branches.
    from gifts.selectors import customer_gift_counters

    whole = customer_gift_counters(access=Access.system(world["merchant"]), customer=world["shared"],
                                   last_score=True)
    assert whole["last_score"] == 2 and whole["gifts_offered"] == 1


def test_restricted_member_summary_counts_their_branches_only_SEC_2(world, client):
    client.force_login(world["user"])
    summary = client.get(f"/api/v1/merchants/{world['merchant'].slug}/ratings/summary/").json()
    assert summary["total_ratings"] == Rating.objects.filter(branch=world["mine"]).count() == 1


def test_access_fails_closed_without_a_value_SEC_2(merchant):
    """No selector has an optional member: calling one without an access is a TypeError."""
    from ratings.selectors import rating_list

    with pytest.raises(TypeError):
        rating_list(merchant=merchant)
    with pytest.raises(TypeError):
        Access(merchant=merchant, membership=None)  # the branches must be said, even "all" (None)
