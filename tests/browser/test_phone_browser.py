"""The phone and the desktop's proportions, in Chromium (issue 17; INB-1, INB-7, DET-4, GFT-1).

At 375 × 812: an opened rating starts with who, score and what they said, then the conversation and
the composer, the context folded below; a back control and previous/next buttons, no swipe; the list
scrolls with the page, never in a box of its own; the invoice has no sideways scroll; the gift
catalogue's figures carry labels; the top bar says who is logged in. At 1440 × 900: the NPS counter
shows its bands, names and the branch picker are whole, the sort arrow keeps clear of the next header,
the catalogue's buttons stay on one line, and the list's width can be changed and is kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import choice_shows_whole, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1440, "height": 900}


def in_view(page, locator) -> bool:
    """The element's box is inside the viewport and nothing (a sticky bar) is drawn over its middle."""
    return locator.evaluate("""e => {
        const r = e.getBoundingClientRect();
        if (r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) return false;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return e === hit || e.contains(hit);
    }""")


def overlap(page, first: str, second: str) -> bool:
    return page.evaluate("""([a, b]) => {
        const r = document.querySelector(a).getBoundingClientRect(), s = document.querySelector(b).getBoundingClientRect();
        return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
    }""", [first, second])


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") == page.viewport_size["width"]


def catalogue(merchant, admin) -> None:
    from gifts.services import gift_create

    gift_create(merchant=merchant, actor=admin, name="Postre de la casa", kind="product", product_name="Postre",
                validity_days=30)
    gift_create(merchant=merchant, actor=admin, name="10% en la próxima visita", kind="discount", discount_percent=10,
                validity_days=60)


def test_phone_open_a_rating_reply_back_and_next_INB_7(seeded, open_page):
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    jose, pedro = ratings[1], ratings[2]
    page = open_page(seeded["admin"], **PHONE)
    page.goto(f"/m/{merchant.slug}/inbox/")
    # The list is the page: no box scrolling inside it.
    rows = page.locator("#rows")
    assert rows.evaluate("e => e.scrollHeight <= e.clientHeight + 1 && getComputedStyle(e).overflowY === 'visible'")
    expect(page.locator("#detail-pane")).to_be_hidden()
    screenshot(page, "phone-inbox.png")

    page.locator(f"#row-{jose.pk} .row-link").click()
    detail = page.locator("#rating-detail")
    expect(detail).to_have_attribute("data-rating-id", str(jose.pk))
    expect(page.locator("#list-pane")).to_be_hidden()
    # Who, score and what they said, first and uncovered; then the conversation and the composer.
    assert in_view(page, page.locator("#detail-title"))
    assert in_view(page, page.locator(".detail-head .score"))
    said = page.locator("#thread .msg-customer").first
    expect(said).to_contain_text("Esperamos 40 minutos")
    assert in_view(page, said)
    order = page.evaluate("""() => ['.detail-head', '#conversation', '#case-bar', '.detail-context']
        .map(s => document.querySelector(s).getBoundingClientRect().top)""")
    assert order == sorted(order)
    # The context is folded below, one tap away.
    expect(page.get_by_role("button", name="View invoice")).to_be_hidden()
    no_sideways_scroll(page)
    screenshot(page, "phone-rating.png")
    page.locator(".detail-context-summary").click()
    expect(page.get_by_role("button", name="View invoice")).to_be_visible()
    page.locator(".detail-context-summary").click()

    # Reply: a toast says it is sent, the reply is in the thread.
    page.get_by_label("Reply to the customer").fill("José, qué pena con usted. Lo llamamos hoy.")
    page.locator("#send-reply").click()
    expect(page.locator("#toast .toast")).to_contain_text("Reply sent")
    expect(page.locator("#thread .msg-staff").last).to_contain_text("Lo llamamos hoy")
    # The toast keeps clear of the composer: with the Send button at the foot of the screen, as a thumb
    # leaves it after sending, the button stays uncovered.
    page.locator("#send-reply").evaluate("e => window.scrollBy(0, e.getBoundingClientRect().bottom - innerHeight + 8)")
    assert not overlap(page, "#toast .toast", "#send-reply")
    assert in_view(page, page.locator("#send-reply"))

    # Next and previous without a swipe: the buttons of the rating's own bar, which stays on screen.
    previous = page.get_by_role("button", name="Open the previous rating")
    following = page.get_by_role("button", name="Open the next rating")
    page.mouse.wheel(0, 600)
    assert in_view(page, following)
    following.click()
    expect(detail).to_have_attribute("data-rating-id", str(pedro.pk))
    assert in_view(page, page.locator("#detail-title"))
    expect(page).to_have_url(re.compile(rf"/inbox/{pedro.pk}/"))
    previous.click()
    expect(detail).to_have_attribute("data-rating-id", str(jose.pk))

    # Back: the list again, on the rating just read.
    page.get_by_role("link", name="Inbox", exact=True).last.click()
    expect(page.locator("#list-pane")).to_be_visible()
    expect(page.locator("#detail-pane")).to_be_hidden()
    expect(page).to_have_url(re.compile(rf"/m/{merchant.slug}/inbox/$"))
    expect(page.locator(f"#row-{jose.pk} .row-link")).to_be_focused()
    assert in_view(page, page.locator(f"#row-{jose.pk}"))
    # The first and last rating of the list have no previous / next.
    page.locator(".row-link").first.click()
    expect(previous).to_be_disabled()
    expect(following).to_be_enabled()
    # The browser's back button works as well (INB-7: the URL names the opened rating).
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/m/{merchant.slug}/inbox/$"))
    expect(page.locator("#list-pane")).to_be_visible()
    page.go_forward()
    expect(page.locator("#list-pane")).to_be_hidden()
    expect(detail).to_be_visible()


