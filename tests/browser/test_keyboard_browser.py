"""The inbox from the keyboard, in Chromium (INB-9): with a rating open j / k open the next / previous
one, Esc leaves the composer, and "?" lists every key of the one registry (static/js/shortcuts.js),
the list's, the case bar's and the bulk selection's alike."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_open(page, rating):
    expect(page).to_have_url(re.compile(rf"/inbox/{rating.pk}/"))
    expect(page.locator("#rating-detail")).to_have_attribute("data-rating-id", str(rating.pk))
    expect(page.locator(f"#row-{rating.pk}")).to_have_attribute("aria-current", "true")


def test_j_k_open_the_next_and_previous_rating_esc_leaves_the_composer_INB_9(seeded, open_page):
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    page = open_page(seeded["admin"], width=1440, height=900)
    page.goto(f"/m/{merchant.slug}/inbox/")
    page.locator(f"#row-{ratings[0].pk} .row-link").click()
    expect_open(page, ratings[0])

    # One key per rating: each j opens the next one, k the previous one, marking it read.
    page.keyboard.press("j")
    expect_open(page, ratings[1])
    expect(page.locator(f"#row-{ratings[1].pk}")).not_to_have_class(re.compile("is-unread"))
    page.keyboard.press("j")
    expect_open(page, ratings[2])
    page.keyboard.press("k")
    expect_open(page, ratings[1])
    page.keyboard.press("k")
    expect_open(page, ratings[0])
    page.keyboard.press("k")  # the first: nothing before it
    expect_open(page, ratings[0])

    # r writes, Esc leaves the composer with the text kept, and the keys work again.
    page.keyboard.press("r")
    composer = page.get_by_label("Reply to the customer")
    expect(composer).to_be_focused()
    page.keyboard.type("jk")  # typing, not shortcuts
    expect(composer).to_have_value("jk")
    expect_open(page, ratings[0])
    page.keyboard.press("Escape")
    expect(composer).not_to_be_focused()
    expect(composer).to_have_value("jk")
    page.keyboard.press("j")
    expect_open(page, ratings[1])

    # x ticks the opened rating for a bulk action (CASE-8), through the same registry.
    page.keyboard.press("x")
    expect(page.locator(f"#row-{ratings[1].pk} .row-check")).to_be_checked()
    page.keyboard.press("x")
    expect(page.locator(f"#row-{ratings[1].pk} .row-check")).not_to_be_checked()

    # "?" lists the keys that apply here, each once.
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    expect(help_dialog).to_be_visible()
    for key, text in (("j", "Open the next rating"), ("k", "Open the previous rating"),
                      ("x", "Select or unselect the rating"), ("e", "Resolve the case"),
                      ("a", "Assign the case to me"), ("u", "Mark the rating unread"),
                      ("r", "Write a reply to the customer"), ("/", "Search customers"),
                      ("?", "Show the keyboard shortcuts")):
        expect(help_dialog.locator(".shortcut-list > div", has=page.locator("kbd", has_text=key))).to_contain_text(text)
    keys = help_dialog.locator(".shortcut-list kbd").all_inner_texts()
    assert len(keys) == len(set(keys)), keys
    screenshot(page, "shortcuts.png")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_without_an_open_rating_j_k_move_and_o_opens_INB_9(seeded, open_page):
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    page = open_page(seeded["admin"], width=1440, height=900)
    page.goto(f"/m/{merchant.slug}/inbox/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#row-{ratings[1].pk} .row-link")).to_be_focused()
    expect(page.locator("#rating-detail")).to_have_count(0)
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_contain_text("Go to the next rating")
    page.keyboard.press("Escape")
    page.keyboard.press("o")
    expect_open(page, ratings[1])
