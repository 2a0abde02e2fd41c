"""Which staff e-mails a change records, to whom and once (CASE-3, SLA-3, SLA-4), in the transaction
of the change: one change, a bulk change and the API alike go through ratings.cases; every arriving
rating through rating_create. Delivery by a real worker: tests/notifications/test_staff_delivery.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from merchants.access import Access
from merchants.models import Membership
from notifications.models import OutgoingEmail
from ratings.cases import case_update
from ratings.models import CaseEvent
from ratings.services import ratings_bulk, ratings_bulk_undo, ratings_bulk_undoable
from tests.conftest import base

pytestmark = pytest.mark.django_db
Kind = OutgoingEmail.Kind


def _prefs(merchant, user, **values):
    Membership.objects.filter(merchant=merchant, user=user).update(**values)


def _staff(**filters):
    return list(OutgoingEmail.objects.filter(customer__isnull=True, **filters).order_by("id"))


@pytest.fixture
def member_client(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def test_the_new_owner_is_emailed_once_per_assignment_but_not_when_they_take_it_CASE_3(make, merchant):
    admin, agent = make.admin(merchant), make.member(merchant, "agent")
    rating = make.rating(merchant, 3, "Frío")
    access = Access.system(merchant)
    case_update(access=access, rating=rating, actor=admin, owner=agent.pk)
    [email] = _staff(kind=Kind.ASSIGNED)
    event = CaseEvent.objects.get(rating=rating, kind="owner")
    assert (email.user_id, email.to_address, email.rating_id) == (agent.pk, agent.email, rating.pk)
    assert email.dedupe_key == f"rating:{rating.pk}:assigned:{event.pk}"
    assert email.subject.startswith(f"El caso #{rating.pk} es tuyo: 3/10 de ")  # the agent's language: es
    assert f"/m/{merchant.slug}/inbox/{rating.pk}/" in email.body_text and email.list_unsubscribe
    case_update(access=access, rating=rating, actor=admin, owner=agent.pk)  # no change: nothing
    case_update(access=access, rating=rating, actor=admin, owner=None)
    case_update(access=access, rating=rating, actor=admin, owner=agent.pk)  # assigned again: a new e-mail
    assert len(_staff(kind=Kind.ASSIGNED)) == 2
    mine = make.rating(merchant, 2)
    case_update(access=Access.member(Membership.objects.get(merchant=merchant, user=agent)), rating=mine,
                actor=agent, owner=agent.pk)  # "assign to me"
    assert len(_staff(kind=Kind.ASSIGNED)) == 2


def test_an_owner_who_turned_assignment_emails_off_gets_none_SLA_4(make, merchant, member_client):
    agent = make.member(merchant, "agent")
    _prefs(merchant, agent, notify_assigned=False)
    rating = make.rating(merchant, 5)
    response = member_client(make.admin(merchant)).post(f"/m/{merchant.slug}/inbox/{rating.pk}/case/",
                                                        {"owner": agent.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 302) and CaseEvent.objects.filter(rating=rating, kind="owner").exists()
    assert not _staff()


def test_escalating_emails_the_admins_who_see_the_branch_except_the_escalator_CASE_3(make, merchant, client_for):
    main_admin = make.admin(merchant)
    other_branch = make.branch(merchant)
    rating = make.rating(merchant, 2, "Pésimo")
    second = make.member(merchant, "admin")
    english = make.member(merchant, "admin", branches=[rating.branch])
    english.language = "en"
    english.save(update_fields=["language"])
    elsewhere = make.member(merchant, "admin", branches=[other_branch])
    quiet = make.member(merchant, "admin")
    _prefs(merchant, quiet, notify_assigned=False)
    make.member(merchant, "agent")  # not an admin
    response = client_for(second).patch(f"{base(merchant)}ratings/{rating.pk}/", {"status": "escalated"},
                                        format="json")
    assert response.status_code == 200
    emails = _staff(kind=Kind.ESCALATED)
    assert {e.user_id for e in emails} == {main_admin.pk, english.pk}  # not second, elsewhere, quiet
    event = CaseEvent.objects.get(rating=rating, kind="status", to_value="escalated")
    assert {e.dedupe_key for e in emails} == {f"rating:{rating.pk}:escalated:{event.pk}:to:{u}"
                                             for u in (main_admin.pk, english.pk)}
    by_user = {e.user_id: e for e in emails}
    assert by_user[english.pk].subject == f"Escalated: case #{rating.pk}, 2/10 from José Pérez"
    assert by_user[main_admin.pk].subject.startswith("Escalado: caso")
    assert elsewhere.pk not in by_user


def test_a_bulk_assign_is_one_email_per_owner_listing_the_cases_with_flat_statements_CASE_3_CASE_8(
        make, merchant, admin_client):
    agent = make.member(merchant, "agent")
    counts = []
    for size in (3, 25):
        ids = [make.rating(merchant, score).pk for score in ([2, 5, 9] * 9)[:size]]
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(f"{base(merchant)}ratings/bulk/", {"ids": ids, "action": "assign",
                                                                           "value": agent.pk}, format="json")
        assert response.json() == {"updated": size}
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
    small, large = _staff(kind=Kind.ASSIGNED)
    assert small.subject == "3 casos son tuyos" and small.rating_id is None
    assert large.subject == "25 casos son tuyos" and large.body_text.count("\n- #") == 20
    assert "…y 5 casos más." in large.body_text and "?view=mine" in large.body_text
    assert large.dedupe_key.startswith("ratings:assigned:")


def test_the_undo_of_a_bulk_assign_emails_nobody_CASE_8(make, merchant):
    admin, agent = make.admin(merchant), make.member(merchant, "agent")
    ids = [make.rating(merchant, 2).pk for _ in range(2)]
    access = Access.system(merchant)
    ratings_bulk(access=access, actor=admin, ids=ids, action="assign", value=agent.pk)
    previous = ratings_bulk_undoable(access=access, actor=admin, ids=ids, action="assign", value=admin.pk)
    assert len(_staff()) == 1  # the first assignment; the second was to the admin who did it
    ratings_bulk_undo(access=access, actor=admin, action="assign", previous=previous)
    assert len(_staff()) == 1


def test_a_new_detractor_is_emailed_to_instant_members_who_see_its_branch_SLA_4(make, merchant):
    other_branch = make.branch(merchant)
    instant = make.member(merchant, "staff")
    restricted_instant = make.member(merchant, "staff", branches=[other_branch])
    digest, off = make.member(merchant, "agent"), make.member(merchant, "agent")
    for user, choice in ((instant, "instant"), (restricted_instant, "instant"), (digest, "digest"), (off, "off")):
        _prefs(merchant, user, notify_new_detractor=choice)
    detractor = make.rating(merchant, 4, "Tardaron mucho")
    make.rating(merchant, 7, "Bien")  # a passive: nobody hears of it
    [email] = _staff()
    assert (email.kind, email.user_id, email.rating_id) == (Kind.NEW_DETRACTOR, instant.pk, detractor.pk)
    assert email.dedupe_key == f"rating:{detractor.pk}:new_detractor:to:{instant.pk}"
    assert email.subject.startswith("Nuevo detractor: 4/10 de José Pérez en ")
    assert "Tardaron mucho" in email.body_text and "Tardaron mucho" in email.body_html
    assert "/n/" in email.list_unsubscribe
    make.rating(merchant, 1, branch=other_branch)
    assert {e.user_id for e in _staff()} == {instant.pk, restricted_instant.pk}


def test_history_posted_an_hour_late_alerts_nobody_SLA_3_SLA_4(make, merchant, api_key, client_for):
    instant = make.member(merchant, "staff")
    _prefs(merchant, instant, notify_new_detractor="instant")
    make.rating(merchant, 2, created_at=timezone.now() - dt.timedelta(minutes=61))
    assert not _staff()
    make.rating(merchant, 2, created_at=timezone.now() - dt.timedelta(minutes=59))
    assert len(_staff()) == 1
    # The API's ingestion is the same service: a fresh detractor posted by the point of sale alerts.
    visit = make.visit(merchant, visited_at=timezone.now() - dt.timedelta(minutes=30))
    response = client_for(api_key=api_key).post(f"{base(merchant)}ratings/", {"visit": visit.pk, "score": 3},
                                                format="json")
    assert response.status_code == 201, response.json()
    assert len(_staff(kind=Kind.NEW_DETRACTOR)) == 2


def test_a_bulk_escalation_is_one_email_per_admin_listing_the_cases_of_their_branches_CASE_3_CASE_8(make, merchant):
    norte = make.branch(merchant, "Norte")
    agent = make.member(merchant, "agent")
    admin = make.admin(merchant)
    norte_admin = make.member(merchant, "admin", branches=[norte])
    ratings = [make.rating(merchant, 2), make.rating(merchant, 4, branch=norte), make.rating(merchant, 5)]
    ratings_bulk(access=Access.system(merchant), actor=agent, ids=[r.pk for r in ratings], action="status",
                 value="escalated")
    emails = {e.user_id: e for e in _staff(kind=Kind.ESCALATED)}
    assert set(emails) == {admin.pk, norte_admin.pk}
    assert emails[admin.pk].subject == "3 casos escalados" and emails[admin.pk].body_text.count("\n- #") == 3
    assert emails[norte_admin.pk].subject == f"Escalado: caso #{ratings[1].pk}, 4/10 de José Pérez"
    assert "?status=escalated" in emails[admin.pk].body_text
