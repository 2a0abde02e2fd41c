"""SLA-3, SLA-5, SLA-6 as a mail client shows them: the HTML part of a real alert and a real
digest (recorded by the sweeps, the clock controlled) rendered in Chromium and shot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from alerts.tasks import digest_sweep, sla_alerts_sweep
from merchants.access import Access
from notifications.models import OutgoingEmail
from ratings.cases import case_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
T0 = dt.datetime(2026, 3, 9, 19, 30, tzinfo=dt.UTC)  # 14:30 in Bogotá
PEOPLE = [
    ("José Pérez", 3, "Esperamos 40 minutos y la comida llegó fría. Nadie nos explicó la demora."),
    ("María Fernanda López", 10, "¡La mejor bandeja paisa de la ciudad!"),
    ("Andrés Castillo", 2, "Me cobraron un plato que no pedí."),
    ("Ana Ruiz", 9, None),
    ("Diego Ramírez", 5, None),
    ("Juan Esteban Díaz", 4, "Las arepas estaban crudas por dentro."),
    ("Lucía Martínez", 7, None),
]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    import notifications.services

    monkeypatch.setattr(notifications.services, "_enqueue", lambda *args: None)
    monkeypatch.setattr(notifications.services, "_enqueue_many", lambda *args: None)


def shoot(chromium, html: str, name: str) -> None:
    page = chromium.new_page(viewport={"width": 720, "height": 300}, device_scale_factor=1)
    page.set_content(html)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled")
    page.close()


def test_alert_and_digest_emails_rendered_in_chromium_sla3_sla5_sla6(make, merchant, chromium):
    agent = make.member(merchant, "agent", email="camila@example.com")
    branch = make.branch(merchant, "Chapinero")
    ratings = []
    for i, (name, score, comment) in enumerate(PEOPLE):
        at = T0 + dt.timedelta(minutes=17 * i)
        with time_machine.travel(at, tick=False):
            ratings.append(make.rating(merchant, score=score, comment=comment, created_at=at,
                                       branch=branch if i % 2 else None,
                                       customer=make.customer(merchant, name, email=None)))
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        case_update(access=Access.system(merchant), rating=ratings[0], actor=None, owner=agent.pk)
    with time_machine.travel(T0 + dt.timedelta(hours=18, minutes=1), tick=False):
        assert sla_alerts_sweep() >= 1
        assert digest_sweep() >= 1
    alert = OutgoingEmail.objects.get(kind="sla_at_risk", rating=ratings[0])
    digest = OutgoingEmail.objects.filter(kind="digest").first()
    assert alert.to_address == "camila@example.com" and "José Pérez" in alert.body_html
    assert "Andrés Castillo" in digest.body_html and "Ana Ruiz" not in digest.body_html  # detractors listed
    assert alert.list_unsubscribe in alert.body_html and digest.list_unsubscribe in digest.body_html
    shoot(chromium, alert.body_html, "email-alert.png")
    shoot(chromium, digest.body_html, "email-digest.png")