def test_phone_invoice_without_sideways_scroll_DET_4(seeded, open_page):
    merchant, jose = seeded["merchant"], seeded["ratings"][1]
    page = open_page(seeded["admin"], **PHONE)
    page.goto(f"/m/{merchant.slug}/visits/{jose.visit_id}/invoice/")
    no_sideways_scroll(page)
    expect(page.locator("#drawer-title")).to_have_text(re.compile(r"Invoice \S+"))
    for text in ("Bandeja paisa", "Limonada de coco"):
        line = page.locator(".invoice td", has_text=text)
        assert in_view(page, line)
    expect(page.locator(".invoice-each").first).to_be_visible()
    expect(page.locator(".invoice tfoot .total")).to_be_visible()
    # The total stands under the line totals, and the table fills the panel.
    edges = page.evaluate("""() => ['.invoice tbody tr:first-child td:last-child', '.invoice tfoot .total']
        .map(s => Math.round(document.querySelector(s).getBoundingClientRect().right))""")
    assert edges[0] == edges[1]
    screenshot(page, "phone-invoice.png")
    # The same panel beside an opened rating.
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    page.locator(".detail-context-summary").click()
    page.get_by_role("button", name="View invoice").click()
    panel = page.locator('[data-panel="invoice"]')
    expect(panel).to_be_visible()
    assert page.locator("#drawer").evaluate("e => e.scrollWidth <= e.clientWidth")
    no_sideways_scroll(page)


def test_phone_gift_catalogue_labels_and_who_is_logged_in_GFT_1(seeded, open_page):
    merchant, admin = seeded["merchant"], seeded["admin"]
    catalogue(merchant, admin)
    page = open_page(admin, **PHONE)
    page.goto(f"/m/{merchant.slug}/gifts/")
    no_sideways_scroll(page)
    row = page.locator(".gift-table tbody tr", has_text="Postre de la casa")
    labels = row.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels == ['"Gives"', '"Validity"', '"Status"', '"Granted"']
    screenshot(page, "phone-gifts-catalogue.png", full_page=True)
    # The top bar names who is logged in: initials, and the name, e-mail and role in the menu.
    assert page.locator(".topbar").bounding_box()["height"] <= 96  # two rows: the account, then the sections
    account = page.locator(".account")
    expect(account.locator(".account-avatar")).to_have_text("LG")
    account.locator("summary").click()
    menu = account.locator(".account-menu")
    expect(menu).to_contain_text("Laura Gerente")
    expect(menu).to_contain_text(admin.email)
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    assert in_view(page, menu)
    screenshot(page, "phone-account.png")


