"""Accessibility of every page, checked by axe-core (vendored in tests/browser/axe/) in Chromium at 1440
and 375 px (INB-9 "every control has an accessible name", CUS-4): no serious or critical violation.

axe is evaluated through the browser's debugging protocol, so the pages' Content-Security-Policy (no
inline script) stays as the app sends it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from merchants.access import Access
from ratings.cases import case_update
from ratings.followup import followup_request
from ratings.models import Rating
from ratings.services import followup_answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text()
SERIOUS = ("serious", "critical")


def violations(page) -> list[str]:
    # A panel fading in is not yet its final colours: judge the page once its animations ended.
    page.evaluate("""() => Promise.all(document.getAnimations()
        .filter(animation => animation.effect?.getComputedTiming().iterations !== Infinity)
        .map(animation => animation.finished.catch(() => null)))""")
    page.evaluate(AXE)
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 4)}))""")
    return [f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}" for v in found if v["impact"] in SERIOUS]


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def staff_pages(seeded):
    from gifts.services import gift_create

    merchant, ratings = seeded["merchant"], seeded["ratings"]
    gift_create(merchant=merchant, actor=seeded["admin"], name="Postre de la casa", kind="product",
                product_name="Postre", validity_days=30)
    slug = merchant.slug
    # A resolved case offers "Ask the customer to rate again" (ANA-4); an answered one shows "3 → 8".
    asked, answered = ratings[6], ratings[4]
    for rating in (asked, answered):
        case_update(access=Access.system(merchant), rating=rating, actor=seeded["admin"], status="resolved")
    followup_request(access=Access.system(merchant), rating=Rating.objects.get(pk=answered.pk), actor=None)
    followup_answer(merchant=merchant, rating=answered, score=9)
    return {
        "inbox": reverse("ratings:inbox", args=[slug]),
        "rating": reverse("ratings:rating", args=[slug, ratings[1].pk]),
        "resolved rating": reverse("ratings:rating", args=[slug, asked.pk]),
        "rated again": reverse("ratings:rating", args=[slug, answered.pk]),
        "quick replies": reverse("ratings:quick-replies", args=[slug]),
        "gift catalogue": reverse("gifts:catalogue", args=[slug]),
        "till": reverse("gifts:redeem", args=[slug]),
        "auto-reply": reverse("autoreply:settings", args=[slug]),
        "privacy": reverse("privacy:privacy-settings", args=[slug]),
        "invoice": reverse("ratings:invoice", args=[slug, ratings[1].visit_id]),
    }


@pytest.mark.parametrize("width", [1440, 375])
def test_staff_pages_have_no_serious_or_critical_violations_INB_9(seeded, staff_pages, open_page, width):
    page = open_page(seeded["admin"], width=width, height=900 if width > 640 else 812)
    found = {}
    for name, url in staff_pages.items():
        page.goto(url)
        found[name] = violations(page)
    # The opened rating with its panels and overlays open.
    page.goto(staff_pages["rating"])
    page.locator(".account summary").click()
    expect(page.locator(".account-menu")).to_be_visible()
    found["account menu"] = violations(page)
    page.locator(".account summary").click()
    context = page.locator(".detail-context")
    if context.get_attribute("open") is None:  # folded on a phone
        page.locator(".detail-context-summary").click()
    page.get_by_role("button", name="View invoice").click()
    expect(page.locator('[data-panel="invoice"]')).to_be_visible()
    found["invoice panel"] = violations(page)
    page.keyboard.press("Escape")
    page.get_by_label("Reply to the customer").press("/")
    expect(page.locator("#quick-menu")).to_be_visible()
    found["quick-reply menu"] = violations(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    found["shortcuts"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("width", [375, 1440])
def test_customer_pages_have_no_serious_or_critical_violations_CUS_4(browser, live_server, seeded, width):
    from customers.links import conversation_url, followup_url, rating_url
    from gifts.services import gift_create, gift_grant

    merchant, ratings = seeded["merchant"], seeded["ratings"]
    gift = gift_create(merchant=merchant, actor=seeded["admin"], name="Postre de la casa", kind="product",
                       product_name="Postre", validity_days=30)
    gift_grant(merchant=merchant, actor=seeded["admin"], rating=ratings[1], gift=gift)
    case_update(access=Access.system(merchant), rating=ratings[6], actor=None, status="resolved")
    followup_request(access=Access.system(merchant), rating=Rating.objects.get(pk=ratings[6].pk), actor=None)
    context = browser.new_context(viewport={"width": width, "height": 812 if width < 640 else 900}, locale="es-CO",
                                  base_url=live_server.url)
    page = context.new_page()
    found = {}
    for name, url in (("conversation", _path(conversation_url(ratings[1]))),
                      ("rate", _path(rating_url(ratings[0].visit))), ("unknown link", "/c/nonsense/"),
                      ("login", reverse("login")), ("follow-up", _path(followup_url(ratings[6], score=8)))):
        page.goto(url)
        found[name] = violations(page)
    page.get_by_role("button", name="Enviar mi respuesta").click()  # the follow-up, answered (ANA-4)
    expect(page.locator(".pub-followup-now")).to_be_visible()
    found["follow-up answered"] = violations(page)
    context.close()
    assert {name: v for name, v in found.items() if v} == {}
