"""A detractor's follow-up case as a member works it in Chromium (CASE-1..5, SLA-2): assign to
me, an internal note, a reply, resolve by keyboard, the log in the conversation, the "?" overlay."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ratings.models import Message, Rating

from .conftest import htmx_settled, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_jose(seeded, open_page, *, width, height=900):
    merchant, jose = seeded["merchant"], seeded["ratings"][1]
    page = open_page(seeded["admin"], width=width, height=height)
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    return page, jose


def test_work_a_detractor_case_from_the_case_bar(seeded, open_page):
    page, jose = open_jose(seeded, open_page, width=1440, height=1500)
    bar = page.locator("#case-bar")
    expect(bar.locator(".case-status")).to_have_text("New")
    expect(bar.locator(".sla")).to_contain_text("On time")
    expect(page.locator("#case-priority")).to_have_value("high")

    # CASE-3: assign to me in one click.
    bar.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#toast")).to_contain_text("Assigned to you")
    expect(page.locator("#case-owner")).to_have_value(str(seeded["admin"].pk))
    expect(page.locator("#thread .log-line").last).to_contain_text("Laura Gerente took the case")
    htmx_settled(page, "#case-priority")  # the assignment's swaps are done before the next change
    page.locator("#case-priority").select_option("critical")
    expect(page.locator("#thread .log-line").last).to_contain_text("changed the priority to Critical")

    # CASE-4: an internal note, styled apart, never in the reply's box.
    page.get_by_text("Internal note", exact=True).click()
    note_box = page.locator("#note-body")
    expect(note_box).to_be_focused()
    expect(page.locator("#reply-body")).to_be_hidden()
    assert note_box.evaluate("e => getComputedStyle(e.form).backgroundColor") == "rgb(254, 252, 232)"
    expect(page.locator(".composer-note")).to_contain_text("Only your team sees it")
    note_box.fill("Llamar a José mañana; ofrecer el postre.")
    page.locator("#send-note").click()
    note = page.locator("#thread .msg-note").last
    expect(note).to_contain_text("Internal note")
    expect(note).to_contain_text("Laura Gerente")
    expect(note).to_contain_text("Llamar a José mañana")
    assert note.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(254, 252, 232)"
    expect(page.locator("#note-body")).to_have_value("")

    # A reply: "r" switches back to the customer; the case opens and the target is met.
    page.locator("body").press("r")
    composer = page.get_by_label("Reply to the customer")
    expect(composer).to_be_focused()
    composer.fill("José, lo sentimos mucho. Te esperamos con un postre por nuestra cuenta.")
    page.locator("#send-reply").click()
    expect(page.locator("#thread .msg-staff").last).to_contain_text("postre por nuestra cuenta")
    expect(bar.locator(".case-status")).to_have_text("Open")
    expect(bar.locator(".sla")).to_contain_text("Answered in time")
    page.locator("#detail-pane").evaluate("e => e.scrollTo(0, 0)")
    page.locator("#toast").evaluate("e => e.replaceChildren()")
    screenshot(page, "case-bar.png")

    # "?" lists what the keys do here; Escape closes it.
    page.locator("body").press("?")
    help_dialog = page.locator("#shortcut-help")
    expect(help_dialog).to_be_visible()
    for text in ("Resolve the case", "Write an internal note", "Show the keyboard shortcuts"):
        expect(help_dialog).to_contain_text(text)
    expect(help_dialog).not_to_contain_text("Assign the case to me")  # already mine: no such button
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # "e" resolves (not while typing).
    composer.focus()
    composer.press("e")
    expect(composer).to_have_value("e")
    composer.fill("")
    composer.evaluate("e => e.blur()")
    page.keyboard.press("e")
    expect(bar.locator(".case-status")).to_have_text("Resolved")
    expect(page.locator("#toast")).to_contain_text("Case resolved")
    expect(bar.get_by_role("button", name="Reopen")).to_be_visible()
    lines = page.locator("#thread .log-line .log-text").all_inner_texts()
    assert lines == ["Laura Gerente took the case", "Laura Gerente changed the priority to Critical",
                     "Laura Gerente changed the status to Open", "Laura Gerente resolved the case"]
    stored = Rating.objects.get(pk=jose.pk)
    assert (stored.status, stored.priority, stored.owner_id) == ("resolved", "critical", seeded["admin"].pk)
    assert Message.objects.filter(rating=jose, author_kind="note").count() == 1


def test_a_refused_owner_changes_nothing_and_the_bar_on_a_phone(seeded, open_page):
    page, jose = open_jose(seeded, open_page, width=375, height=812)
    bar = page.locator("#case-bar")
    me = str(seeded["admin"].pk)
    bar.evaluate("e => e.scrollIntoView({block: 'center'})")  # under the composer on a phone (issue 17)
    screenshot(page, "case-bar-phone.png")
    page.locator("body").press("a")  # CASE-3: assign to me by key
    expect(page.locator("#case-owner")).to_have_value(me)
    expect(page.locator("#thread .log-line").last).to_contain_text("took the case")
    htmx_settled(page, "#case-owner")
    # An owner who is not a member of this branch (a stale or forged choice) is refused.
    page.locator("#case-owner").evaluate(
        "(select, id) => { select.add(new Option('Ghost', id)); select.value = id;"
        " select.dispatchEvent(new Event('change', {bubbles: true})); }", "999999")
    expect(bar.locator("#case-error")).to_contain_text("Choose a member who can see")
    expect(page.locator("#toast .toast-error")).to_be_visible()
    expect(page.locator("#case-owner")).to_have_value(me)
    assert Rating.objects.get(pk=jose.pk).owner_id == seeded["admin"].pk
    bar.get_by_role("button", name="Escalate").click()
    expect(bar.locator(".case-status")).to_have_text("Escalated")
    expect(bar.locator("#case-error")).to_have_count(0)
