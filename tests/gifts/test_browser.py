"""Attach a gift from an opened rating and redeem it at the till, in headless Chromium (GFT-2, GFT-3)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", Path(__file__).resolve().parents[2] / "docs" / "screenshots"))


def _shot(page_or_locator, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_or_locator.screenshot(path=str(SCREENSHOTS / name), caret="initial")


def test_gft2_gft3_attach_new_discount_gift_then_redeem_at_till(make, open_page):
    from playwright.sync_api import expect

    merchant = make.merchant("la-arepa", name="La Arepa Dorada", timezone_name="America/Bogota")
    agent = make.member(merchant, "agent", email="camila@example.com")
    customer = make.customer(merchant, "José Pérez", email="jose@example.com")
    rating = make.rating(merchant, score=3, comment="Esperamos 40 minutos y la comida llegó fría.",
                         customer=customer)

    page = open_page(agent, height=900)
    page.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    pane = page.locator("#rating-gifts")
    attach = pane.locator(".gift-attach")
    expect(attach).to_be_visible()
    counters = page.locator(".customer-card .gift-stats")
    expect(counters.locator('[data-gifts="offered"]')).to_have_text("0")

    attach.locator("summary").first.click()
    attach.locator(".gift-attach__new > summary").click()
    new_form = attach.locator("form.gift-form")
    new_form.locator("label.gift-tab", has=page.locator("input[value=discount]")).click()
    expect(new_form.locator("#attach-discount_percent")).to_be_visible()
    expect(new_form.locator("#attach-product_name")).to_be_hidden()
    new_form.locator("#attach-name").fill("Disculpa por la espera")
    new_form.locator("#attach-discount_percent").fill("20")
    new_form.locator("#attach-validity_days").fill("10")
    _shot(pane, "gifts-attach-form.png")
    new_form.locator("button[type=submit]").click()

    grant_row = pane.locator(".gift-grant")
    expect(grant_row).to_have_count(1)
    code = grant_row.locator(".gift-code").inner_text().strip()
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8,16}", code)
    expect(grant_row.locator(".gift-status--offered")).to_be_visible()
    # GFT-2: in the thread at once, and the customer's counters change at once.
    expect(page.locator("#thread .msg-system", has_text=code)).to_be_visible()
    expect(page.locator('.customer-card [data-gifts="offered"]')).to_have_text("1")
    expect(pane.locator(".gift-notice")).to_contain_text(code)
    _shot(pane, "gifts-rating-pane.png")
    _shot(page, "gifts-inbox.png")

    # GFT-3: the till redeems it by code, typed in lower case.
    page.goto(f"/m/{merchant.slug}/gifts/redeem/")
    page.locator("#redeem-code").fill(code.lower())
    page.locator(".gift-till__form button[type=submit]").click()
    # The till sees whose gift it is, what it gives and until when, and confirms (GFT-3).
    confirm = page.locator(".gift-till__confirm")
    expect(confirm).to_contain_text("José Pérez")
    expect(confirm).to_contain_text("20%")
    expect(confirm.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    expect(page.locator("#confirm-redeem")).to_be_focused()
    expect(page.locator(".gift-till__result")).to_have_count(0)
    page.set_viewport_size({"width": 1440, "height": 900})
    _shot(page, "gifts-till-confirm.png")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "gifts-till-confirm-phone.png")
    page.set_viewport_size({"width": 1360, "height": 900})
    page.locator("#confirm-redeem").click()
    result = page.locator(".gift-till__result")
    expect(result).to_be_visible()
    expect(result).to_contain_text("José Pérez")
    expect(result).to_contain_text("20%")
    _shot(page, "gifts-till.png")
    page.locator("#redeem-code").fill(code)
    page.locator(".gift-till__form button[type=submit]").click()
    expect(page.locator("#redeem-error")).to_be_visible()

    page.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    expect(page.locator("#rating-gifts .gift-status--redeemed")).to_be_visible()
    expect(page.locator('.customer-card [data-gifts="redeemed"]')).to_have_text("1")
    expect(page.locator("#rating-gifts .gift-grant__redeem")).to_have_count(0)


def test_gft1_admin_creates_points_gift_in_catalogue_with_tabs(make, open_page, acting_for):
    from playwright.sync_api import expect

    from gifts.models import Gift

    merchant = make.merchant("la-arepa", name="La Arepa Dorada")
    acting_for(merchant)
    page = open_page(make.admin(merchant), height=900)
    page.goto(f"/m/{merchant.slug}/gifts/")
    form = page.locator("form.gift-form")
    form.locator("#new-name").fill("Puntos de bienvenida")
    form.locator("label.gift-tab", has=page.locator("input[value=points]")).click()
    expect(form.locator("#new-points")).to_be_visible()
    expect(form.locator("#new-discount_percent")).to_be_hidden()
    form.locator("#new-points").fill("2000000")  # passes the browser, refused by the service
    form.locator("#new-validity_days").fill("30")
    form.locator("button[type=submit]").click()
    # Refused with the field's own message, the points tab still chosen.
    expect(page.locator("#new-points")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#new-points")).to_be_visible()
    page.locator("#new-points").fill("500")
    page.locator("form.gift-form button[type=submit]").click()
    row = page.locator(".gift-table tbody tr", has_text="Puntos de bienvenida")
    expect(row).to_contain_text("500")
    _shot(page, "gifts-catalogue.png")
    assert Gift.objects.get(merchant=merchant).points == 500
