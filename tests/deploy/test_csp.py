"""SEC-4: every page sends a Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval', and
no page holds code that such a policy blocks (inline scripts and styles, event handlers, hx-on)."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from customers.links import make_token
from ratings.services import quick_reply_create, rating_reply

from .inline import inline_code

pytestmark = pytest.mark.django_db
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def routes(patterns=None, prefix="", namespace=""):
    """(path with <parameters>, name, namespace) of every route of the URL conf but the admin's."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # the admin's own routes are regular expressions: see admin_paths()
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from routes(pattern.url_patterns, prefix + route, inner)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + route, pattern.name, namespace


def header_is_strict(response) -> str:
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    return policy


@pytest.fixture
def world(make, merchant):
    from gifts.services import gift_create, gift_grant
    from merchants.models import Membership
    from notifications.links import stop_url

    admin_user = make.admin(merchant)
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    visit = make.visit(merchant, customer=customer)
    rating = make.rating(merchant, score=4, comment="Frío", customer=customer)
    rating_reply(merchant=merchant, rating=rating, author=admin_user, body="¿Qué pasó?")
    gift = gift_create(merchant=merchant, actor=admin_user, name="Postre gratis", kind="product",
                       product_name="Postre", validity_days=30)
    grant = gift_grant(merchant=merchant, actor=admin_user, rating=rating, gift=gift)
    quick_reply = quick_reply_create(merchant=merchant, title="Gracias", body="¡Gracias!")
    values = {
        "merchant_slug": merchant.slug, "rating_id": rating.pk, "visit_id": rating.visit_id,
        "quick_reply_id": quick_reply.pk, "gift_id": gift.pk, "grant_id": grant.pk, "customer_id": customer.pk,
        "id": rating.pk,
    }
    tokens = {
        "rate": make_token("rate", merchant_id=merchant.pk, object_id=visit.pk),
        "conversation": make_token("conversation", merchant_id=merchant.pk, object_id=rating.pk),
        "unsubscribe": make_token("unsubscribe", merchant_id=merchant.pk, object_id=customer.pk),
        "followup": make_token("followup", merchant_id=merchant.pk, object_id=rating.pk),
        "stop": stop_url(membership=Membership.objects.get(merchant=merchant, user=admin_user),
                         kind="digest").rstrip("/").rpartition("/")[2],
    }
    return {"admin": admin_user, "values": values, "tokens": tokens}


def fill(route: str, name: str, world) -> str:
    def value(match):
        if match["name"] == "token":
            return world["tokens"][name]
        # A parameter this test does not know yet (a new route): the page may be a 404, but it
        # still has to carry the policy.
        default = "999999" if match["converter"] == "int" else "unknown"
        return str(world["values"].get(match["name"], default))

    return PARAMETER.sub(value, route)


def test_every_route_sends_a_strict_policy_and_its_pages_hold_no_inline_code_sec4(client, world):
    client.force_login(world["admin"])
    pages = {}
    for route, name, namespace in routes():
        if route.startswith("/api/v1/^"):
            route = "/api/v1/no-such-endpoint/"
        path = fill(route, name, world)
        response = client.get(path, headers={"HX-Request": "true"} if route.endswith("/poll/") else {})
        header_is_strict(response)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert inline_code(html) == [], path
            pages[":".join(filter(None, [namespace, name]))] = path
    # The walk reached every kind of page, not a row of 404s.
    assert {"ratings:inbox", "ratings:rating", "ratings:history", "ratings:profile", "ratings:invoice",
            "ratings:quick-replies", "ratings:quick-reply-edit", "gifts:catalogue", "gifts:edit",
            "gifts:redeem", "gifts:rating_panel", "gifts:points", "autoreply:settings", "public:rate",
            "public:conversation", "public:unsubscribe", "notifications:stop", "api:docs"} <= set(pages), sorted(pages)


def admin_paths():
    yield reverse("admin:index")
    yield reverse("admin:password_change")
    for model in admin.site._registry:
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_add")


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])  # the admin reads as the sweeper
def test_admin_pages_send_a_strict_policy_and_hold_no_inline_code_sec4(client, world, django_user_model):
    assert inline_code(client.get(reverse("admin:login")).content.decode()) == []
    client.force_login(django_user_model.objects.create_superuser(email="ops@example.com", password="pw-12345"))
    paths = [*admin_paths(), reverse("admin:ratings_rating_change", args=[world["values"]["rating_id"]])]
    for path in paths:
        response = client.get(path)
        header_is_strict(response)
        assert response.status_code in (200, 403), path  # 403: a model the admin may not add to
        assert inline_code(response.content.decode()) == [], path


def test_login_and_error_pages_send_a_strict_policy_sec4(client, db):
    for path, status in (("/login/", 200), ("/no-such-page/", 404), ("/api/v1/no-such-endpoint/", 404),
                         ("/api/v1/docs/?script=", 200), ("/api/v1/schema/", 200)):
        response = client.get(path)
        assert response.status_code == status, path
        header_is_strict(response)
        if response["Content-Type"].startswith("text/html"):
            assert inline_code(response.content.decode()) == [], path


def test_htmx_needs_no_eval_and_injects_no_styles_sec4(client, db):
    html = client.get("/login/").content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false""" in html


@pytest.mark.parametrize("html, found", [
    ('<script>alert(1)</script>', "inline <script>"),
    ('<p style="color:red">', "style attribute"),
    ('<button onclick="go()">', "event handler"),
    ('<div hx-on:click="go()">', "htmx hx-on"),
    ('<a href="javascript:go()">', "javascript: URL"),
    ('<div hx-vals=\'js:{a: go()}\'>', "hx-vals evaluated"),
    ("<style>p{}</style>", "<style> block"),
])
def test_the_inline_code_finder_finds_what_the_policy_blocks_sec4(html, found):
    assert any(item.startswith(found) for item in inline_code(html)), inline_code(html)


def test_the_inline_code_finder_lets_scripts_from_files_and_json_data_pass_sec4():
    assert inline_code('<script src="/static/js/inbox.js" defer></script>'
                       '<script type="application/json">{"a": 1}</script><p class="x">') == []
