"""ANA-4 "Did we fix it?" end to end: a member resolves a complaint, a real worker delivers the follow-up
e-mail, the customer opens its /f/ link on a 375 px phone and answers 8, and the inbox shows "3 → 8"."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest
from playwright.sync_api import expect

from merchants.models import Merchant
from notifications.models import OutgoingEmail
from ratings.models import Rating, RatingBranchCounter
from tests.notifications.harness import wait_for

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _part(message, kind: str) -> str:
    return next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == kind)


def test_resolve_email_answer_on_a_phone_and_the_inbox_shows_3_to_8_ANA_4(seeded, open_page, delivery, chromium,
                                                                          live_server, settings):
    merchant, admin = seeded["merchant"], seeded["admin"]
    settings.PUBLIC_BASE_URL = live_server.url  # the links of e-mails composed by the live server's requests
    Merchant.objects.filter(pk=merchant.pk).update(followup_on_resolve=True)
    rating = seeded["ratings"][1]  # José Pérez, 3: waited 40 minutes, the food came cold
    rerated = sum(row.rerated for row in RatingBranchCounter.objects.filter(merchant=merchant))
    delivery.worker()

    desk = open_page(admin, width=1440, height=900)
    desk.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    desk.locator("#case-resolve").click()
    expect(desk.locator("#case-followup")).to_contain_text("Asked to rate again on")
    wait_for(lambda: OutgoingEmail.objects.filter(rating_id=rating.pk, kind="followup", status="sent").exists(),
             60, 0.2, "the follow-up e-mail delivered")
    [message] = delivery.smtp.handler.messages
    assert message["To"] == "cliente1@example.com"
    assert str(make_header(decode_header(message["Subject"]))) == "¿Lo solucionamos? Una pregunta de La Arepa Dorada"
    html = _part(message, "text/html")
    assert '<html lang="es">' in html and html.count("?score=") == 10
    link = re.search(r"(http://\S+/f/\S+/)\s", _part(message, "text/plain")).group(1)
    mail = chromium.new_page(viewport={"width": 375, "height": 700})  # as a phone's mail client shows it
    mail.set_content(html)
    expect(mail.get_by_role("link", name="Califícanos de nuevo")).to_be_visible()
    assert mail.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(mail, "email-followup-phone.png", full_page=True)
    mail.close()

    phone = chromium.new_context(viewport={"width": 375, "height": 812}, locale="es-CO", is_mobile=True,
                                 has_touch=True, device_scale_factor=1)
    phone.set_default_timeout(10000)
    page = phone.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("¿Lo solucionamos?")
    page.get_by_role("radio", name="8", exact=True).check()
    page.locator("#comment").fill("La atención mejoró mucho, gracias por llamarme.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
    screenshot(page, "followup-page.png", full_page=True)
    page.get_by_role("button", name="Enviar mi respuesta").click()
    page.wait_for_url(re.compile(r"\?thanks=1$"))
    expect(page.locator("h1")).to_have_text("Gracias por responder")
    expect(page.locator(".pub-followup-now")).to_have_text("Ahora 8")
    # The same link again: the first answer stands, and the page says so.
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Ya tenemos tu respuesta")
    phone.close()

    stored = Rating.objects.get(pk=rating.pk)
    assert (stored.score, stored.followup_score) == (3, 8)
    assert sum(row.rerated for row in RatingBranchCounter.objects.filter(merchant=merchant)) == rerated + 1

    desk.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    expect(desk.locator("#detail-followup")).to_have_attribute("aria-label", "Score 3, rated again 8")
    expect(desk.locator("#case-followup")).to_contain_text("Rated again: 3 → 8")
    expect(desk.locator(f"#row-{rating.pk} .chip-followup")).to_have_text("3 → 8")
    # The customer's words reopened the case (CASE-1) and wait in the thread.
    expect(desk.locator("#rating-detail")).to_contain_text("La atención mejoró mucho")
    screenshot(desk, "followup-case.png")
