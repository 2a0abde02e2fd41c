"""Follow-up cases through the API, as API.md "Follow-up cases" writes them (CASE-1..9)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutgoingEmail
from ratings.models import CaseEvent, Rating
from ratings.services import customer_message_add, rating_reply
from tests.conftest import base


def detail(client, merchant, rating):
    return client.get(f"{base(merchant)}ratings/{rating.pk}/").json()


def test_a_detractor_opens_a_case_and_others_do_not_CASE_1_CASE_2(make, merchant, admin_client):
    low, mid, happy = make.rating(merchant, 2, "Frío"), make.rating(merchant, 5), make.rating(merchant, 8)
    body = detail(admin_client, merchant, low)
    assert (body["status"], body["priority"], body["sla"], body["needs_reply"]) == ("new", "high", "on_time", True)
    assert body["owner"] is None and body["first_response_at"] is None and body["resolved_at"] is None
    due = dt.datetime.fromisoformat(body["due_at"])
    assert due == low.created_at + dt.timedelta(hours=24)
    assert detail(admin_client, merchant, mid)["priority"] == "medium"
    assert {k: detail(admin_client, merchant, happy)[k] for k in ("status", "priority", "sla", "due_at")} == {
        "status": "none", "priority": None, "sla": "none", "due_at": None}
    items = {item["id"]: item for item in admin_client.get(f"{base(merchant)}ratings/").json()["results"]}
    assert items[low.pk]["status"] == "new" and items[low.pk]["sla"] == "on_time"
    assert items[happy.pk]["owner"] is None and items[happy.pk]["followup_score"] is None


def test_a_staff_reply_opens_and_answers_the_case_SLA_2(make, merchant, admin_client):
    admin = make.admin(merchant)
    rating = make.rating(merchant, 3, "Tardaron mucho")
    rating_reply(merchant=merchant, rating=rating, author=admin, body="Lo sentimos")
    body = detail(admin_client, merchant, rating)
    assert (body["status"], body["sla"], body["needs_reply"]) == ("open", "met", False)
    assert body["first_response_at"] is not None
    events = admin_client.get(f"{base(merchant)}ratings/{rating.pk}/events/").json()
    assert [(e["kind"], e["from"], e["to"], e["actor"]["id"]) for e in events] == [("status", "new", "open", admin.pk)]


def test_a_customer_writing_reopens_a_resolved_case_and_rises_CASE_1_CASE_7(make, merchant, admin_client):
    old = make.rating(merchant, 4, "Mal", created_at=timezone.now() - dt.timedelta(days=3))
    newer = make.rating(merchant, 9, "Bien")
    assert admin_client.patch(f"{base(merchant)}ratings/{old.pk}/", {"status": "resolved"},
                              format="json").json()["status"] == "resolved"
    customer_message_add(merchant=merchant, rating=old, body="Sigue mal")
    body = detail(admin_client, merchant, old)
    assert (body["status"], body["resolved_at"], body["needs_reply"]) == ("open", None, True)
    events = admin_client.get(f"{base(merchant)}ratings/{old.pk}/events/").json()
    assert [(e["from"], e["to"], e["actor"] is None) for e in events] == [("new", "resolved", False),
                                                                          ("resolved", "open", True)]
    first = admin_client.get(f"{base(merchant)}ratings/", {"ordering": "-last_activity_at"}).json()["results"]
    assert [item["id"] for item in first[:2]] == [old.pk, newer.pk]
    needs = admin_client.get(f"{base(merchant)}ratings/", {"needs_reply": "true",
                                                          "ordering": "-last_activity_at"}).json()["results"]
    assert [item["id"] for item in needs] == [old.pk, newer.pk]


def test_patch_status_priority_owner_and_the_log_CASE_3_CASE_5(make, merchant, admin_client):
    admin = make.admin(merchant)
    agent = make.member(merchant, "agent")
    rating = make.rating(merchant, 9, "Todo bien")
    url = f"{base(merchant)}ratings/{rating.pk}/"
    response = admin_client.patch(url, {"owner": agent.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "new" and body["priority"] == "medium" and body["owner"]["id"] == agent.pk
    body = admin_client.patch(url, {"priority": "critical", "status": "escalated"}, format="json").json()
    assert (body["priority"], body["status"]) == ("critical", "escalated")
    body = admin_client.patch(url, {"status": "resolved", "owner": None}, format="json").json()
    assert body["status"] == "resolved" and body["resolved_at"] is not None and body["owner"] is None
    events = admin_client.get(url + "events/").json()
    assert [(e["kind"], e["from"], e["to"]) for e in events] == [
        ("status", "none", "new"), ("owner", None, agent.pk), ("status", "new", "escalated"),
        ("priority", "medium", "critical"), ("status", "escalated", "resolved"), ("owner", agent.pk, None)]
    assert all(e["actor"]["id"] == admin.pk and e["at"] for e in events)
    assert admin_client.patch(url, {"status": "none"}, format="json").status_code == 400
    assert admin_client.patch(url, {"priority": "urgent"}, format="json").status_code == 400


def test_an_owner_who_cannot_see_the_branch_is_refused_CASE_3(make, merchant, admin_client):
    other_branch = make.branch(merchant)
    restricted = make.member(merchant, "staff", branches=[other_branch])
    rating = make.rating(merchant, 2)
    response = admin_client.patch(f"{base(merchant)}ratings/{rating.pk}/", {"owner": restricted.pk,
                                                                           "status": "open"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()
    assert Rating.objects.get(pk=rating.pk).status == "new"  # nothing written
    assert not CaseEvent.objects.filter(rating=rating).exists()
    stranger = make.member(make.merchant(), "admin")
    assert admin_client.patch(f"{base(merchant)}ratings/{rating.pk}/", {"owner": stranger.pk},
                              format="json").status_code == 400


def test_notes_are_internal_CASE_4(make, merchant, admin_client, client):
    from customers.links import conversation_url

    rating = make.rating(merchant, 2, "Pésimo servicio")
    before = admin_client.get(f"{base(merchant)}ratings/summary/").json()
    emails = OutgoingEmail.objects.count()
    response = admin_client.post(f"{base(merchant)}ratings/{rating.pk}/notes/", {"body": "Llamar al gerente"},
                                 format="json")
    assert response.status_code == 201 and response.json()["author_kind"] == "note"
    thread = admin_client.get(f"{base(merchant)}ratings/{rating.pk}/messages/").json()
    assert [m["author_kind"] for m in thread] == ["customer", "note"]
    assert OutgoingEmail.objects.count() == emails  # never e-mailed
    after = admin_client.get(f"{base(merchant)}ratings/summary/").json()
    assert after == before  # neither a reply nor a comment, nor needs-reply
    assert detail(admin_client, merchant, rating)["needs_reply"] is True
    page = client.get(urlparse(conversation_url(rating)).path)
    text = page.content.decode()
    assert page.status_code == 200 and "Pésimo servicio" in text and "Llamar al gerente" not in text
    events = admin_client.get(f"{base(merchant)}ratings/{rating.pk}/events/").json()
    assert [(e["kind"], e["to"]) for e in events] == [("note", response.json()["id"])]
    assert admin_client.post(f"{base(merchant)}ratings/{rating.pk}/notes/", {"body": "  "},
                             format="json").status_code == 400


def test_bulk_is_all_or_nothing_CASE_8(make, merchant, other_merchant, admin_client):
    agent = make.member(merchant, "agent")
    ratings = [make.rating(merchant, score) for score in (2, 5, 9)]
    foreign = make.rating(other_merchant, 2)
    ids = [r.pk for r in ratings]
    response = admin_client.post(f"{base(merchant)}ratings/bulk/", {"ids": [*ids, foreign.pk], "action": "assign",
                                                                   "value": agent.pk}, format="json")
    assert response.status_code == 400 and "ids" in response.json()
    assert not Rating.objects.filter(pk__in=ids, owner__isnull=False).exists()
    response = admin_client.post(f"{base(merchant)}ratings/bulk/", {"ids": ids, "action": "assign",
                                                                   "value": agent.pk}, format="json")
    assert response.json() == {"updated": 3}
    assert set(Rating.objects.filter(pk__in=ids).values_list("owner_id", flat=True)) == {agent.pk}
    assert CaseEvent.objects.filter(rating__in=ids, kind="owner").count() == 3
    assert admin_client.post(f"{base(merchant)}ratings/bulk/", {"ids": ids, "action": "read"},
                             format="json").json() == {"updated": 3}
    assert Rating.objects.filter(pk__in=ids, is_read=True).count() == 3
    assert admin_client.post(f"{base(merchant)}ratings/bulk/", {"ids": ids, "action": "status", "value": "closed"},
                             format="json").status_code == 400
    assert admin_client.post(f"{base(merchant)}ratings/bulk/", {"ids": [], "action": "read"},
                             format="json").status_code == 400


@pytest.mark.parametrize("action, value", [("assign", "agent"), ("status", "resolved"), ("priority", "critical")])
def test_bulk_statements_do_not_grow_with_the_ratings_CASE_8(make, merchant, admin_client, action, value):
    """A bulk change is set-based: the same statements for 3 ratings as for 12, each change logged."""
    value = make.member(merchant, "agent").pk if value == "agent" else value
    counts = []
    for size in (3, 12):
        ids = [make.rating(merchant, score).pk for score in ([2, 5, 9] * 4)[:size]]
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(f"{base(merchant)}ratings/bulk/", {"ids": ids, "action": action,
                                                                           "value": value}, format="json")
        assert response.json() == {"updated": size}
        kind = {"assign": "owner"}.get(action, action)
        assert CaseEvent.objects.filter(rating__in=ids, kind=kind).count() == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_bulk_of_a_restricted_member_refuses_other_branches_CASE_8(make, merchant, client_for):
    mine = make.branch(merchant)
    staff = make.member(merchant, "staff", branches=[mine])
    visible, hidden = make.rating(merchant, 2, branch=mine), make.rating(merchant, 2)
    response = client_for(staff).post(f"{base(merchant)}ratings/bulk/", {"ids": [visible.pk, hidden.pk],
                                                                        "action": "status", "value": "resolved"},
                                      format="json")
    assert response.status_code == 400
    assert set(Rating.objects.filter(pk__in=[visible.pk, hidden.pk]).values_list("status", flat=True)) == {"new"}


def test_case_filters_views_and_counts_CASE_6(make, merchant, admin_client, client_for):
    agent = make.member(merchant, "agent")
    overdue = make.rating(merchant, 2, created_at=timezone.now() - dt.timedelta(days=2))
    at_risk = make.rating(merchant, 4, created_at=timezone.now() - dt.timedelta(hours=20))
    mine = make.rating(merchant, 6)
    make.rating(merchant, 10)
    admin_client.patch(f"{base(merchant)}ratings/{mine.pk}/", {"owner": agent.pk}, format="json")

    def ids(**query):
        response = admin_client.get(f"{base(merchant)}ratings/", query)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["results"]]

    assert ids(sla="breached") == [overdue.pk]
    assert ids(sla="at_risk") == [at_risk.pk]
    assert ids(owner="none", status="new,open,escalated") == [at_risk.pk, overdue.pk]
    assert ids(owner=str(agent.pk)) == [mine.pk]
    assert ids(priority="high") == [overdue.pk]
    assert ids(ordering="due_at")[:3] == [overdue.pk, at_risk.pk, mine.pk]
    assert admin_client.get(f"{base(merchant)}ratings/", {"status": "lost"}).status_code == 400
    assert admin_client.get(f"{base(merchant)}ratings/", {"sla": "met"}).status_code == 400
    mine_client = client_for(agent)
    assert [i["id"] for i in mine_client.get(f"{base(merchant)}ratings/", {"owner": "me"}).json()["results"]] == [
        mine.pk]
    summary = mine_client.get(f"{base(merchant)}ratings/summary/").json()
    assert {k: summary[k] for k in ("open_cases", "unassigned_cases", "overdue_cases", "my_cases")} == {
        "open_cases": 3, "unassigned_cases": 2, "overdue_cases": 1, "my_cases": 1}


@pytest.mark.parametrize("query", ["ana.gomez@example.com", "ANA.GOMEZ@example.com", "+57 300 123 4567", "#"])
def test_search_by_email_phone_and_number_CASE_9(make, merchant, admin_client, query):
    ana = make.customer(merchant, "Ana Gómez", email="ana.gomez@example.com", phone="+57 300 123 4567")
    rating = make.rating(merchant, 7, customer=ana)
    make.rating(merchant, 7, customer=make.customer(merchant, "Otra Persona", email="otra@example.com"))
    query = f"#{rating.pk}" if query == "#" else query
    results = admin_client.get(f"{base(merchant)}ratings/", {"q": query}).json()["results"]
    assert [item["id"] for item in results] == [rating.pk]
