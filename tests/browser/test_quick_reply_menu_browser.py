"""Quick replies in the composer, in Chromium (THR-4, AR-2): their placeholders are filled for the opened
rating's customer, and "/" opens a menu that filters as one types, driven by arrows, Enter and Esc."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREETING = "Hola {first_name}, gracias por visitar {merchant} ({branch}) el {visit_date}. Tu nota: {score}."


@pytest.fixture
def greeting(seeded):
    from ratings.services import quick_reply_create

    return quick_reply_create(merchant=seeded["merchant"], title="Saludo", body=GREETING)


def expected_greeting(rating) -> str:
    from zoneinfo import ZoneInfo

    local = rating.visit.visited_at.astimezone(ZoneInfo("America/Bogota"))
    return (f"Hola José, gracias por visitar La Arepa Dorada (Norte) el {local:%d/%m/%Y}. Tu nota: 3.")


@pytest.mark.parametrize("width", [1440, 375])
def test_slash_menu_filters_and_inserts_a_filled_quick_reply_THR_4_AR_2(seeded, greeting, open_page, width):
    merchant, jose = seeded["merchant"], seeded["ratings"][1]
    page = open_page(seeded["admin"], width=width, height=1000 if width > 640 else 812)
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    composer = page.get_by_label("Reply to the customer")
    menu = page.get_by_role("listbox", name="Quick replies")
    expect(menu).to_be_hidden()

    # "/" opens every quick reply, already filled for José; the first is chosen.
    composer.click()
    composer.press("/")
    expect(menu).to_be_visible()
    options = menu.get_by_role("option")
    expect(options).to_have_count(3)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(composer).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    expect(menu.get_by_role("option", name="Saludo")).to_contain_text("Hola José, gracias por visitar La Arepa Dorada")

    # Typing filters (accents and case ignored); Esc closes the menu and stays in the composer.
    composer.press_sequentially("DEMO")
    expect(menu.get_by_role("option")).to_have_count(1)
    expect(menu.get_by_role("option")).to_have_text(
        "Disculpa por la demoraHola, lamentamos mucho la espera. Queremos compensarte en tu próxima visita.")
    composer.press("Escape")
    expect(menu).to_be_hidden()
    expect(composer).to_be_focused()
    expect(composer).to_have_value("/DEMO")
    composer.fill("")

    # Arrows move the choice (round), Enter puts the filled text in place of "/…", ready to edit.
    composer.press_sequentially("Buenas tardes. /")
    expect(menu).to_be_visible()
    composer.press("ArrowDown")
    composer.press("ArrowDown")
    expect(menu.get_by_role("option", name="Saludo")).to_have_attribute("aria-selected", "true")
    if width == 1440:
        screenshot(page, "quick-reply-menu.png")
    else:
        composer.scroll_into_view_if_needed()
        screenshot(page, "quick-reply-menu-phone.png")
    composer.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    composer.press("ArrowUp")
    composer.press("Enter")
    expect(menu).to_be_hidden()
    expect(composer).to_have_value("Buenas tardes. " + expected_greeting(jose))
    expect(composer).to_be_focused()
    composer.press_sequentially(" ¡Un abrazo!")
    page.locator("#send-reply").click()
    expect(page.locator("#thread .msg-staff").last.locator(".msg-body")).to_have_text(
        "Buenas tardes. " + expected_greeting(jose) + " ¡Un abrazo!")


def test_the_quick_reply_select_inserts_it_filled_too_THR_4(seeded, greeting, open_page):
    merchant, jose = seeded["merchant"], seeded["ratings"][1]
    page = open_page(seeded["admin"], width=1440, height=1000)
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    page.get_by_label("Quick reply").select_option(label="Saludo")
    expect(page.get_by_label("Reply to the customer")).to_have_value(expected_greeting(jose))