def test_desktop_proportions_INB_1(seeded, open_page):
    merchant, admin = seeded["merchant"], seeded["admin"]
    catalogue(merchant, admin)
    page = open_page(admin, **DESKTOP)
    page.goto(f"/m/{merchant.slug}/inbox/?sort=-score")
    # The NPS counter, whole, with its bands beside the figure.
    nps = page.locator(".counter-nps")
    expect(nps.locator("[data-counter=nps]")).to_have_text("-15")
    expect(nps.locator("[data-counter=promoters]")).to_have_text("4")
    expect(nps.locator("[data-counter=passives]")).to_have_text("3")
    expect(nps.locator("[data-counter=detractors]")).to_have_text("6")
    figure, bands = nps.locator(".nps-figure").bounding_box(), nps.locator(".nps-bands").bounding_box()
    assert bands["x"] > figure["x"] + figure["width"] and abs(bands["y"] - figure["y"]) < figure["height"]
    assert nps.evaluate("e => e.scrollWidth <= e.clientWidth")
    # Every view tab, every name and "All branches" whole; the sort arrow clear of "Customer".
    assert page.locator("#views .views-tabs").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.locator(".row-name").evaluate_all("names => names.every(n => n.scrollWidth <= n.clientWidth)")
    assert choice_shows_whole(page.locator("#id_branch"))
    arrow = page.locator(".sort-score .sort-arrow").bounding_box()
    customer = page.locator(".sort-customer").bounding_box()
    assert arrow["width"] > 0 and arrow["x"] + arrow["width"] <= customer["x"]
    screenshot(page, "inbox-1440.png")
    # An opened rating: who and what they said, the case, the conversation, then the context.
    page.goto(f"/m/{merchant.slug}/inbox/{seeded['ratings'][1].pk}/?sort=-score")
    expect(page.locator(".detail-context")).to_have_attribute("open", "")
    expect(page.locator(".detail-nav")).to_be_hidden()
    screenshot(page, "rating-1440.png")

    # The list's width: the separator moves with the arrow keys and is kept in this browser.
    pane = page.locator("#list-pane")
    before = pane.bounding_box()["width"]
    handle = page.get_by_role("separator", name="Width of the list")
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert pane.bounding_box()["width"] == pytest.approx(before + 48, abs=1)
    page.reload()
    assert pane.bounding_box()["width"] == pytest.approx(before + 48, abs=1)
    expect(handle).to_have_attribute("aria-valuenow", str(round(before + 48)))

    # A filter asked for: the rows it will replace are dimmed until the answer comes (issue 17's loading states).
    held = []
    page.route(re.compile(r"/inbox/\?.*band=detractor"), lambda route: held.append(route))
    page.locator(".filter-chip.chip-detractor").click()
    rows = page.locator("#rows")
    expect(rows).to_have_css("opacity", "0.45")
    page.wait_for_function("() => true")
    assert held, "the filter's request was not held"
    held[0].continue_()
    expect(page.locator(".filter-chip.chip-detractor")).to_have_attribute("aria-pressed", "true")
    expect(rows).to_have_css("opacity", "1")

    # The catalogue's actions on one line.
    page.goto(f"/m/{merchant.slug}/gifts/")
    row = page.locator(".gift-table tbody tr", has_text="Postre de la casa")
    tops = row.locator(".gift-actions .button").evaluate_all("bs => bs.map(b => b.getBoundingClientRect().top)")
    assert len(tops) == 3 and len(set(tops)) == 1
    screenshot(page, "gifts-catalogue-1440.png")


