"""Inbox views and bulk actions as a person uses them, in headless Chromium (CASE-6..8, INB-8)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_cases(seeded):
    """Some cases of every kind on the seeded inbox: two of Laura's, one resolved, one escalated."""
    from merchants.access import Access
    from ratings.cases import case_update

    merchant, admin, ratings = seeded["merchant"], seeded["admin"], seeded["ratings"]
    access = Access.system(merchant)
    case_update(access=access, rating=ratings[4], actor=admin, owner=admin.pk, status="escalated")
    case_update(access=access, rating=ratings[11], actor=admin, owner=admin.pk)
    case_update(access=access, rating=ratings[1], actor=admin, status="resolved")
    return seeded


def row(page, rating):
    return page.locator(f"#row-{rating.pk}")


def test_views_bulk_assign_undo_and_keyboard_CASE_6_CASE_8(seeded, open_page):
    seeded = with_cases(seeded)
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    page = open_page(seeded["admin"], width=1440, height=900)
    page.goto(f"/m/{merchant.slug}/inbox/")
    expect(page.locator('[data-view-count="needs_reply"]')).to_have_text("8")
    screenshot(page, "inbox-views.png")

    # The counters lead to their lists; the view tabs and chips live in the URL.
    page.get_by_role("link", name="Comments received").click()
    expect(page).to_have_url(re.compile(r"\?comment=1$"))
    expect(page.locator("#rows .row")).to_have_count(9)
    page.get_by_role("link", name=re.compile("^Needs reply")).click()
    expect(page).to_have_url(re.compile(r"view=needs_reply"))
    expect(page.locator(".view-tab.is-active")).to_contain_text("Needs reply")
    page.get_by_role("button", name="Detractors").click()
    expect(page).to_have_url(re.compile(r"view=needs_reply.*band=detractor"))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"band="))
    expect(page.locator(".view-tab.is-active")).to_contain_text("Needs reply")
    # Reset clears the search, dates and chips, and keeps the view (INB-5).
    page.get_by_role("link", name="Reset").click()
    expect(page).to_have_url(re.compile(r"\?view=needs_reply$"))
    expect(page.locator("#rows .row")).to_have_count(8)

    # Tick one row, shift-click the third: three selected, then assign them to me.
    rows = page.locator("#rows .row")
    first, third = rows.nth(0), rows.nth(2)
    chosen = [int(rows.nth(i).get_attribute("data-rating-id")) for i in range(3)]
    owned_before = {rating_id: page.locator(f"#row-{rating_id} .avatar").count() for rating_id in chosen}
    assert sorted(owned_before.values()) == [0, 0, 1]  # Carlos's case was Laura's already
    first.locator(".row-check").click()
    third.locator(".row-check").click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    expect(page.locator("#rows .row.is-selected")).to_have_count(3)
    screenshot(page, "inbox-bulk.png")
    page.get_by_role("button", name="Assign to me").click()
    toast = page.locator("#toast .toast")
    expect(toast).to_contain_text("3 ratings assigned")
    for rating_id in chosen:
        expect(page.locator(f"#row-{rating_id} .avatar [aria-hidden]")).to_have_text("LG")
    expect(page.locator("#bulk-form")).to_be_hidden()
    # Mine counts open cases: Carlos's was Laura's already, José's is resolved, María's opened now.
    expect(page.locator('[data-view-count="mine"]')).to_have_text("3")
    toast.get_by_role("button", name="Undo").click()
    expect(toast).to_contain_text("3 ratings as they were")
    for rating_id in chosen:  # each as it was: unassigned again, Carlos's still Laura's
        expect(page.locator(f"#row-{rating_id} .avatar")).to_have_count(owned_before[rating_id])
    expect(page.locator('[data-view-count="mine"]')).to_have_text("2")

    # x ticks the focused row; select the page, then every rating of the filter.
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("1 selected")
    page.locator("#select-page").check()
    all_matching = page.locator("[data-bulk-all]")
    expect(all_matching).to_have_text("Select all 8 matching ratings")
    all_matching.click()
    expect(page.locator("#bulk-count")).to_have_text("All 8 matching ratings are selected")
    page.get_by_label("Change priority").select_option("critical")
    expect(toast).to_contain_text("Priority Critical on 8 ratings")
    from ratings.models import Rating

    assert Rating.objects.filter(merchant=merchant, needs_reply=True).exclude(priority="critical").count() == 0
    assert ratings  # the seeded ratings above are the ones this page shows


def test_a_customer_message_rises_to_the_top_of_needs_reply_without_reload_INB_8_CASE_7(seeded, open_page,
                                                                                          settings):
    from ratings.services import customer_message_add

    settings.INBOX_POLL_SECONDS = 1
    merchant, answered = seeded["merchant"], seeded["ratings"][3]  # Ana: answered, not in Needs reply
    page = open_page(seeded["admin"])
    page.goto(f"/m/{merchant.slug}/inbox/?view=needs_reply")
    expect(row(page, answered)).to_have_count(0)
    count = int(page.locator('[data-view-count="needs_reply"]').inner_text())
    # A ticked row stays ticked through the poll's redraw.
    page.locator("#rows .row").nth(1).locator(".row-check").check()
    customer_message_add(merchant=merchant, rating=answered, body="¿Puedo reservar para el sábado?")
    expect(page.locator("#rows .row").first).to_have_id(f"row-{answered.pk}", timeout=6000)
    expect(row(page, answered).locator(".chip-reply")).to_be_visible()
    expect(page.locator('[data-view-count="needs_reply"]')).to_have_text(str(count + 1))
    expect(page.locator("#rows .row").nth(2).locator(".row-check")).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("1 selected")


def test_views_and_bulk_bar_on_a_phone_CASE_6_CASE_8(seeded, open_page):
    seeded = with_cases(seeded)
    merchant = seeded["merchant"]
    page = open_page(seeded["admin"], width=375, height=812)
    page.goto(f"/m/{merchant.slug}/inbox/?view=overdue")
    tabs = page.locator(".views-tabs")
    assert tabs.evaluate("e => e.scrollWidth > e.clientWidth")  # the tabs scroll sideways
    expect(page.locator(".view-tab.is-active")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("#rows .row").nth(0).locator(".row-check").check()
    page.locator("#rows .row").nth(1).locator(".row-check").check()
    bar = page.locator("#bulk-form")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert abs(box["y"] + box["height"] - 812) <= 1 and box["width"] == 375  # stuck to the bottom
    page.mouse.wheel(0, 400)
    assert abs(bar.bounding_box()["y"] + bar.bounding_box()["height"] - 812) <= 1
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "inbox-views-phone.png")
