"""Feedback on every action of the opened rating, in Chromium (THR-2, AR-5, INB-7): each e-mailed
reply shows its delivery state from the outbox, the composer says before sending when nothing will
be e-mailed, a toast confirms the reply, and the detail pane says it is loading."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from ratings_inbox import l10n
from tests.notifications.fixtures import smtp_sink  # noqa: F401 - the real SMTP server, a session fixture

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def failing_smtp(smtp_sink, settings, monkeypatch):  # noqa: F811
    """The app's SMTP server answers 451 until told otherwise; the send task is not handed to a broker
    (the test calls the task's function itself, with the clock it chooses)."""
    smtp_sink.handler.reset()
    smtp_sink.handler.refusing = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp_sink.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    handed = []
    monkeypatch.setattr("notifications.tasks.enqueue_email_send", lambda *args, **kwargs: handed.append(args))
    yield smtp_sink
    smtp_sink.handler.reset()


def deliver(merchant, email_id: int) -> str:
    from merchants import tenancy
    from notifications.tasks import email_deliver

    with tenancy.tenant(merchant.pk):
        return email_deliver(email_id)


def test_delivery_state_failed_with_reason_then_sent_after_the_retry_THR_2_AR_5(seeded, open_page, settings,
                                                                                 failing_smtp):
    from notifications.models import OutgoingEmail

    settings.INBOX_POLL_SECONDS = 1
    merchant, jose = seeded["merchant"], seeded["ratings"][1]
    page = open_page(seeded["admin"], width=1440, height=1000)
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    expect(page.locator("#reply-hint")).to_have_text("Plain text. The customer gets it by e-mail.")
    page.get_by_label("Reply to the customer").fill("José, lo sentimos. Te llamamos hoy mismo.")
    page.locator("#send-reply").click()

    # A toast confirms it, in the app's one toast style; the thread says the e-mail is on its way.
    expect(page.locator("#toast .toast")).to_have_text(re.compile("Reply sent"))
    reply = page.locator("#thread .msg-staff").last
    # It waits out the reply's undo window, and says until when.
    expect(reply.locator(".delivery")).to_have_text(re.compile(r"^E-mail leaves at \d{1,2}:\d\d:\d\d\s[AP]M, unless the reply is undone$"))
    email = OutgoingEmail.objects.get(rating=jose, kind=OutgoingEmail.Kind.STAFF_REPLY)

    # Not sendable in the reply's undo window; once it has passed the server refuses (451): the reply
    # says it failed, why, and when it is tried again.
    assert deliver(merchant, email.pk) == "skipped"
    with time_machine.travel(email.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        assert deliver(merchant, email.pk) == "retry"
    assert failing_smtp.handler.refused == 1
    email.refresh_from_db()
    with l10n.reading("en", merchant.timezone):
        retry_at = l10n.clock(email.next_attempt_at)  # "5:58 AM": the reader's clock
    expect(reply.locator(".delivery")).to_have_class(re.compile("delivery-retrying"))
    expect(reply.locator(".delivery")).to_contain_text(f"E-mail failed once; retrying at {retry_at}")
    expect(reply.locator(".delivery-reason")).to_contain_text("451")
    expect(reply.locator(".delivery-reason")).to_contain_text("Try again later")
    page.locator("#toast").evaluate("e => e.replaceChildren()")
    reply.scroll_into_view_if_needed()
    screenshot(page, "delivery-retrying.png")

    # Not yet due: nothing is sent before its time.
    assert deliver(merchant, email.pk) == "skipped"
    # The retry, once its time has come, goes through: the reply now says delivered.
    failing_smtp.handler.refusing = False
    with time_machine.travel(email.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        assert deliver(merchant, email.pk) == "sent"
    assert len(failing_smtp.handler.messages) == 1
    expect(reply.locator(".delivery")).to_have_class(re.compile("delivery-sent"))
    expect(reply.locator(".delivery")).to_contain_text("E-mail delivered to the customer's server")
    expect(reply.locator(".delivery-reason")).to_have_count(0)
    screenshot(page, "delivery-sent.png")


@pytest.mark.parametrize("width", [1440, 375])
def test_reply_undo_before_the_email_leaves_THR_2(seeded, open_page, failing_smtp, width):
    from notifications.models import OutgoingEmail

    merchant, jose = seeded["merchant"], seeded["ratings"][1]
    page = open_page(seeded["admin"], width=width, height=900 if width > 640 else 812)
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    page.get_by_label("Reply to the customer").fill("José, lo sentimos. Te llamamos hoy.")
    page.locator("#send-reply").click()
    toast = page.locator("#toast .toast")
    expect(toast).to_contain_text("Reply sent")
    expect(page.locator("#thread .msg-staff")).to_contain_text("Te llamamos hoy")
    expect(page.locator("#case-bar .case-status")).to_have_text("Open")
    expect(page.locator("#thread .msg-staff .delivery")).to_contain_text("unless the reply is undone")
    screenshot(page, "reply-undo.png" if width > 640 else "reply-undo-phone.png")
    toast.get_by_role("button", name="Undo").click()

    # Taken back: the toast says so, the thread and the case are as before, the text is back to be corrected.
    expect(toast).to_contain_text("Reply undone: it was not sent")
    expect(page.locator("#thread .msg-staff")).to_have_count(0)
    expect(page.locator("#case-bar .case-status")).to_have_text("New")
    expect(page.get_by_label("Reply to the customer")).to_have_value("José, lo sentimos. Te llamamos hoy.")
    email = OutgoingEmail.objects.get(rating=jose, kind=OutgoingEmail.Kind.STAFF_REPLY)
    assert email.status == OutgoingEmail.Status.CANCELLED
    with time_machine.travel(email.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        assert deliver(merchant, email.pk) == "skipped"
    assert failing_smtp.handler.messages == [] and failing_smtp.handler.refused == 0
    # Sent again, it is a new reply with its own window.
    page.locator("#send-reply").click()
    expect(page.locator("#thread .msg-staff")).to_have_count(1)
    assert OutgoingEmail.objects.filter(rating=jose, status=OutgoingEmail.Status.QUEUED).count() == 1


def test_composer_says_before_sending_when_nothing_is_emailed_THR_2(seeded, open_page):
    from customers.models import Customer

    merchant, ratings = seeded["merchant"], seeded["ratings"]
    pedro, lucia = ratings[2], ratings[5]
    Customer.objects.filter(pk=pedro.customer_id).update(email="")
    Customer.objects.filter(pk=lucia.customer_id).update(email_opt_out=True)
    page = open_page(seeded["admin"], width=1440, height=1000)
    page.goto(f"/m/{merchant.slug}/inbox/{pedro.pk}/")
    hint = page.locator("#reply-hint")
    expect(hint).to_have_text(re.compile("This customer has no e-mail address: the reply is not e-mailed"))
    composer = page.get_by_label("Reply to the customer")
    expect(composer).to_have_attribute("aria-describedby", "reply-hint")
    composer.fill("Gracias, Pedro.")
    page.locator("#send-reply").click()
    expect(page.locator("#thread .msg-staff").last.locator(".delivery")).to_have_text(
        "Not e-mailed: the customer has no e-mail address")
    screenshot(page, "composer-no-email.png")

    page.goto(f"/m/{merchant.slug}/inbox/{lucia.pk}/")
    expect(page.locator("#reply-hint")).to_have_text(re.compile("This customer opted out of e-mail"))


@pytest.mark.parametrize("width", [1440, 375])
def test_detail_pane_says_it_is_loading_INB_7(seeded, open_page, width):
    merchant, ratings = seeded["merchant"], seeded["ratings"]
    page = open_page(seeded["admin"], width=width, height=900 if width > 640 else 812)
    page.goto(f"/m/{merchant.slug}/inbox/")
    held = []
    page.route(re.compile(rf"/inbox/{ratings[1].pk}/"), lambda route: held.append(route))
    loading = page.locator("#pane-loading")
    expect(loading).to_be_hidden()
    page.locator(f"#row-{ratings[1].pk} .row-link").click()
    expect(loading).to_be_visible()
    expect(loading).to_have_text("Loading the rating…")
    if width == 1440:
        screenshot(page, "detail-loading.png")
    page.wait_for_function("() => true")  # let the route handler run
    assert held, "the request was not held"
    held[0].continue_()
    expect(page.locator("#rating-detail")).to_have_attribute("data-rating-id", str(ratings[1].pk))
    expect(loading).to_be_hidden()


@pytest.mark.parametrize("width", [1440, 375])
def test_spanish_in_context_delivery_toast_and_warning_THR_2(seeded, open_page, width, monkeypatch):
    """The new words as a Colombian merchant reads them, in place: the toast, each delivery state, the
    composer's warning (screenshots thread-es*.png)."""
    from customers.models import Customer
    from notifications.models import OutgoingEmail
    from ratings.services import rating_reply

    monkeypatch.setattr("notifications.tasks.enqueue_email_send", lambda *args, **kwargs: None)
    merchant, admin, ratings = seeded["merchant"], seeded["admin"], seeded["ratings"]
    admin.language = "es"
    admin.save(update_fields=["language"])
    jose = ratings[1]
    first = rating_reply(merchant=merchant, rating=jose, author=admin, body="José, ¿nos cuentas qué pasó?")
    OutgoingEmail.objects.filter(message=first).update(
        status="queued", attempts=2, last_error="SMTPDataError: (451, b'4.3.0 Try again later')",
        next_attempt_at=timezone.now() + dt.timedelta(minutes=1))
    page = open_page(admin, width=width, height=1000 if width > 640 else 812)
    page.goto(f"/m/{merchant.slug}/inbox/{jose.pk}/")
    expect(page.locator(f"#message-{first.pk} .delivery")).to_contain_text("El correo falló 2 veces; se reintenta a las")
    page.locator("#reply-body").fill("Te llamamos hoy mismo.")
    page.locator("#send-reply").click()
    expect(page.locator("#toast .toast")).to_contain_text("Respuesta enviada")
    expect(page.locator("#thread .msg-staff").last.locator(".delivery")).to_contain_text("El correo sale a las")
    page.locator("#thread .msg-staff").last.scroll_into_view_if_needed()
    screenshot(page, "thread-es.png" if width > 640 else "thread-es-phone.png")

    Customer.objects.filter(pk=ratings[2].customer_id).update(email="")
    page.goto(f"/m/{merchant.slug}/inbox/{ratings[2].pk}/")
    expect(page.locator("#reply-hint")).to_have_text(re.compile("Este cliente no tiene correo electrónico"))
    if width < 640:
        page.locator("#reply-body").scroll_into_view_if_needed()
        screenshot(page, "composer-no-email-es-phone.png")
