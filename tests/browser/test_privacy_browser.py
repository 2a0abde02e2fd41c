"""Habeas data in the browser (PRV-1..3): an admin erases a customer from the profile after
typing the name, and sets the retention; screenshots at 1440 and 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from customers.models import Customer

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, suffix", [(1440, ""), (375, "-phone")])
def test_admin_erases_a_customer_after_typing_the_name_PRV_2(seeded, open_page, width, suffix):
    merchant, rating = seeded["merchant"], seeded["ratings"][6]  # Andrés Castillo
    page = open_page(seeded["admin"], width=width, height=900 if width > 400 else 812)
    page.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    # The customer's name opens the profile (on a phone the customer card is folded under the conversation).
    page.get_by_role("button", name="Open the profile of Andrés Castillo").click()
    page.get_by_role("link", name="Erase customer").click()
    expect(page.get_by_role("heading", name="Erase customer")).to_be_visible()
    page.get_by_label("Type the customer's full name").fill("Andres Castiyo")
    page.get_by_role("button", name="Erase for ever").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was erased.")
    screenshot(page, f"privacy-erase{suffix}.png")
    assert Customer.objects.get(pk=rating.customer_id).erased_at is None
    page.get_by_label("Type the customer's full name").fill("andrés castillo")
    page.get_by_role("button", name="Erase for ever").click()
    expect(page.get_by_text("The customer's personal data was erased.")).to_be_visible()
    erased = Customer.objects.get(pk=rating.customer_id)
    assert erased.erased_at is not None and erased.email is None and "Castillo" not in erased.full_name
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_admin_sets_the_retention_PRV_3(seeded, open_page):
    merchant = seeded["merchant"]
    page = open_page(seeded["admin"], width=1440, height=900)
    page.goto(f"/m/{merchant.slug}/settings/privacy/")
    months = page.get_by_label("Erase customers")
    months.fill("3")
    page.get_by_role("button", name="Save").click()  # 6 to 120 months: the browser keeps the form
    assert months.evaluate("field => field.validity.rangeUnderflow")
    merchant.refresh_from_db()
    assert merchant.erase_after_months is None
    months.fill("24")
    page.get_by_role("button", name="Save").click()
    # The redirect's page says so; only then is the save certain and the page still to shoot.
    expect(page.get_by_text("no visit for 24 months will be erased daily")).to_be_visible()
    merchant.refresh_from_db()
    assert merchant.erase_after_months == 24
    screenshot(page, "privacy-settings.png")
