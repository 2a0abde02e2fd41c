"""Gift pages: catalogue (admins), the till, the opened rating's gift pane (GFT-1..4, §9)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from gifts.models import Gift, GiftGrant
from gifts.services import gift_grant
from ratings.models import Message

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _url(name, merchant, *args):
    return reverse(f"gifts:{name}", args=[merchant.slug, *args])


HTMX = {"HTTP_HX_REQUEST": "true"}


# --- GFT-2 attach --------------------------------------------------------------------------

def test_gft2_attach_catalogue_gift_rerenders_pane_and_counters(client, merchant, agent, rating, discount_gift):
    response = _client(client, agent).post(
        _url("attach", merchant, rating.pk), {"source": "catalogue", "gift": discount_gift.pk}, **HTMX)
    assert response.status_code == 200
    grant = GiftGrant.objects.get(rating=rating)
    html = response.content.decode()
    assert 'id="rating-gifts"' in html and grant.code in html
    assert "{#" not in html and "#}" not in html
    counters = re.search(r'<dl class="gift-stats" id="customer-gift-counters"[^>]*hx-swap-oob="outerHTML:.customer-card .gift-stats"[^>]*>(.*?)</dl>', html, re.S)
    assert counters, html
    assert re.search(r'data-gifts="offered">1<', counters.group(1))
    triggers = json.loads(response["HX-Trigger"])  # the pane's event, and the toast (ratings_inbox.toasts)
    assert "gifts-changed" in triggers and grant.code in triggers["toast"]["text"]
    thread = re.search(r'<ol id="thread"[^>]*hx-swap-oob="true"[^>]*>(.*?)</ol>', html, re.S)
    assert thread and grant.code in thread.group(1)  # the system message, swapped into the thread
    assert Message.objects.filter(rating=rating, gift_grant=grant, author_kind="system").exists()


def test_gft2_attach_new_gift_uses_only_the_chosen_tab(client, merchant, agent, rating):
    response = _client(client, agent).post(_url("attach", merchant, rating.pk), {
        "source": "new", "name": "Descuento disculpa", "kind": "discount", "discount_percent": "20",
        "discount_amount": "", "points": "999", "product_name": "typed in another tab", "validity_days": "15",
    }, **HTMX)
    assert response.status_code == 200
    grant = GiftGrant.objects.select_related("gift").get(rating=rating)
    assert grant.gift.is_one_off and grant.gift.discount_percent == 20 and grant.gift.points is None


def test_gft2_attach_new_gift_errors_shown_per_field(client, merchant, agent, rating):
    response = _client(client, agent).post(_url("attach", merchant, rating.pk), {
        "source": "new", "name": "Ambos", "kind": "discount", "discount_percent": "10",
        "discount_amount": "5000", "validity_days": "0"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "no ambos" in html and "1 a 3650" in html  # the user speaks Spanish
    assert "<details class=\"gift-attach\" open" in html
    assert 'value="Ambos"' in html
    assert not GiftGrant.objects.exists()
    assert "customer-gift-counters" not in html


def test_gft2_inactive_gift_refused_on_gift(client, merchant, agent, rating, discount_gift):
    Gift.objects.filter(pk=discount_gift.pk).update(is_active=False)
    response = _client(client, agent).post(
        _url("attach", merchant, rating.pk), {"source": "catalogue", "gift": discount_gift.pk}, **HTMX)
    assert "no está activo" in response.content.decode()
    assert not GiftGrant.objects.exists()


def test_gft2_pane_lists_grants_and_active_gifts(client, merchant, agent, rating, discount_gift,
                                                django_assert_num_queries):
    for _ in range(3):
        gift_grant(merchant=merchant, actor=agent, rating=rating, gift=discount_gift)
    c = _client(client, agent)
    # session, user, merchant with the tenant set, membership, savepoint, rating, grants (with
    # gifts), active gifts, release, clear tenant: 10 whatever the number of grants.
    with django_assert_num_queries(10):
        response = c.get(_url("rating_panel", merchant, rating.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Adjuntar regalo" in html
    assert f'value="{discount_gift.pk}"' in html
    assert "gift-grant--offered" in html


# --- §9 roles ------------------------------------------------------------------------------

def test_permissions_staff_sees_gifts_but_cannot_attach_or_redeem(client, merchant, staff, agent, rating,
                                                                  discount_gift):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=discount_gift)
    c = _client(client, staff)
    pane = c.get(_url("rating_panel", merchant, rating.pk))
    assert pane.status_code == 200 and grant.code in pane.content.decode()
    assert "gift-attach" not in pane.content.decode() and "gift-grant__redeem" not in pane.content.decode()
    assert c.post(_url("attach", merchant, rating.pk), {"gift": discount_gift.pk}).status_code == 403
    assert c.post(_url("grant_redeem", merchant, grant.pk)).status_code == 403
    assert c.get(_url("redeem", merchant)).status_code == 403
    assert c.post(_url("redeem", merchant), {"code": grant.code}).status_code == 403
    assert c.get(_url("catalogue", merchant)).status_code == 403
    assert not GiftGrant.objects.exclude(pk=grant.pk).exists()
    grant.refresh_from_db()
    assert grant.status == "offered"


def test_permissions_catalogue_is_for_admins_only(client, merchant, agent, admin):
    assert _client(client, agent).get(_url("catalogue", merchant)).status_code == 403
    assert _client(client, agent).post(_url("create", merchant), {"name": "x"}).status_code == 403
    assert _client(client, admin).get(_url("catalogue", merchant)).status_code == 200


def test_ten_other_tenant_gets_404(client, make, merchant, other_merchant, rating, agent, discount_gift):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=discount_gift)
    outsider = make.admin(other_merchant)
    c = _client(client, outsider)
    # Not a member of this merchant: 404 everywhere.
    for url in (_url("catalogue", merchant), _url("redeem", merchant), _url("rating_panel", merchant, rating.pk)):
        assert c.get(url).status_code == 404, url
    assert c.post(_url("attach", merchant, rating.pk), {"gift": discount_gift.pk}).status_code == 404
    # Own merchant's URLs with the other merchant's ids: 404 too, and the code is unknown there.
    assert c.get(_url("rating_panel", other_merchant, rating.pk)).status_code == 404
    assert c.post(_url("attach", other_merchant, rating.pk), {"gift": discount_gift.pk}).status_code == 404
    assert c.post(_url("grant_redeem", other_merchant, grant.pk)).status_code == 404
    assert c.get(_url("edit", other_merchant, discount_gift.pk)).status_code == 404
    assert c.post(_url("redeem", other_merchant), {"code": grant.code}).status_code == 404
    grant.refresh_from_db()
    assert grant.status == "offered"


def test_ten_branch_restricted_agent_cannot_attach_outside_branches(client, make, merchant, rating,
                                                                    discount_gift):
    other_branch = make.branch(merchant)
    restricted = make.member(merchant, "agent", branches=[other_branch])
    c = _client(client, restricted)
    assert c.post(_url("attach", merchant, rating.pk), {"gift": discount_gift.pk}).status_code == 404
    assert c.get(_url("rating_panel", merchant, rating.pk)).status_code == 404


# --- GFT-3 the till and the thread ---------------------------------------------------------

def test_gft3_till_redeems_once_404_unknown_409_again(client, merchant, agent, rating, points_gift):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=points_gift)
    c = _client(client, agent)
    assert c.get(_url("redeem", merchant)).status_code == 200
    # The code first shows whose gift it is, its value and expiry; nothing is redeemed yet.
    check = c.post(_url("redeem", merchant), {"code": grant.code.lower()})
    html = check.content.decode()
    assert check.status_code == 200 and "¿Redimir este regalo?" in html and 'name="confirm" value="1"' in html
    assert "500" in html and rating.customer.full_name in html and "Válido hasta" in html
    grant.refresh_from_db()
    assert grant.status == "offered"
    ok = c.post(_url("redeem", merchant), {"code": grant.code, "confirm": "1"})
    assert ok.status_code == 200
    assert "500" in ok.content.decode() and rating.customer.full_name in ok.content.decode()
    grant.refresh_from_db()
    assert grant.status == "redeemed"
    again = c.post(_url("redeem", merchant), {"code": grant.code})
    assert again.status_code == 409 and "ya se redimió" in again.content.decode()
    assert c.post(_url("redeem", merchant), {"code": grant.code, "confirm": "1"}).status_code == 409
    assert c.post(_url("redeem", merchant), {"code": "ZZZZ2222ZZ"}).status_code == 404


def test_gft3_redeem_from_thread(client, merchant, agent, rating, discount_gift):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=discount_gift)
    c = _client(client, agent)
    response = c.post(_url("grant_redeem", merchant, grant.pk), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "gift-grant--redeemed" in html
    assert re.search(r'data-gifts="redeemed">1<', html)
    second = c.post(_url("grant_redeem", merchant, grant.pk), **HTMX)
    assert "ya se redimió" in second.content.decode()


# --- GFT-1 catalogue pages -----------------------------------------------------------------

def test_gft1_catalogue_create_edit_deactivate_archive(client, merchant, admin, agent, rating,
                                                      django_assert_num_queries):
    c = _client(client, admin)
    bad = c.post(_url("create", merchant), {"name": "Puntos", "kind": "points", "points": "0",
                                            "validity_days": "30", "is_active": "on"})
    assert bad.status_code == 400 and "Los puntos deben ser de 1" in bad.content.decode()
    ok = c.post(_url("create", merchant), {"name": "Puntos", "kind": "points", "points": "300",
                                           "validity_days": "30", "is_active": "on"})
    assert ok.status_code == 302
    gift = Gift.objects.get(name="Puntos")
    assert gift.points == 300 and gift.is_active
    edit = c.post(_url("edit", merchant, gift.pk), {"name": "Puntos extra", "kind": "points", "points": "400",
                                                  "validity_days": "20", "is_active": "on"})
    assert edit.status_code == 302
    gift.refresh_from_db()
    assert (gift.name, gift.points, gift.validity_days) == ("Puntos extra", 400, 20)
    c.post(_url("set_active", merchant, gift.pk), {"is_active": "0"})
    gift.refresh_from_db()
    assert not gift.is_active
    c.post(_url("set_active", merchant, gift.pk), {"is_active": "1"})
    gift_grant(merchant=merchant, actor=agent, rating=rating, gift=gift)
    # session, user, merchant with the tenant set, membership, savepoint, gifts with their grant
    # counts, release, clear tenant... 9 in all.
    with django_assert_num_queries(9):
        page = c.get(_url("catalogue", merchant))
    assert "Puntos extra" in page.content.decode() and "Archivar" in page.content.decode()
    c.post(_url("archive", merchant, gift.pk))
    gift.refresh_from_db()
    assert gift.is_archived
    page = c.get(_url("catalogue", merchant)).content.decode()
    assert "Puntos extra" not in page.split('class="toast-region"')[0]  # only the toast names it: archived
    assert "Puntos extra archivado" in page


def test_gft4_points_ledger_partial(client, merchant, agent, rating, points_gift):
    from gifts.services import grant_redeem

    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=points_gift)
    grant_redeem(merchant=merchant, actor=agent, code=grant.code)
    response = _client(client, agent).get(_url("points", merchant, rating.customer_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="gift-points__value">500<' in html and grant.code in html


def test_gft1_granted_gift_edit_page_locks_what_it_gives(client, merchant, admin, agent, rating, points_gift):
    gift_grant(merchant=merchant, actor=agent, rating=rating, gift=points_gift)
    c = _client(client, admin)
    page = c.get(_url("edit", merchant, points_gift.pk)).content.decode()
    assert '<fieldset class="gift-kind-tabs" disabled>' in page
    # Disabled inputs are not posted: only name, validity and the active flag arrive.
    response = c.post(_url("edit", merchant, points_gift.pk), {"name": "Puntos VIP", "validity_days": "45"})
    assert response.status_code == 302
    points_gift.refresh_from_db()
    assert (points_gift.name, points_gift.validity_days, points_gift.points) == ("Puntos VIP", 45, 500)
    assert not points_gift.is_active  # the box was unticked
    bad = c.post(_url("edit", merchant, points_gift.pk), {"name": "", "validity_days": "45", "is_active": "on"})
    assert bad.status_code == 400 and 'value="500"' in bad.content.decode()