def test_no_page_scrolls_sideways_on_a_phone_INB_7(seeded, open_page):
    """Every page at 375 px, in Spanish (the default) and in English: the document is exactly as wide as the
    screen. The resolved case carries the longest target pill ("Respondido a tiempo · objetivo …") and the
    "3 → 8" header (ANA-4)."""
    from customers.links import conversation_url, followup_url, rating_url
    from gifts.services import gift_grant
    from merchants.access import Access
    from ratings.cases import case_update
    from ratings.followup import followup_request
    from ratings.models import Rating
    from ratings.services import followup_answer, rating_reply

    merchant, ratings, admin = seeded["merchant"], seeded["ratings"], seeded["admin"]
    catalogue(merchant, admin)
    from gifts.models import Gift

    gift_grant(merchant=merchant, actor=admin, rating=ratings[1], gift=Gift.objects.filter(merchant=merchant).first())
    answered, asked = ratings[4], ratings[6]
    rating_reply(merchant=merchant, rating=answered, author=admin, body="Qué pena con usted, lo revisamos hoy.")
    for rating in (answered, asked):
        case_update(access=Access.system(merchant), rating=Rating.objects.get(pk=rating.pk), actor=admin,
                    status="resolved")
    for rating in (answered, asked):
        followup_request(access=Access.system(merchant), rating=Rating.objects.get(pk=rating.pk), actor=None)
    followup_answer(merchant=merchant, rating=answered, score=8)
    slug = merchant.slug
    staff = [f"/m/{slug}/inbox/", f"/m/{slug}/inbox/{ratings[1].pk}/", f"/m/{slug}/inbox/{answered.pk}/",
             f"/m/{slug}/inbox/{ratings[1].pk}/profile/", f"/m/{slug}/inbox/{ratings[1].pk}/history/",
             f"/m/{slug}/visits/{ratings[1].visit_id}/invoice/", f"/m/{slug}/gifts/", f"/m/{slug}/gifts/redeem/",
             f"/m/{slug}/autoreply/", f"/m/{slug}/quick-replies/", f"/m/{slug}/settings/cases/",
             f"/m/{slug}/settings/notifications/", f"/m/{slug}/settings/privacy/", f"/m/{slug}/analytics/",
             f"/m/{slug}/inbox/999999/"]
    customer = [conversation_url(ratings[1]), conversation_url(answered), rating_url(ratings[0].visit),
                followup_url(asked, score=8), "/c/nonsense/", "/login/"]
    customer = ["/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url for url in customer]
    wide = {}
    for language in ("es", "en"):
        admin.language = language
        admin.save(update_fields=["language"])
        page = open_page(admin, **PHONE)
        page.set_extra_http_headers({"Accept-Language": "es-CO,es" if language == "es" else "en-US,en"})
        for url in staff + customer:
            page.goto(url)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width != PHONE["width"]:
                wide[f"{language} {url}"] = width
    assert wide == {}


def test_desktop_case_bar_target_keeps_clear_of_the_actions_CASE_1(seeded, open_page):
    """'Answered in time · target Dec 6, 2026, 5:22 PM' ran under 'Assign to me' at 1440: it wraps in its column."""
    from ratings.services import rating_reply

    merchant, ratings, admin = seeded["merchant"], seeded["ratings"], seeded["admin"]
    rating_reply(merchant=merchant, rating=ratings[4], author=admin, body="Qué pena con usted, lo revisamos hoy.")
    page = open_page(admin, **DESKTOP)
    page.goto(f"/m/{merchant.slug}/inbox/{ratings[4].pk}/")
    expect(page.locator("#case-bar .sla")).to_contain_text("Answered in time")
    assert not overlap(page, "#case-bar .sla", "#case-bar .case-actions")
    assert page.locator("#case-bar").evaluate("e => e.scrollWidth <= e.clientWidth")
