"""No input gives a 500 in the pages (SEC-7): every page of a merchant, and the customer pages,
fed hostile query parameters, form fields, ids and cursors. The URLs come from the URL conf, so a
new page is fuzzed as soon as it exists (an unknown path converter fails the test)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from customers.links import make_token
from tests.hostile import CURSORS, HOSTILE

# Every name a page reads from its query string, and a few it might.
PARAMETERS = ["sort", "branch", "date_from", "date_to", "q", "cursor", "open", "sig", "sent", "thanks", "page",
              "page_size", "status", "customer", "gift", "code"]
# Every name a page's form posts.
FORM_FIELDS = ["name", "kind", "product_name", "points", "discount_percent", "discount_amount", "validity_days",
               "is_active", "code", "source", "gift", "subject", "body", "delay_minutes", "enabled", "title",
               "score", "comment"]
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _page_patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _page_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def page_routes() -> list[str]:
    """The routes of the merchant pages and the customer pages: neither the API nor the admin."""
    return sorted(route for route in _page_patterns(get_resolver())
                  if route.startswith("m/") or re.match(r"^[a-z]/<str:token>/$", route))


@pytest.fixture
def world(make, merchant):
    """One of everything a page URL can name, and the admin's client."""
    from gifts.services import gift_create, gift_grant
    from merchants.access import Access
    from merchants.models import Membership
    from notifications.links import stop_url
    from ratings.cases import case_update
    from ratings.followup import followup_request
    from ratings.services import quick_reply_create

    admin = make.admin(merchant)
    rating = make.rating(merchant, 4, "Frío", customer=make.customer(merchant, "Ana Ruiz"))
    gift = gift_create(merchant=merchant, actor=admin, name="Tinto", kind="product", product_name="Tinto",
                       validity_days=5)
    grant = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=gift)
    quick_reply = quick_reply_create(merchant=merchant, title="Gracias", body="¡Gracias!")
    # Resolved and asked to rate again (ANA-4), so that its /f/ page has a form to post to.
    case_update(access=Access.system(merchant), rating=rating, actor=admin, status="resolved")
    followup_request(access=Access.system(merchant), rating=rating, actor=admin)
    return {
        "merchant_slug": merchant.slug, "rating_id": rating.pk, "visit_id": rating.visit_id,
        "customer_id": rating.customer_id, "gift_id": gift.pk, "grant_id": grant.pk,
        "quick_reply_id": quick_reply.pk, "table": "recovery",  # an analytics CSV (ANA-6)
        "token": {"r": make_token("rate", merchant_id=merchant.pk, object_id=rating.visit_id),
                  "c": make_token("conversation", merchant_id=merchant.pk, object_id=rating.pk),
                  "u": make_token("unsubscribe", merchant_id=merchant.pk, object_id=rating.customer_id),
                  "f": make_token("followup", merchant_id=merchant.pk, object_id=rating.pk),
                  "n": stop_url(membership=Membership.objects.get(merchant=merchant, user=admin),
                                kind="digest").rstrip("/").rpartition("/")[2]},
        "admin": admin,
    }


def _path(route: str, world: dict, **override) -> str:
    def value(match):
        name = match.group(1)
        if name in override:
            return override[name]
        if name == "token":
            return world["token"][route[0]]
        return str(world[name])

    return "/" + CONVERTER.sub(value, route)


def _server_errors(client, path: str, queries, headers=None) -> list:
    errors = []
    for query in queries:
        response = client.get(f"{path}?{query}", headers=headers or {})
        if response.status_code >= 500:
            errors.append((path, query[:120], headers, response.status_code))
    return errors


@pytest.fixture
def admin_page_client(client, world):
    client.raise_request_exception = False
    client.force_login(world["admin"])
    return client


def test_every_page_route_is_fuzzed():
    routes = page_routes()
    assert "m/<slug:merchant_slug>/inbox/" in routes and "m/<slug:merchant_slug>/inbox/poll/" in routes
    assert any(route.startswith("m/<slug:merchant_slug>/gifts/") for route in routes)
    assert {"r/<str:token>/", "c/<str:token>/", "u/<str:token>/", "f/<str:token>/"} <= set(routes)


@pytest.mark.parametrize("route", page_routes())
def test_sec7_hostile_query_strings_never_give_a_500(admin_page_client, world, route):
    path = _path(route, world)
    every_parameter = ["&".join(f"{name}={value}" for name in PARAMETERS) for value in HOSTILE]
    assert _server_errors(admin_page_client, path, every_parameter) == []


@pytest.mark.parametrize("route, names", [
    ("m/<slug:merchant_slug>/inbox/", ["sort", "branch", "date_from", "date_to", "q"]),
    ("m/<slug:merchant_slug>/inbox/poll/", ["open", "sig"]),
])
def test_sec7_each_inbox_parameter_alone_never_gives_a_500(admin_page_client, world, route, names):
    """One parameter at a time, so a bad value cannot hide behind another that was refused first."""
    queries = [f"{name}={value}" for name in names for value in HOSTILE]
    assert _server_errors(admin_page_client, _path(route, world), queries) == []


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "customer", "-score", "is_read"])
def test_sec7_forged_cursors_never_give_a_500(admin_page_client, world, sort):
    """The inbox reads `cursor` when the list scrolls (htmx's load-more)."""
    queries = [f"sort={sort}&cursor={cursor}" for cursor in CURSORS + HOSTILE]
    headers = {"HX-Request": "true", "HX-Target": "load-more"}
    assert _server_errors(admin_page_client, _path("m/<slug:merchant_slug>/inbox/", world), queries, headers) == []


@pytest.mark.parametrize("route", page_routes())
def test_sec7_hostile_form_posts_never_give_a_500(admin_page_client, world, route):
    """Every field of every form set to each hostile value, posted to every page (SEC-7)."""
    path, errors = _path(route, world), []
    for value in HOSTILE:
        body = "&".join(f"{name}={value}" for name in FORM_FIELDS)
        response = admin_page_client.post(path, body, content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            errors.append((path, value[:40], response.status_code))
    assert errors == []


@pytest.mark.parametrize("route", [r for r in page_routes() if "<int:" in r or "<str:token>" in r])
def test_sec7_hostile_ids_in_the_path_never_give_a_500(admin_page_client, world, route):
    errors = []
    for bad in ("0", "99999999999999999999999", "9223372036854775808", "x" * 3000, "%00", "%ED%A0%80"):
        if "<int:" in route and not bad.isdigit():
            continue  # the URL pattern itself refuses it: a 404 before any view
        path = _path(route, world, **{name: bad for name in CONVERTER.findall(route) if name != "merchant_slug"})
        errors += _server_errors(admin_page_client, path, [""])
    assert errors == []
