"""The customer's conversation page with a gift, at 375 and 1440 px in Chromium (CUS-2, CUS-4, GFT-3):
the gift once, its code large beside a QR code that a phone's camera reads, a prompt in the reply box;
and a mangled link's own 404 page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from customers.links import conversation_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def gifted(make, acting_for):
    from gifts.services import gift_create, gift_grant
    from ratings.services import rating_reply

    merchant = make.merchant("arepa-regalo", name="La Arepa Dorada")
    acting_for(merchant)
    customer = make.customer(merchant, "Lucía Martínez", email="lucia@example.com")
    visit = make.visit(merchant, customer=customer, visited_at=timezone.now() - dt.timedelta(hours=3))
    from ratings.services import rating_create

    rating = rating_create(merchant=merchant, visit=visit, score=4, comment="La arepa llegó fría.")
    admin = make.admin(merchant)
    rating_reply(merchant=merchant, rating=rating, author=admin, body="Lucía, lo sentimos. Te invitamos al postre.")
    gift = gift_create(merchant=merchant, actor=admin, name="Postre de la casa", kind="product",
                       product_name="Postre", validity_days=30)
    grant = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=gift)
    return rating, grant


@pytest.mark.parametrize("width", [375, 1440])
def test_gift_once_with_code_and_qr_and_a_prompt_cus2_gft3(chromium, live_server, gifted, width):
    rating, grant = gifted
    context = chromium.new_context(viewport={"width": width, "height": 812 if width < 640 else 900}, locale="es-CO",
                                   base_url=live_server.url, is_mobile=width < 640, has_touch=width < 640)
    page = context.new_page()
    page.goto(_path(conversation_url(rating)))
    gifts = page.locator(".pub-gift")
    assert gifts.count() == 1
    assert page.get_by_text("Postre de la casa").count() == 1
    assert page.locator(".pub-msg-system").count() == 0
    code = page.locator(".pub-code-lg")
    assert code.inner_text().split()[-1] == grant.code
    assert float(code.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 26
    qr = page.get_by_role("img", name=f"Código QR de tu código {grant.code}")
    box = qr.bounding_box()
    assert box["width"] >= 140 and abs(box["width"] - box["height"]) < 1
    assert page.locator("#body").get_attribute("placeholder").startswith("Escribe a La Arepa Dorada:")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    name = "customer-gift-phone.png" if width < 640 else "customer-gift.png"
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled", caret="initial")

    # A link cut short by a mail client: our page, in the browser's language.
    page.goto(_path(conversation_url(rating))[:-8] + "/")
    assert page.locator("h1").inner_text() == "No encontramos esta página"
    if width < 640:
        page.screenshot(path=str(SCREENSHOTS / "customer-404-phone.png"), full_page=True, animations="disabled")
    context.close()
