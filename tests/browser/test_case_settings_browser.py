"""Response targets in the browser (SLA-1, SLA-2): an admin sets a 4-hour target with opening
hours on the settings page; a complaint from Friday afternoon, moved by that change, is on time
on Monday morning, then at risk, then overdue, and the Overdue view lists it with its chip.
The clock is time_machine's: the live server runs in a thread of this process and sees it.
Screenshots of the settings page at 1440 and 375 px."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from ratings.models import Rating

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOGOTA = ZoneInfo("America/Bogota")
FRIDAY = dt.datetime(2026, 11, 27, tzinfo=BOGOTA)
MONDAY = dt.datetime(2026, 11, 30, tzinfo=BOGOTA)
SPLIT = [["08:00", "12:00"], ["14:00", "18:00"]]


def test_a_case_turns_at_risk_then_overdue_in_open_time_SLA_1_SLA_2(seeded, make, open_page):
    merchant = seeded["merchant"]
    customer = make.customer(merchant, "Gabriela Ríos", email="gabriela@example.com")
    complaint = make.rating(merchant, 3, "Nos cobraron dos veces la limonada.", customer=customer,
                            created_at=FRIDAY + dt.timedelta(hours=16))
    assert complaint.due_at == FRIDAY + dt.timedelta(hours=40)  # 24 h around the clock, before the change

    page = open_page(seeded["admin"], width=1440, height=900)
    page.goto(f"/m/{merchant.slug}/inbox/")
    page.get_by_role("link", name="Response targets").click()
    expect(page.get_by_role("heading", name="Response targets", exact=True)).to_be_visible()
    page.get_by_label("First-response target").fill("4")
    page.get_by_text("Only during opening hours", exact=True).click()
    monday = page.locator('.cs-day[data-day="mon"]')
    monday.locator('input[name="mon-0-open"]').fill("08:00")
    monday.locator('input[name="mon-0-close"]').fill("12:00")
    monday.get_by_role("button", name="Add a second interval").click()
    monday.locator('input[name="mon-1-open"]').fill("14:00")
    monday.locator('input[name="mon-1-close"]').fill("18:00")
    page.get_by_role("button", name="Copy Monday to Tuesday–Friday").click()
    expect(page.locator('input[name="fri-1-close"]')).to_have_value("18:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("cases are due after 4 hours of opening time")).to_be_visible()
    merchant.refresh_from_db()
    assert merchant.first_response_hours == 4
    assert merchant.opening_hours == {"mon": SPLIT, "tue": SPLIT, "wed": SPLIT, "thu": SPLIT, "fri": SPLIT,
                                      "sat": [], "sun": []}
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "case-settings.png", full_page=True)

    # Friday 16:00-18:00 is two hours; Monday 08:00 resumes: at risk at 09:00, due at 10:00.
    complaint = Rating.objects.get(pk=complaint.pk)
    assert (complaint.at_risk_at, complaint.due_at) == (MONDAY + dt.timedelta(hours=9),
                                                       MONDAY + dt.timedelta(hours=10))
    row = page.locator(f"#row-{complaint.pk}")
    with time_machine.travel(MONDAY + dt.timedelta(hours=8, minutes=30)):
        page.goto(f"/m/{merchant.slug}/inbox/{complaint.pk}/")
        expect(page.locator("#case-bar .sla")).to_contain_text("On time")
        expect(row).to_be_visible()
        expect(row.locator(".case-chip.sla-at_risk, .case-chip.sla-breached")).to_have_count(0)
    with time_machine.travel(MONDAY + dt.timedelta(hours=9, minutes=15)):
        page.goto(f"/m/{merchant.slug}/inbox/{complaint.pk}/")
        expect(row.locator(".case-chip.sla-at_risk")).to_have_text("At risk")
        expect(page.locator("#case-bar .sla")).to_contain_text("At risk")
    with time_machine.travel(MONDAY + dt.timedelta(hours=10, minutes=5)):
        page.goto(f"/m/{merchant.slug}/inbox/")
        page.get_by_role("link", name="Overdue").first.click()
        expect(page).to_have_url(f"/m/{merchant.slug}/inbox/?view=overdue")
        # due times first: the 20-day-old complaint of the seed (due 16 Nov), then this one
        expect(page.locator('li[id^="row-"]')).to_have_count(2)
        expect(page.locator('li[id^="row-"]').nth(1)).to_have_attribute("id", f"row-{complaint.pk}")
        expect(row.locator(".case-chip.sla-breached")).to_have_text("Overdue")
        screenshot(page, "case-overdue.png")


def test_the_settings_page_on_a_phone_SLA_1(seeded, open_page):
    merchant = seeded["merchant"]
    page = open_page(seeded["admin"], width=375, height=812)
    page.goto(f"/m/{merchant.slug}/settings/cases/")
    page.get_by_text("Only during opening hours", exact=True).click()
    expect(page.locator("#cs-week")).to_be_visible()
    page.locator('.cs-day[data-day="sat"]').get_by_text("Saturday").click()
    expect(page.locator('input[name="sat-0-open"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar where it belongs in a full-page shot
    screenshot(page, "case-settings-phone.png", full_page=True)
