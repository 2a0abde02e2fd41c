"""Every staff page and the customer's pages in Spanish at 1440 px, as a Colombian merchant reads them
(issue 17): money, counts and dates in es-CO, one name for the auto-reply, the screenshots
docs/screenshots/es-*.png to review the words in context."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATE = re.compile(r"\b\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept|oct|nov|dic) \d{4}\b")


@pytest.fixture
def spanish(seeded):
    from gifts.services import gift_create, gift_grant

    admin = seeded["admin"]
    admin.language = "es"
    admin.save(update_fields=["language"])
    merchant, jose = seeded["merchant"], seeded["ratings"][1]
    postre = gift_create(merchant=merchant, actor=admin, name="Postre de la casa", kind="product",
                         product_name="Postre de natas", validity_days=30, cost=Decimal("8500"))
    gift_create(merchant=merchant, actor=admin, name="Bono", kind="discount", discount_amount=Decimal("15000"),
                validity_days=15)
    grant = gift_grant(merchant=merchant, actor=admin, rating=jose, gift=postre)
    return {**seeded, "jose": jose, "grant": grant}


def test_staff_pages_in_colombian_spanish(spanish, open_page):
    from playwright.sync_api import expect

    merchant, jose = spanish["merchant"], spanish["jose"]
    page = open_page(spanish["admin"], width=1440, height=900)
    m = f"/m/{merchant.slug}"

    page.goto(f"{m}/inbox/{jose.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".list-head")).to_contain_text("Leídas")
    detail = page.locator("#rating-detail")
    expect(detail).to_contain_text("$84.800")
    expect(detail).to_contain_text("Postre de natas gratis")
    row_date = page.locator("#rows .row-date").first.inner_text().split("\n")[0]
    assert DATE.fullmatch(row_date), row_date  # the list's date style is the opened rating's
    assert DATE.search(detail.inner_text())
    screenshot(page, "es-rating.png")

    page.get_by_role("button", name=re.compile("Perfil del cliente")).click()
    drawer = page.locator("#drawer")
    expect(drawer).to_contain_text("Cliente desde")
    expect(drawer).to_contain_text("Compras")
    screenshot(page, "es-profile.png")

    for path, name, text in [
        ("gifts/", "es-gifts.png", "$15.000 de descuento"),
        ("gifts/redeem/", "es-till.png", "Redimir"),
        ("autoreply/", "es-autoreply.png", "Respuesta automática"),
        ("settings/cases/", "es-case-settings.png", "Horario de atención"),
        ("analytics/", "es-analytics.png", "Embudo de recuperación"),
        ("settings/notifications/", "es-notifications.png", "Resumen diario"),
        ("quick-replies/", "es-quick-replies.png", "Campos"),
    ]:
        page.goto(f"{m}/{path}")
        expect(page.locator("main")).to_contain_text(text)
        assert "Autorespuesta" not in page.content() and "Marcadores" not in page.content()
        for fields in page.locator("details.ar-help:not([open]) > summary").all():
            fields.click()
        screenshot(page, name, full_page=True)

    page.goto(f"{m}/gifts/redeem/")
    page.get_by_label("Código que muestra el cliente").fill(spanish["grant"].code)
    page.get_by_role("button", name="Buscar el código").click()
    confirm = page.locator("main")
    expect(confirm).to_contain_text("¿Redimir este regalo?")
    assert DATE.search(confirm.inner_text())
    screenshot(page, "es-till-confirm.png")


def test_customer_conversation_in_colombian_spanish(spanish, browser, live_server):
    from playwright.sync_api import expect

    from customers.links import conversation_path

    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=live_server.url,
                                  locale="es-CO", extra_http_headers={"Accept-Language": "es-CO,es;q=0.9"})
    page = context.new_page()
    page.goto(conversation_path(spanish["jose"]))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("main")).to_contain_text("Tus regalos")
    assert DATE.search(page.locator("main").inner_text())
    screenshot(page, "es-customer-conversation.png", full_page=True)
    context.close()
