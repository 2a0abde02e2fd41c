"""CUS-1, CUS-2, AR-5 in a phone-sized Chromium: rate a visit, receive the auto-reply from a real
worker, follow its link, answer, and find the answer unread in the staff inbox."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from autoreply.services import autoreply_settings_update
from customers.links import rating_url
from ratings.models import Message, Rating
from tests.notifications.harness import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _text_part(message) -> str:
    return next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain")


def test_rate_get_auto_reply_answer_and_staff_sees_it_unread_cus1_cus2_ar5(chromium, live_server, make, delivery,
                                                                              client, acting_for):
    merchant = make.merchant("arepa-movil", name="La Arepa Móvil")
    acting_for(merchant)
    autoreply_settings_update(merchant=merchant, enabled=True, delay_minutes=0)
    customer = make.customer(merchant, "Lucía Martínez", email="lucia@example.com")
    visit = make.visit(merchant, customer=customer, visited_at=timezone.now() - dt.timedelta(hours=3))
    delivery.worker(beat=True, extra_env={"PUBLIC_BASE_URL": live_server.url})

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="es-CO", is_mobile=True,
                                 has_touch=True, base_url=live_server.url)
    phone.set_default_timeout(10000)
    page = phone.new_page()
    page.goto(rating_url(visit).split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.locator("h1").inner_text() == "¿Cómo estuvo tu visita?"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    page.get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name="Enviar calificación").click()
    page.wait_for_url(re.compile(r"/c/.+\?thanks=1"))
    assert "Recibimos tu calificación" in page.content()

    wait_for(lambda: delivery.smtp.handler.messages, 60, message="the auto-reply e-mail")
    [mail] = delivery.smtp.handler.messages
    link = re.search(r"(http://\S+/c/\S+/)", _text_part(mail)).group(1)
    page.goto(link)
    assert "Hola Lucía:" in page.locator(".pub-thread").inner_text()
    page.locator("#body").fill("La arepa llegó fría y nadie nos atendió.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_url(re.compile(r"\?sent=1"))
    assert "La arepa llegó fría" in page.locator(".pub-thread").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SCREENSHOTS / "customer-conversation.png"), full_page=True, animations="disabled", caret="initial")
    phone.close()

    rating = Rating.objects.get(visit=visit)
    assert not rating.is_read and rating.comment == "La arepa llegó fría y nadie nos atendió."
    assert list(Message.objects.filter(rating=rating).values_list("author_kind", flat=True)) == [
        "auto_reply", "customer"]

    client.force_login(make.admin(merchant))
    desk = chromium.new_context(viewport={"width": 1360, "height": 860}, base_url=live_server.url)
    desk.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    inbox = desk.new_page()
    response = inbox.goto(f"/m/{merchant.slug}/inbox/")
    assert response.status == 200
    row = inbox.locator(f"#row-{rating.pk}")
    assert "Lucía Martínez" in row.inner_text()
    weight = row.locator(".row-name").evaluate("el => getComputedStyle(el).fontWeight")
    assert int(weight) >= 600 and "is-unread" in row.get_attribute("class")

    # The admin's side of AR-1/AR-2, as merchants see it: the switch on, the text, the preview.
    page = desk.new_page()
    assert page.goto(reverse("autoreply:settings", args=[merchant.slug])).status == 200
    assert page.locator("#ar-subject").input_value()
    assert page.locator("#autoreply-preview").inner_text().strip()
    page.screenshot(path=str(SCREENSHOTS / "autoreply-settings.png"), full_page=True, animations="disabled", caret="initial")
    desk.close()
