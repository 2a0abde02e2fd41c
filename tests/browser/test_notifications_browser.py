"""A member's notification settings (SLA-4) in the browser, at 1440 px in English and 375 px in Spanish;
and a delivered assignment e-mail (CASE-3, SLA-6) as a mail client shows its HTML part."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from merchants.models import Membership
from notifications.models import OutgoingEmail
from tests.notifications.harness import wait_for

from .conftest import SCREENSHOTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, language, suffix", [(1440, "en", ""), (375, "es", "-phone")])
def test_a_staff_member_chooses_instant_detractor_emails_SLA_4(seeded, open_page, make, width, language, suffix):
    merchant = seeded["merchant"]
    staff = make.member(merchant, "staff", email="camila@example.com")
    staff.full_name, staff.language = "Camila Torres", language
    staff.save(update_fields=["full_name", "language"])
    page = open_page(staff, width=width, height=900 if width > 400 else 812)
    page.goto(f"/m/{merchant.slug}/inbox/")
    label = {"en": "Notifications", "es": "Notificaciones"}[language]
    page.get_by_role("link", name=label).click()
    expect(page.get_by_role("heading", name=label, level=1)).to_be_visible()
    instant = {"en": "An e-mail at once", "es": "Un correo al instante"}[language]
    page.get_by_label(instant).check()
    page.get_by_label({"en": "Daily digest at", "es": "Resumen diario a las"}[language]).select_option("7")
    page.get_by_label({"en": "Assignments", "es": "Asignaciones"}[language]).uncheck()
    page.get_by_role("button", name={"en": "Save", "es": "Guardar"}[language]).click()
    expect(page.get_by_text({"en": "Saved: your notification settings", "es": "Guardado: tus ajustes"}[language])
           ).to_be_visible()
    membership = Membership.objects.get(merchant=merchant, user=staff)
    assert (membership.notify_new_detractor, membership.digest_hour, membership.notify_assigned,
            membership.notify_sla) == ("instant", 7, False, True)
    expect(page.get_by_label(instant)).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"notifications-settings{suffix}.png", full_page=True)


def test_the_delivered_assignment_email_as_a_mail_client_shows_it_CASE_3_SLA_6(seeded, open_page, make, delivery,
                                                                                browser):
    merchant, admin = seeded["merchant"], seeded["admin"]
    agent = make.member(merchant, "agent", email="andres@example.com")
    agent.full_name = "Andrés Mora"
    agent.save(update_fields=["full_name"])
    delivery.worker()
    page = open_page(admin, width=1440, height=900)
    rating = seeded["ratings"][1]  # José Pérez, 3, waited 40 minutes
    page.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    page.locator("#case-owner").select_option(str(agent.pk))
    wait_for(lambda: OutgoingEmail.objects.filter(kind="assigned", status="sent").exists(), 60, 0.2,
             "the assignment e-mail delivered")
    [message] = delivery.smtp.handler.messages
    html = next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/html")
    assert '<html lang="es">' in html and "Laura Gerente te asignó un caso" in html
    for width, name in ((720, "email-assigned.png"), (375, "email-assigned-phone.png")):
        mail = browser.new_page(viewport={"width": width, "height": 700})
        mail.set_content(html)
        expect(mail.get_by_role("link", name="Abrir la calificación")).to_be_visible()
        assert mail.evaluate("document.documentElement.scrollWidth") <= width
        mail.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        mail.close()
