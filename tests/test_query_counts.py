"""Statements per GET page and endpoint, pinned: every route of the URL conf has its number.

Each route is requested with a small and a larger world, as a logged-in admin (every page
and endpoint open to them). The count must be the pinned one both times: a
change of the number is a decision (update PINS in the same commit, and say why), and a
count that grows with the rows is an N+1. A route added to the URL conf without a pin
fails `test_every_get_route_has_a_pin`.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gifts.services import gift_create, gift_grant
from ratings.services import customer_message_add, quick_reply_create
from tests.urlconf import routes

# url name -> statements of one GET by a logged-in admin, with the test's SAVEPOINT/RELEASE pair
# that ATOMIC_REQUESTS adds inside the test transaction, the session and the user.
# inbox and rating: +1 for the members the owner filter and the bulk bar offer (CASE-6, CASE-8); rating:
# +2 for the case log and the members who can own its case (the case bar, CASE-3, CASE-5);
# the rows' owner names are a sub-select of the list's statement, so the poll stays at 11; rating: +1 for the
# delivery state of its e-mailed messages (THR-2; the poll reads it too, only while a rating is open).
PINS = {
    # history, profile and invoice typed or reloaded are pages of their own: +1 for the layout's merchant
    # switcher with its unread counts (as the drawer's htmx panel they are one fewer).
    "inbox": 12, "poll": 11, "rating": 26, "history": 11, "profile": 10, "invoice": 10,
    "quick-replies": 9, "quick-reply-edit": 9, "catalogue": 9, "edit": 10, "redeem": 8,
    "rating_panel": 10, "points": 9, "settings": 10, "api:me": 9, "api:branches": 9, "api:ratings": 9,
    "api:ratings-summary": 9, "api:rating": 13, "api:rating-messages": 10, "api:customers": 9,
    "api:customer": 10, "api:customer-ratings": 10, "api:customer-visits": 10, "api:visit": 11,
    "api:api-keys": 9, "api:quick-replies": 9, "api:quick-reply": 9, "api:gifts": 9, "api:gift": 9,
    "api:gift-grants": 9, "api:autoreply": 9, "api:rating-events": 10, "bulk-count": 9,
    # The CSV export, its stream included: 2 to enter the merchant again and restore the transaction's
    # setting, 1 for the branches' names, 1 a page. api:me and the export: the merchant chosen before a
    # tenant() block is known without a statement (SCALE-3), one fewer each.
    "export": 12, "api:ratings-export": 12,
    "customer-export": 15, "customer-erase": 9, "privacy-settings": 8, "api:customer-export": 16, "api:retention": 8,
    # SLA-1: the settings are columns of the request's merchant, read by the middleware already.
    "case-settings": 8, "api:case-settings": 8,
    # A member's notification settings (SLA-4) are their membership, already read to let them in: no query of their own.
    "preferences": 8, "api:me-notifications": 8,
    # Analytics (ANA-1..6), the page: the day counters once by period and once by branch (shared by the
    # ranking, response and funnel), the response times, the branches, the watchlist page (+1 for the
    # repliers' names when someone replied); the API: nps 1, response 3, recovery 2, watchlist 1.
    "dashboard": 13, "csv": 8, "api:analytics-nps": 9, "api:analytics-response": 11, "api:analytics-recovery": 10,
    "api:analytics-watchlist": 9,
}
# GET routes that only answer POST, redirect, or are not a merchant's data.
NOT_PAGES = {"mark-unread", "reply", "quick-reply-delete", "set_active", "archive", "attach", "grant_redeem",
             "switch", "preview", "api:rating-read", "api:rating-unread", "api:visits", "api:rating-gifts",
             "api:gift-grants-redeem", "api:autoreply-preview", "api:auth-token", "api:api-key", "create",
             "api:ratings-bulk", "api:rating-notes", "bulk", "bulk-undo", "case", "note", "api:customer-erase",
             "followup", "api:rating-followup-request",
             "reply-undo"}


def _routes():
    for route, name in routes():
        if route.startswith("api/v1/") and name:
            name = f"api:{name}"
        if "<slug:merchant_slug>" in route or name == "api:me":
            yield route, name


def _world(make, merchant, rows: int) -> dict:
    admin = make.admin(merchant)
    gift = gift_create(merchant=merchant, actor=admin, name="Puntos", kind="points", points=50, validity_days=9)
    customer = make.customer(merchant, "Ana Gómez", email="ana@example.com")
    ratings = [make.rating(merchant, 3 + n % 7, f"comentario {n}", customer=customer) for n in range(rows)]
    for rating in ratings:
        customer_message_add(merchant=merchant, rating=rating, body="otra cosa")
        gift_grant(merchant=merchant, actor=admin, rating=rating, gift=gift)
    reply = quick_reply_create(merchant=merchant, actor=admin, title="Gracias", body="Gracias por venir")
    rating = ratings[0]
    return {"rating_id": rating.pk, "visit_id": rating.visit_id, "customer_id": customer.pk, "gift_id": gift.pk,
            "quick_reply_id": reply.pk, "admin": admin}


def _url(route: str, merchant, world: dict) -> str:
    path = "/" + route.replace("<slug:merchant_slug>", merchant.slug).replace("<slug:table>", "watchlist")
    for name in re.findall(r"<int:(\w+)>", route):
        if name == "id":
            resource = path.split("<int:id>")[0].rstrip("/").rsplit("/", 1)[-1]
            name = {"ratings": "rating_id", "customers": "customer_id", "visits": "visit_id",
                    "gifts": "gift_id", "quick-replies": "quick_reply_id"}[resource]
        path = re.sub(r"<int:\w+>", str(world[name]), path, count=1)
    return path


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if response.streaming:  # the CSV export reads its rows as the file is written
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


def test_every_get_route_has_a_pin():
    names = {name for _route, name in _routes()} - NOT_PAGES
    assert names == set(PINS), f"missing pins: {names - set(PINS)}; stale pins: {set(PINS) - names}"


@pytest.mark.parametrize("rows", [1, 4])
def test_statements_per_get_are_pinned_and_flat(make, merchant, client, rows):
    world = _world(make, merchant, rows)
    client.force_login(world["admin"])
    counts = {}
    for route, name in _routes():
        if name in NOT_PAGES:
            continue
        counts[name] = _count(client, _url(route, merchant, world))
    assert counts == PINS, {name: (counts[name], PINS.get(name)) for name in counts if counts[name] != PINS.get(name)}
