"""The inbox's views, case filters, row chips and bulk actions with undo, as pages (CASE-6..8)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from merchants import tenancy
from ratings.cases import case_update
from ratings.models import CaseEvent, Rating
from ratings.selectors import rating_get
from ratings.services import customer_message_add, rating_reply

HX = {"HTTP_HX_REQUEST": "true"}


def row_ids(html):
    return [int(x) for x in re.findall(r'<li id="row-(\d+)"', html)]


def view_count(html, view):
    match = re.search(rf'data-view-count="{view}">([\d.,]+)<', html)
    return int(match.group(1).replace(".", "").replace(",", "")) if match else None


@pytest.fixture
def admin(merchant):
    from merchants.models import Membership

    return Membership.objects.get(merchant=merchant, role="admin").user


@pytest.fixture
def cases(make, merchant, admin):
    """A rating in each view: waiting for a reply, mine, unassigned, breached, at risk, resolved."""
    from merchants.access import Access

    access = Access.system(merchant)
    now = timezone.now()
    world = {
        "breached": make.rating(merchant, 2, "Frío", created_at=now - dt.timedelta(days=2)),
        "at_risk": make.rating(merchant, 4, created_at=now - dt.timedelta(hours=20)),
        "mine": make.rating(merchant, 5, "Lento", created_at=now - dt.timedelta(hours=2)),
        "resolved": make.rating(merchant, 3, "Sucio", created_at=now - dt.timedelta(hours=3)),
        "promoter": make.rating(merchant, 10, "¡Excelente!", created_at=now - dt.timedelta(hours=1)),
        "passive": make.rating(merchant, 8, created_at=now - dt.timedelta(minutes=30)),
    }
    # Mine: assigned to the admin and answered (so it no longer needs a reply).
    case_update(access=access, rating=world["mine"], actor=admin, owner=admin.pk)
    rating_reply(merchant=merchant, rating=world["mine"], author=admin, body="Lo sentimos")
    case_update(access=access, rating=world["resolved"], actor=admin, status="resolved")
    rating_reply(merchant=merchant, rating=world["resolved"], author=admin, body="Resuelto")
    return world


def test_each_view_lists_its_ratings_with_its_count_CASE_6(cases, admin_client, inbox_url):
    c = cases
    html = admin_client.get(inbox_url).content.decode()
    assert row_ids(html)[:2] == [c["passive"].pk, c["promoter"].pk]
    assert {view: view_count(html, view) for view in
            ("all", "needs_reply", "mine", "unassigned", "overdue", "resolved")} == {
        "all": 6, "needs_reply": 2, "mine": 1, "unassigned": 2, "overdue": 1, "resolved": 1}

    def ids(view, **query):
        response = admin_client.get(inbox_url, {"view": view, **query})
        assert response.status_code == 200
        return row_ids(response.content.decode())

    # Needs reply, newest activity first (CASE-7): the promoter wrote after the breached case.
    assert ids("needs_reply") == [c["promoter"].pk, c["breached"].pk]
    assert ids("mine") == [c["mine"].pk]
    assert ids("unassigned") == [c["at_risk"].pk, c["breached"].pk]
    # Overdue: the breached case, then the one at risk (SLA-2); the count is the breached ones.
    assert ids("overdue") == [c["breached"].pk, c["at_risk"].pk]
    assert ids("resolved") == [c["resolved"].pk]


def test_the_resolved_count_is_kept_as_cases_resolve_and_reopen_CASE_6(cases, merchant, admin, admin_client,
                                                                        inbox_url):
    from merchants.access import Access
    from ratings.counters import counters_rebuild
    from ratings.models import RatingBranchCounter, RatingDayCounter

    access = Access.system(merchant)
    case_update(access=access, rating=cases["breached"], actor=admin, status="resolved")
    assert view_count(admin_client.get(inbox_url).content.decode(), "resolved") == 2
    case_update(access=access, rating=cases["resolved"], actor=admin, status="open")  # reopened
    assert view_count(admin_client.get(inbox_url).content.decode(), "resolved") == 1

    def kept():
        return (sorted(RatingDayCounter.objects.values_list("branch_id", "day", "resolved_cases")),
                sorted(RatingBranchCounter.objects.values_list("branch_id", "resolved_cases")))

    before = kept()
    counters_rebuild(merchant.pk)  # the same figures computed from the ratings themselves
    assert kept() == before


def test_a_customer_message_brings_the_rating_to_the_top_of_needs_reply_CASE_7(cases, merchant, admin_client,
                                                                                inbox_url):
    customer_message_add(merchant=merchant, rating=cases["resolved"], body="Sigue sucio")
    html = admin_client.get(inbox_url, {"view": "needs_reply"}).content.decode()
    assert row_ids(html)[0] == cases["resolved"].pk
    assert view_count(html, "needs_reply") == 3


def test_filters_live_in_the_url_and_narrow_the_view_CASE_6(cases, admin_client, inbox_url):
    c = cases
    html = admin_client.get(inbox_url, {"band": "detractor"}).content.decode()
    assert set(row_ids(html)) == {c["breached"].pk, c["at_risk"].pk, c["mine"].pk, c["resolved"].pk}
    assert 'class="filter-chip chip-detractor is-active"' in html
    # Every link of the page keeps the band: tabs, sort toggles, rows.
    assert 'href="/m/la-arepa/inbox/?view=overdue&amp;band=detractor"' in html
    assert "sort=-score&amp;band=detractor" in html
    html = admin_client.get(inbox_url, {"view": "overdue", "priority": "high"}).content.decode()
    assert row_ids(html) == [c["breached"].pk]  # score 2: high; score 4: medium (CASE-2)
    html = admin_client.get(inbox_url, {"status": "resolved"}).content.decode()
    assert row_ids(html) == [c["resolved"].pk]
    # A status the view cannot have is ignored, never an error page.
    html = admin_client.get(inbox_url, {"view": "mine", "status": "resolved"}).content.decode()
    assert row_ids(html) == [c["mine"].pk]
    html = admin_client.get(inbox_url, {"owner": "me"}).content.decode()
    assert row_ids(html) == [c["mine"].pk]
    html = admin_client.get(inbox_url, {"comment": "1", "unread": "1"}).content.decode()
    assert set(row_ids(html)) == {c["breached"].pk, c["promoter"].pk}
    # The htmx list swap pushes the same URL, so the back button returns to it.
    response = admin_client.get(inbox_url, {"view": "needs_reply", "band": "promoter"},
                                HTTP_HX_TARGET="list-pane", **HX)
    assert response["HX-Push-Url"] == f"{inbox_url}?view=needs_reply&band=promoter"
    assert row_ids(response.content.decode()) == [c["promoter"].pk]


def test_counters_link_to_the_list_they_count_CASE_6(cases, admin_client, inbox_url):
    html = admin_client.get(inbox_url, {"view": "mine", "q": "x", "date_from": "2020-01-01"}).content.decode()
    counters = re.search(r'<dl id="counters".*?</dl>', html, re.S).group(0)
    assert f'href="{inbox_url}?date_from=2020-01-01"' in counters
    assert f'href="{inbox_url}?date_from=2020-01-01&amp;comment=1"' in counters
    assert f'href="{inbox_url}?date_from=2020-01-01&amp;comment=1&amp;unread=1"' in counters


def test_rows_show_status_owner_sla_and_needs_reply_CASE_6(cases, admin, admin_client, inbox_url):
    admin.full_name = "Laura Gerente"
    admin.save(update_fields=["full_name"])
    html = admin_client.get(inbox_url).content.decode()

    def row(rating):
        return re.search(rf'<li id="row-{rating.pk}".*?</li>', html, re.S).group(0)

    mine = row(cases["mine"])
    assert 'class="avatar"' in mine and ">LG<" in mine and "Assigned to Laura Gerente" in mine
    assert "status-open" in mine and "chip-reply" not in mine  # answered: open, not waiting
    breached = row(cases["breached"])
    assert "sla-breached" in breached and "chip-reply" in breached and "avatar" not in breached
    assert "sla-at_risk" in row(cases["at_risk"])
    assert "status-resolved" in row(cases["resolved"])
    assert "case-chip" not in row(cases["passive"])


def post_bulk(client, inbox_url, query="", **data):
    return client.post(f"{inbox_url}bulk/{query}", data, **HX)


def undo_token(html):
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_bulk_assign_then_undo_restores_every_value_CASE_8(cases, admin, admin_client, inbox_url):
    c = cases
    chosen = [c["breached"], c["at_risk"], c["passive"]]  # two unassigned cases and a rating without one
    response = post_bulk(admin_client, inbox_url, "?view=unassigned", ids=[r.pk for r in chosen],
                         action="assign", value="me")
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 ratings assigned" in html and "Undo" in html
    assert set(Rating.objects.filter(pk__in=[r.pk for r in chosen]).values_list("owner_id", flat=True)) == {admin.pk}
    assert Rating.objects.get(pk=c["passive"].pk).status == "new"  # assigning opened a case (CASE-1)
    assert row_ids(html) == []  # the Unassigned view, redrawn: nothing left in it
    assert view_count(html, "unassigned") == 0 and view_count(html, "mine") == 4

    response = admin_client.post(f"{inbox_url}bulk/undo/?view=unassigned", {"token": undo_token(html)}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 ratings as they were" in html
    assert row_ids(html) == [c["at_risk"].pk, c["breached"].pk]
    restored = {r.pk: (r.owner_id, r.status, r.priority, r.due_at)
                for r in Rating.objects.filter(pk__in=[r.pk for r in chosen])}
    assert restored[c["breached"].pk][:3] == (None, "new", "high")
    assert restored[c["passive"].pk] == (None, "none", None, None)  # the case it opened is gone again
    # Every change and every undo is in the case's log (CASE-5).
    assert list(CaseEvent.objects.filter(rating=c["passive"]).order_by("id").values_list(
        "kind", "from_value", "to_value")) == [("status", "none", "new"), ("owner", None, str(admin.pk)),
                                               ("status", "new", "none"), ("owner", str(admin.pk), None)]


def test_bulk_read_status_priority_and_their_undo_CASE_8(cases, merchant, admin_client, inbox_url):
    from merchants.access import Access

    ids = [cases["breached"].pk, cases["promoter"].pk]
    html = post_bulk(admin_client, inbox_url, ids=ids, action="read").content.decode()
    assert "2 ratings marked read" in html
    assert Rating.objects.filter(pk__in=ids, is_read=True).count() == 2
    admin_client.post(f"{inbox_url}bulk/undo/", {"token": undo_token(html)}, **HX)
    assert Rating.objects.filter(pk__in=ids, is_read=False).count() == 2
    html = post_bulk(admin_client, inbox_url, ids=ids, action="status", value="escalated").content.decode()
    assert "Status Escalated on 2 ratings" in html
    html = post_bulk(admin_client, inbox_url, ids=ids, action="priority", value="critical").content.decode()
    assert set(Rating.objects.filter(pk__in=ids).values_list("status", "priority")) == {("escalated", "critical")}
    admin_client.post(f"{inbox_url}bulk/undo/", {"token": undo_token(html)}, **HX)
    access = Access.system(merchant)
    assert (rating_get(access=access, id=cases["breached"].pk).priority,
            rating_get(access=access, id=cases["promoter"].pk).priority) == ("high", "medium")


def test_a_foreign_id_refuses_the_whole_bulk_action_CASE_8(cases, make, other_merchant, admin_client, inbox_url):
    foreign = make.rating(other_merchant, 2)
    stranger = make.admin(other_merchant)
    ids = [cases["breached"].pk, cases["at_risk"].pk, foreign.pk]
    response = post_bulk(admin_client, inbox_url, ids=ids, action="assign", value="me")
    assert response.status_code == 400
    assert "not yours to see" in response.content.decode()
    assert not Rating.objects.filter(pk__in=ids, owner__isnull=False).exists()
    with tenancy.tenant(other_merchant.pk):  # the other merchant's row, read as that merchant
        assert Rating.objects.get(pk=foreign.pk).owner_id is None
    assert not CaseEvent.objects.filter(rating__in=ids, kind="owner").exists()
    # An owner who is not a member, a made-up status and nothing selected: refused, nothing changed.
    for data in ({"ids": ids[:2], "action": "assign", "value": str(stranger.pk)},
                 {"ids": ids[:2], "action": "status", "value": "closed"}, {"action": "read"}):
        assert post_bulk(admin_client, inbox_url, **data).status_code == 400
    assert set(Rating.objects.filter(pk__in=ids[:2]).values_list("status", "owner_id")) == {("new", None)}


def test_an_undo_token_is_the_members_own_and_expires_CASE_8(cases, make, merchant, admin_client, client,
                                                                inbox_url, settings):
    ids = [cases["breached"].pk]
    html = post_bulk(admin_client, inbox_url, ids=ids, action="assign", value="me").content.decode()
    token = undo_token(html)
    agent = make.member(merchant, "agent")
    client.force_login(agent)
    response = client.post(f"{inbox_url}bulk/undo/", {"token": token}, **HX)
    assert response.status_code == 400 and "Ya no se puede deshacer" in response.content.decode()  # in Spanish, the default
    assert admin_client.post(f"{inbox_url}bulk/undo/", {"token": token[:-2] + "xx"}, **HX).status_code == 400
    assert Rating.objects.get(pk=ids[0]).owner_id is not None


def test_select_every_rating_of_the_filter_CASE_8(cases, admin_client, inbox_url):
    c = cases
    response = admin_client.get(f"{inbox_url}bulk/count/", {"band": "detractor"}, **HX)
    assert 'data-bulk-all="4"' in response.content.decode()
    html = post_bulk(admin_client, inbox_url, "?band=detractor", all="1", action="priority",
                     value="low").content.decode()
    assert "Priority Low on 4 ratings" in html
    detractors = [c[k].pk for k in ("breached", "at_risk", "mine", "resolved")]
    assert set(Rating.objects.filter(pk__in=detractors).values_list("priority", flat=True)) == {"low"}
    assert Rating.objects.get(pk=c["promoter"].pk).priority is None


def test_select_all_refuses_more_than_the_limit_CASE_8(cases, admin_client, inbox_url, monkeypatch):
    from inbox import bulk_views

    monkeypatch.setattr(bulk_views, "BULK_MAX", 3)
    assert "narrow the filters" in admin_client.get(f"{inbox_url}bulk/count/", **HX).content.decode()
    unread = set(Rating.objects.filter(is_read=False).values_list("id", flat=True))
    response = post_bulk(admin_client, inbox_url, all="1", action="read")
    assert response.status_code == 400
    assert set(Rating.objects.filter(is_read=False).values_list("id", flat=True)) == unread


def test_spanish_toast_and_views(cases, admin, client, inbox_url):
    admin.language = "es"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    html = client.get(inbox_url).content.decode()
    for label in ("Todas", "Por responder", "Mías", "Sin asignar", "Vencidas", "Resueltas", "Promotores"):
        assert label in html
    html = post_bulk(client, inbox_url, ids=[cases["breached"].pk, cases["at_risk"].pk, cases["passive"].pk],
                     action="assign", value="me").content.decode()
    assert "3 calificaciones asignadas" in html and "Deshacer" in html
