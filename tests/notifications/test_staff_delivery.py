"""Staff e-mails end to end (CASE-3, SLA-3, SLA-4, SLA-6): caused by pages, the API and the customer's
rating page, recorded in their transaction, sent after commit by a real Celery worker through Redis to
a real SMTP server, in each member's language, with the one-click stop that works without a login."""

from __future__ import annotations

import datetime as dt
from email.header import decode_header, make_header
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from customers.links import rating_url
from merchants.models import Membership
from notifications.models import OutgoingEmail
from tests.notifications.harness import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
Kind = OutgoingEmail.Kind


def _parts(message) -> dict[str, str]:
    return {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _received(delivery, count: int) -> dict[str, list]:
    """Waits until `count` staff e-mails were accepted by the SMTP server; {recipient: [messages]}."""
    wait_for(lambda: len(delivery.smtp.handler.messages) >= count, 60, 0.2, f"{count} e-mails delivered")
    by_recipient: dict[str, list] = {}
    for message in delivery.smtp.handler.messages:
        by_recipient.setdefault(message["To"], []).append(message)
    return by_recipient


def _prefs(merchant, user, **values):
    Membership.objects.filter(merchant=merchant, user=user).update(**values)


@pytest.fixture
def team(make, merchant):
    """La Arepa Dorada (Spanish) with Centro and Norte, and members of every kind of preference."""
    centro = make.branch(merchant, "Centro")
    norte = make.branch(merchant, "Norte")
    people = {
        "admin": make.admin(merchant),  # Spanish, sees every branch
        "second_admin": make.member(merchant, "admin", email="second@example.com"),
        "agent": make.member(merchant, "agent", email="agent@example.com"),  # English, below
        "instant": make.member(merchant, "staff", email="instant@example.com"),
        "instant_norte": make.member(merchant, "staff", branches=[norte], email="norte@example.com"),
        "digest": make.member(merchant, "staff", email="digest@example.com"),
        "off": make.member(merchant, "staff", email="off@example.com"),
    }
    people["agent"].language = "en"
    people["agent"].save(update_fields=["language"])
    for name, choice in (("instant", "instant"), ("instant_norte", "instant"), ("digest", "digest"), ("off", "off")):
        _prefs(merchant, people[name], notify_new_detractor=choice)
    return merchant, centro, people


def test_assignment_escalation_and_new_detractor_emails_arrive_once_in_each_language_CASE_3_SLA_4_SLA_6(
        make, team, delivery, client, client_for, api_key):
    merchant, centro, people = team
    rating = make.rating(merchant, 3, "Llegó frío", branch=centro,
                         customer=make.customer(merchant, "Ana Ruiz", email="ana@example.com"),
                         created_at=timezone.now() - dt.timedelta(hours=2))  # older than an hour: no alert
    mine = make.rating(merchant, 5, branch=centro, created_at=timezone.now() - dt.timedelta(hours=3))
    assert not OutgoingEmail.objects.exists()
    delivery.worker()

    # CASE-3: the admin assigns a case to the agent from the case bar: one e-mail, in English.
    client.force_login(people["admin"])
    assert client.post(f"/m/{merchant.slug}/inbox/{rating.pk}/case/", {"owner": people["agent"].pk}).status_code == 302
    # The agent takes another one themselves ("assign to me"), then escalates the first.
    agent_api = client_for(people["agent"])
    assert agent_api.patch(f"/api/v1/merchants/{merchant.slug}/ratings/{mine.pk}/", {"owner": people["agent"].pk},
                           format="json").status_code == 200
    assert agent_api.patch(f"/api/v1/merchants/{merchant.slug}/ratings/{rating.pk}/", {"status": "escalated"},
                           format="json").status_code == 200
    received = _received(delivery, 3)
    [assigned] = received["agent@example.com"]
    assert _subject(assigned) == f"Case #{rating.pk} is yours: 3/10 from Ana Ruiz"
    parts = _parts(assigned)
    assert parts["text/plain"].startswith(f"{people['admin'].get_full_name()} assigned you a case")
    assert f"/m/{merchant.slug}/inbox/{rating.pk}/" in parts["text/html"] and "Llegó frío" in parts["text/html"]
    assert '<html lang="en">' in parts["text/html"] and "Open the rating" in parts["text/html"]
    stop_link = "".join(assigned["List-Unsubscribe"].split()).strip("<>")  # unfolded
    assert assigned["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{stop_link}"' in parts["text/html"] and stop_link in parts["text/plain"]
    # SLA-3's CASE-3 half: both admins hear of the escalation, in Spanish.
    escalated = [received[people[name].email][0] for name in ("admin", "second_admin")]
    assert {_subject(m) for m in escalated} == {f"Escalado: caso #{rating.pk}, 3/10 de Ana Ruiz"}
    assert all('<html lang="es">' in _parts(m)["text/html"] for m in escalated)

    # SLA-4: a detractor rates from the customer's page: only the instant member who sees Centro hears.
    visit = make.visit(merchant, branch=centro, customer=make.customer(merchant, "Luis Mora"),
                       visited_at=timezone.now() - dt.timedelta(minutes=30))
    rated = Client().post(urlparse(rating_url(visit)).path, {"score": "2", "comment": "Muy lento"})
    assert rated.status_code == 302
    # History imported through the API: given two hours ago, it alerts nobody.
    old_visit = make.visit(merchant, branch=centro, visited_at=timezone.now() - dt.timedelta(hours=3))
    response = client_for(api_key=api_key).post(f"/api/v1/merchants/{merchant.slug}/ratings/", {
        "visit": old_visit.pk, "score": 1,
        "created_at": (timezone.now() - dt.timedelta(hours=2)).isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    received = _received(delivery, 4)
    [detractor] = received["instant@example.com"]
    assert _subject(detractor) == "Nuevo detractor: 2/10 de Luis Mora en Centro"
    assert "Muy lento" in _parts(detractor)["text/plain"]
    assert not {"norte@example.com", "digest@example.com", "off@example.com"} & set(received)

    # SLA-6: the mail client's one-click stop, without a session, turns assignment e-mails off ...
    stop = Client().post(urlparse(stop_link).path, {"List-Unsubscribe": "One-Click"})
    assert stop.status_code == 200
    assert Membership.objects.get(merchant=merchant, user=people["agent"]).notify_assigned is False
    # ... so the next assignment to the agent sends nothing, while the admin's still do.
    other = make.rating(merchant, 6, branch=centro, created_at=timezone.now() - dt.timedelta(hours=2))
    assert client.post(f"/m/{merchant.slug}/inbox/{other.pk}/case/", {"owner": people["agent"].pk}).status_code == 302
    assert client.post(f"/m/{merchant.slug}/inbox/{other.pk}/case/", {"owner": people["second_admin"].pk}
                       ).status_code == 302
    received = _received(delivery, 5)
    assert _subject(received["second@example.com"][-1]) == f"El caso #{other.pk} es tuyo: 6/10 de José Pérez"
    wait_for(lambda: not OutgoingEmail.objects.exclude(status="sent").exists(), 30, 0.2, "the outbox drained")
    assert OutgoingEmail.objects.count() == 5 == len(delivery.smtp.handler.messages)
    assert max(delivery.smtp.handler.message_ids().values()) == 1  # each exactly once
