"""The inbox as a person uses it, in headless Chromium (INB-1..9, DET-1..4, THR-1..4)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_scores(page, n=3):
    return [int(x) for x in page.locator("#rows .row .score").all_inner_texts()[:n]]


def first_names(page, n=3):
    return page.locator("#rows .row-name").all_inner_texts()[:n]


def counter(page, name):
    return page.locator(f'[data-counter="{name}"]')


def test_inbox_counters_colours_sorting_filters_and_reset(seeded, open_page):
    merchant = seeded["merchant"]
    page = open_page(seeded["admin"])
    page.goto(f"/m/{merchant.slug}/inbox/")
    # INB-1 counters, INB-2 colours and unread in bold.
    expect(counter(page, "total_ratings")).to_have_text("13")
    expect(counter(page, "comments_received")).to_have_text("9")
    expect(counter(page, "replies_sent")).to_have_text("1")
    first = page.locator("#rows .row").first
    expect(first.locator(".score")).to_have_class(re.compile("score-promoter"))
    colour = first.locator(".score").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(220, 252, 231)"
    assert first.locator(".row-name").evaluate("e => getComputedStyle(e).fontWeight") == "700"
    detractor = page.locator("#rows .row", has_text="José Pérez").first.locator(".score")
    assert detractor.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(254, 226, 226)"
    screenshot(page, "inbox.png")

    # INB-3: each header twice.
    page.get_by_role("link", name="Sort by Score").click()
    expect(page).to_have_url(re.compile(r"sort=-score"))
    assert first_scores(page) == [10, 10, 9]
    page.get_by_role("link", name="Sort by Score").click()
    expect(page).to_have_url(re.compile(r"sort=score(&|$)"))
    assert first_scores(page) == [2, 3, 4]
    page.get_by_role("link", name="Sort by Customer").click()
    expect(page).to_have_url(re.compile(r"sort=customer"))
    assert first_names(page, 2) == ["Ana Ruiz", "Andrés Castillo"]
    page.get_by_role("link", name="Sort by Customer").click()
    expect(page).to_have_url(re.compile(r"sort=-customer"))
    assert first_names(page, 1) == ["Valentina Rojas"]
    page.get_by_role("link", name="Sort by Date").click()
    expect(page).to_have_url(re.compile(r"sort=created_at"))
    assert first_names(page, 1) == ["José Pérez"]  # his older rating, 20 days ago
    page.get_by_role("link", name="Sort by Date").click()
    expect(page).not_to_have_url(re.compile(r"sort="))
    assert first_names(page, 1) == ["María Fernanda López"]
    page.get_by_role("link", name="Sort by Read").click()
    expect(page).to_have_url(re.compile(r"sort=is_read"))
    expect(page.locator("#rows .row").first).to_have_class(re.compile("is-unread"))
    page.get_by_role("link", name="Sort by Read").click()
    expect(page).to_have_url(re.compile(r"sort=-is_read"))
    expect(page.locator("#rows .row").first).not_to_have_class(re.compile("is-unread"))

    # INB-4 filters: name, branch, dates; INB-5 reset keeps sort and branch.
    page.get_by_role("searchbox", name="Search customer").fill("per")
    expect(page.locator("#rows .row")).to_have_count(3)  # José Pérez ×2, Pedro Perea
    expect(page).to_have_url(re.compile(r"q=per"))
    expect(counter(page, "total_ratings")).to_have_text("13")  # counters ignore the search
    page.get_by_label("Branch").select_option(label="Norte")
    expect(page.locator("#rows .row")).to_have_count(1)  # only José's recent rating is at Norte
    expect(counter(page, "total_ratings")).to_have_text("4")
    page.get_by_label("From", exact=True).fill("2000-01-01")
    page.get_by_label("To", exact=True).fill("2000-01-02")
    expect(page.locator("#rows .rows-empty")).to_be_visible()
    page.get_by_role("link", name="Reset").click()
    expect(page).to_have_url(re.compile(r"sort=-is_read"))
    expect(page).to_have_url(re.compile(rf"branch={seeded['norte'].id}"))
    expect(page).not_to_have_url(re.compile(r"q=|date_from|date_to"))
    expect(page.locator("#rows .row")).to_have_count(4)
    expect(page.get_by_role("searchbox", name="Search customer")).to_have_value("")


def test_open_reply_quick_reply_history_profile_invoice(seeded, open_page):
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    jose = ratings[1]
    page = open_page(seeded["admin"], width=1440, height=1100)
    page.goto(f"/m/{merchant.slug}/inbox/?sort=score")
    unread_before = int(counter(page, "unread_comments").inner_text())
    row = page.locator(f"#row-{jose.pk}")
    row.locator(".row-link").click()
    # INB-6/INB-7: URL names the rating, keeps the list state; the rating is read now.
    expect(page).to_have_url(re.compile(rf"/inbox/{jose.pk}/\?sort=score$"))
    expect(page.locator("#rating-detail")).to_contain_text("Esperamos 40 minutos")
    expect(row).not_to_have_class(re.compile("is-unread"))
    expect(counter(page, "unread_comments")).to_have_text(str(unread_before - 1))
    # DET-1, DET-4 cards.
    expect(page.locator(".customer-card")).to_contain_text("José Pérez")
    expect(page.locator('[data-gifts="offered"]')).to_have_text("0")
    expect(page.locator(".visit-card")).to_contain_text("Norte")

    # THR-2: empty reply refused with a message.
    page.locator("#send-reply").click()
    expect(page.locator("#reply-error")).to_be_visible()
    # THR-4: a quick reply goes into the composer and stays editable.
    page.get_by_label("Quick reply").select_option(label="Disculpa por la demora")
    composer = page.get_by_label("Reply to the customer")
    expect(composer).to_have_value(re.compile("lamentamos mucho la espera"))
    composer.press("End")
    composer.type("\nUn abrazo, Laura")
    page.locator("#send-reply").click()
    message = page.locator("#thread .msg-staff").last
    expect(message).to_contain_text("lamentamos mucho la espera")
    expect(message.locator(".msg-body")).to_contain_text("Un abrazo, Laura")
    assert "<br>" in message.locator(".msg-body").inner_html()
    expect(counter(page, "replies_sent")).to_have_text("2")
    expect(composer).to_have_value("")
    expect(page.locator("#toast")).to_contain_text("Reply sent")
    page.locator("#toast").evaluate("e => e.replaceChildren()")  # the screenshots show the page, not the toast
    page.locator("#detail-pane").evaluate("e => e.scrollTo(0, 0)")
    screenshot(page, "rating.png")

    # INB-6: mark unread by hand.
    page.get_by_role("button", name="Mark unread").click()
    expect(row).to_have_class(re.compile("is-unread"))

    # DET-2: history; another rating opens in place with its messages.
    page.get_by_role("button", name="View history").click()
    history = page.locator('[data-panel="history"] .history-item')
    expect(history).to_have_count(2)
    history.nth(1).click()
    expect(page.locator("#rating-detail")).to_contain_text("La sopa estaba salada.")
    # Back button returns to the first rating.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/inbox/{jose.pk}/"))
    expect(page.locator("#rating-detail")).to_contain_text("Esperamos 40 minutos")

    # DET-3 profile and DET-4 invoice.
    page.get_by_role("button", name="Customer profile").click()
    profile = page.locator('[data-panel="profile"]')
    expect(profile).to_contain_text("cliente1@example.com")
    expect(profile.locator("tbody tr")).to_have_count(2)
    screenshot(page, "profile.png")
    profile.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="View invoice").click()
    invoice = page.locator('[data-panel="invoice"]')
    expect(invoice).to_contain_text("Limonada de coco")
    expect(invoice.locator(".total")).to_have_text(re.compile(r"COP\s84,800"))  # English: the code, kept apart
    screenshot(page, "invoice.png")


def test_customer_reply_arrives_while_the_page_is_open_INB_8(seeded, open_page, settings):
    from ratings.services import customer_message_add

    settings.INBOX_POLL_SECONDS = 1
    merchant, rating = seeded["merchant"], seeded["ratings"][3]  # Ana, answered and read after opening
    page = open_page(seeded["admin"])
    page.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    expect(page.locator(f"#row-{rating.pk}")).not_to_have_class(re.compile("is-unread"))
    unread = int(counter(page, "unread_comments").inner_text())
    customer_message_add(merchant=merchant, rating=rating, body="¿Puedo reservar para el sábado?")
    expect(page.locator("#thread")).to_contain_text("¿Puedo reservar para el sábado?", timeout=6000)
    expect(page.locator(f"#row-{rating.pk}")).to_have_class(re.compile("is-unread"))
    expect(counter(page, "unread_comments")).to_have_text(str(unread + 1))
    # And a new rating shows up at the top of the list.
    from django.utils import timezone

    from tests.conftest import Factory

    make = Factory()
    new = make.rating(merchant, 9, "Recién llegada", customer=make.customer(merchant, "Zoe Nueva"),
                      created_at=timezone.now())
    expect(page.locator("#rows .row").first).to_have_id(f"row-{new.pk}", timeout=6000)
    expect(counter(page, "total_ratings")).to_have_text("14")


def test_keyboard_only_INB_9(seeded, open_page):
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    page = open_page(seeded["admin"])
    page.goto(f"/m/{merchant.slug}/inbox/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#row-{ratings[1].pk} .row-link")).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator(f"#row-{ratings[0].pk} .row-link")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/inbox/{ratings[1].pk}/"))
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/inbox/{ratings[2].pk}/"))
    # The URL changes with the request: wait for the opened rating itself before acting on it.
    expect(page.locator("#rating-detail")).to_have_attribute("data-rating-id", str(ratings[2].pk))
    expect(page.locator(f"#row-{ratings[2].pk}")).not_to_have_class(re.compile("is-unread"))
    page.keyboard.press("u")
    expect(page.locator(f"#row-{ratings[2].pk}")).to_have_class(re.compile("is-unread"))
    page.keyboard.press("r")
    expect(page.get_by_label("Reply to the customer")).to_be_focused()
    # Every button, link and field has an accessible name.
    unnamed = page.evaluate("""() => Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea'))
        .filter(e => e.offsetParent !== null)
        .filter(e => !(e.getAttribute('aria-label') || e.textContent.trim() || (e.labels && e.labels.length) || e.title || e.getAttribute('aria-labelledby')))
        .map(e => e.outerHTML.slice(0, 120))""")
    assert unnamed == []


def test_narrow_screen_stacks_list_and_detail_INB_7(seeded, open_page):
    merchant, rating = seeded["merchant"], seeded["ratings"][1]
    page = open_page(seeded["admin"], width=375, height=812)
    page.goto(f"/m/{merchant.slug}/inbox/{rating.pk}/")
    screenshot(page, "mobile.png", full_page=True)
    # An opened rating is a screen of its own on a phone; its back control leads to the list
    # (tests/browser/test_phone_browser.py walks it).
    expect(page.locator("#list-pane")).to_be_hidden()
    detail_box = page.locator("#detail-pane").bounding_box()
    assert detail_box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("[data-detail-back]").click()
    expect(page.locator("#list-pane")).to_be_visible()
    list_box = page.locator("#list-pane").bounding_box()
    assert list_box["width"] <= 375
    expect(page.locator("#detail-pane")).to_be_hidden()


def test_language_switch_per_user(seeded, open_page):
    """Spanish by default, English per user (PRODUCT §10); the choice is kept on the user."""
    merchant, admin = seeded["merchant"], seeded["admin"]
    page = open_page(admin)
    page.goto(f"/m/{merchant.slug}/inbox/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Named by what they show (WCAG 2.5.3, axe label-content-name-mismatch); the full name is their title.
    page.get_by_role("button", name="ES", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.locator(".counters")).to_contain_text("Calificaciones recibidas")
    expect(page.get_by_role("link", name="Bandeja", exact=True)).to_be_visible()
    expect(page.get_by_placeholder("Buscar cliente")).to_be_visible()
    page.locator("#rows .row-link").first.click()
    expect(page.locator("#rating-detail")).to_contain_text("Ver historial")
    screenshot(page, "rating-es.png")
    admin.refresh_from_db()
    assert admin.language == "es"
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_login_form_leads_to_the_inbox(seeded, browser, live_server):
    """The sign-in page: a wrong password is refused with a message, the right one opens the inbox."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("E-mail").fill(seeded["admin"].email)
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button").last.click()
        expect(page.locator(".form-error")).to_be_visible()
        screenshot(page, "login.png")
        page.get_by_label("Password").fill("pass-1234")
        page.get_by_role("button").last.click()
        expect(page).to_have_url(re.compile(rf"/m/{seeded['merchant'].slug}/inbox/$"))
    finally:
        context.close()


def test_quick_replies_admin_page_THR_4(seeded, open_page):
    merchant = seeded["merchant"]
    page = open_page(seeded["admin"], width=1280, height=900)
    page.goto(f"/m/{merchant.slug}/inbox/")
    page.get_by_role("link", name="Quick replies").click()
    expect(page.get_by_role("heading", name="Quick replies")).to_be_visible()
    page.get_by_label("Title").fill("Reserva")
    page.get_by_label("Text").fill("Con gusto te guardamos una mesa.\n¿Para cuántas personas?")
    page.get_by_role("button", name="Add quick reply").click()
    item = page.locator(".qr-item", has_text="Reserva")
    expect(item).to_contain_text("¿Para cuántas personas?")
    screenshot(page, "quick-replies.png")
    item.get_by_role("link", name="Edit Reserva").click()
    page.get_by_label("Title").fill("Reserva de mesa")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".qr-item", has_text="Reserva de mesa")).to_be_visible()
    page.get_by_role("button", name="Delete Reserva de mesa").click()
    expect(page.locator(".qr-item", has_text="Reserva de mesa")).to_have_count(0)
