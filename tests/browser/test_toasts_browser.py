"""A toast after every action (issue 17), one mechanism: htmx answers carry the view's message in the
HX-Trigger header (ratings_inbox.toasts), whole pages show it in the layout's toast region."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gift_catalogue_settings_and_inbox_actions_each_say_they_were_done(seeded, open_page):
    from gifts.services import gift_create

    merchant, admin, jose = seeded["merchant"], seeded["admin"], seeded["ratings"][1]
    gift_create(merchant=merchant, actor=admin, name="Postre de la casa", kind="product", product_name="Postre",
                validity_days=30)
    gift_create(merchant=merchant, actor=admin, name="Limonada gratis", kind="product", product_name="Limonada",
                validity_days=30)
    page = open_page(admin, width=1440, height=900)
    toast = page.locator("#toast .toast")

    # Whole pages (a form posted, then the page again): the catalogue's actions.
    page.goto(f"/m/{merchant.slug}/gifts/")
    page.locator("#new-name").fill("Café de cortesía")
    page.locator("#new-product_name").fill("Café")
    page.locator("form.gift-form button[type=submit]").click()
    expect(toast).to_have_text(re.compile("Gift created: Café de cortesía"))
    screenshot(page, "toast-gift-created.png")
    row = page.locator(".gift-table tbody tr", has_text="Postre de la casa")
    row.get_by_role("button", name="Deactivate").click()
    expect(toast).to_contain_text("Postre de la casa deactivated")
    # It goes away by itself, and × closes one at once.
    page.locator(".gift-table tbody tr", has_text="Café de cortesía").get_by_role("button", name="Delete").click()
    expect(toast).to_contain_text("Café de cortesía deleted")
    toast.get_by_role("button", name="Close").click()
    expect(toast).to_have_count(0)

    # Settings saved.
    page.goto(f"/m/{merchant.slug}/settings/cases/")
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    expect(toast).to_contain_text("Saved")

    # htmx answers: mark unread, attach a gift from the opened rating.
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    page.locator("#mark-unread").click()
    expect(toast).to_have_text(re.compile("Marked unread"))
    page.locator(".gift-attach > summary").click()
    page.locator("#attach-gift").select_option(label="Limonada gratis")
    page.locator(".gift-attach__catalogue button[type=submit]").click()
    expect(toast).to_contain_text("Gift sent. Code")
    expect(toast).to_have_count(0, timeout=9000)
