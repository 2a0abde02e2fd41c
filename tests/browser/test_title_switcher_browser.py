"""The tab's title and the merchant switcher, in Chromium (INB-1, TEN-2): the title says how many unread
comments wait and whose rating is open, after every swap; the switcher shows each merchant's unread."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def unread(page) -> int:
    return int(page.locator('[data-counter="unread_comments"]').inner_text())


def test_tab_title_shows_unread_and_the_open_customer_INB_1(seeded, open_page):
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    page = open_page(seeded["admin"], width=1440, height=900)
    page.goto(f"/m/{merchant.slug}/inbox/")
    count = unread(page)
    assert count > 0
    expect(page).to_have_title(f"({count}) Inbox · La Arepa Dorada")

    page.locator(f"#row-{ratings[1].pk} .row-link").click()  # José: unread, with a comment
    expect(page).to_have_title(f"({count - 1}) José Pérez · Inbox · La Arepa Dorada")
    page.keyboard.press("j")
    expect(page).to_have_title(re.compile(r"^\(\d+\) Pedro Perea · Inbox · La Arepa Dorada$"))
    page.get_by_role("button", name="Mark unread").click()  # Pedro has no comment: the count stays
    page.keyboard.press("k")
    expect(page).to_have_title(f"({count - 1}) José Pérez · Inbox · La Arepa Dorada")
    page.get_by_role("button", name="Mark unread").click()
    expect(page).to_have_title(f"({count}) José Pérez · Inbox · La Arepa Dorada")
    page.go_back()  # back to Pedro's rating: its title again
    expect(page).to_have_title(re.compile(r"^\(\d+\) Pedro Perea · "))
    # A full page load writes the same title on the server.
    page.goto(f"/m/{merchant.slug}/inbox/{ratings[1].pk}/")
    expect(page).to_have_title(f"({count - 1}) José Pérez · Inbox · La Arepa Dorada")


@pytest.mark.parametrize("width", [1440, 375])
def test_switcher_shows_each_merchants_unread_TEN_2(seeded, open_page, make, width):
    from merchants import tenancy
    from merchants.services import member_add

    merchant, admin = seeded["merchant"], seeded["admin"]
    cafe = make.merchant("cafe-central", name="Café Central")
    with tenancy.tenant(cafe.pk):
        member_add(merchant=cafe, email=admin.email, password="pass-1234", role="agent", branch_ids=None)
    for n in range(3):
        make.rating(cafe, 4, f"Café frío {n}")
    page = open_page(admin, width=width, height=900 if width > 640 else 812)
    page.goto(f"/m/{merchant.slug}/inbox/")
    own = unread(page)
    switcher = page.locator(".switcher")
    expect(switcher.locator("summary .switcher-count")).to_contain_text("3")
    switcher.locator("summary").click()
    expect(switcher.locator('[data-unread="cafe-central"]')).to_contain_text("3")
    expect(switcher.locator('[data-unread="cafe-central"]')).to_contain_text("3 unread comments")
    expect(switcher.locator('[data-unread="la-arepa"]')).to_contain_text(str(own))
    screenshot(page, "switcher.png" if width > 640 else "switcher-phone.png")
