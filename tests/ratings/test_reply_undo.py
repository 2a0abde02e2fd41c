"""A reply's undo (THR-2, issue 17): the reply's e-mail waits in the outbox through the undo window, not
sendable before it ends; an undo in time cancels it (never sent) and puts the thread, the case, every
counter and the response times back as they were. Once a worker has the e-mail, or anything happened
on the rating after the reply, the undo is refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from merchants import tenancy
from merchants.access import Access
from notifications import tasks
from notifications.models import OutgoingEmail
from notifications.selectors import rating_deliveries
from ratings.models import CaseEvent, Message, Rating
from ratings.services import (
    customer_message_add,
    rating_mark_read,
    rating_reply,
    rating_reply_undo,
    reply_undo_state,
)
from tests.analytics.test_rollups import kept_rows

pytestmark = pytest.mark.django_db

CASE = ("status", "needs_reply", "first_response_at", "first_responder_id", "last_activity_at", "messages_count",
        "replies_count", "last_message_at", "is_read")


@pytest.fixture(autouse=True)
def no_broker(monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SWEEP_GRACE_SECONDS = 0
    handed = []
    monkeypatch.setattr(tasks, "enqueue_email_send", lambda *args, **kwargs: None)
    monkeypatch.setattr("notifications.services._enqueue", lambda *args: handed.append(args))
    return handed


@pytest.fixture
def detractor(make, merchant):
    customer = make.customer(merchant, "José Pérez", email="jose@example.com")
    return make.rating(merchant, 3, "La comida llegó fría.", customer=customer)


def case(rating) -> tuple:
    return Rating.objects.filter(pk=rating.pk).values_list(*CASE).get()


def deliver(merchant, email) -> str:
    with tenancy.tenant(merchant.pk):
        return tasks.email_deliver(email.pk)


def test_the_email_waits_out_the_window_then_leaves(merchant, make, detractor, no_broker,
                                                    django_capture_on_commit_callbacks):
    admin = make.admin(merchant)
    with django_capture_on_commit_callbacks(execute=True):
        message = rating_reply(merchant=merchant, rating=detractor, author=admin, body="Lo sentimos, José.",
                               hold_seconds=10)
    email = OutgoingEmail.objects.get(message=message)
    assert email.next_attempt_at == message.created_at + dt.timedelta(seconds=10)
    # Handed over for the window's end; a worker that runs early finds nothing to send.
    assert no_broker[-1] == (email.pk, merchant.pk, email.next_attempt_at)
    assert deliver(merchant, email) == "skipped"
    # The thread says it is held, and until when (THR-2); then it is an e-mail like any other.
    access = Access.system(merchant)
    held = rating_deliveries(access=access, rating_id=detractor.pk)[message.pk]
    assert (held.state, held.at) == ("held", email.next_attempt_at)
    with time_machine.travel(email.next_attempt_at + dt.timedelta(seconds=1)):
        assert rating_deliveries(access=access, rating_id=detractor.pk)[message.pk].state == "queued"
        assert deliver(merchant, email) == "sent"


def test_undo_cancels_the_email_and_puts_everything_back(merchant, make, detractor):
    from django.core import mail

    admin = make.admin(merchant)
    rating_mark_read(merchant=merchant, rating=detractor)  # opened to be answered, as on the page
    before, rows = case(detractor), kept_rows(merchant)
    events = CaseEvent.objects.filter(rating=detractor).count()
    message = rating_reply(merchant=merchant, rating=detractor, author=admin, body="Lo sentimos, José.",
                           hold_seconds=10)
    assert case(detractor)[:2] == ("open", False) and kept_rows(merchant) != rows
    state = reply_undo_state(message)
    rating = Rating.objects.get(pk=detractor.pk)
    rating_reply_undo(merchant=merchant, rating=rating, actor=admin, state=state)

    assert not Message.objects.filter(pk=message.pk).exists()
    email = OutgoingEmail.objects.get(rating=detractor, kind=OutgoingEmail.Kind.STAFF_REPLY)
    assert email.status == OutgoingEmail.Status.CANCELLED
    assert case(detractor) == before
    assert kept_rows(merchant) == rows  # the day, branch and period counters and the response times
    assert CaseEvent.objects.filter(rating=detractor).count() == events
    # After the window nothing leaves: the task skips it, and the sweep lists queued and sending rows only.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert deliver(merchant, email) == "skipped"
    assert mail.outbox == []


def test_undo_is_refused_once_the_email_left_or_the_customer_wrote(merchant, make, detractor):
    admin = make.admin(merchant)
    message = rating_reply(merchant=merchant, rating=detractor, author=admin, body="Lo sentimos.", hold_seconds=10)
    email = OutgoingEmail.objects.get(message=message)
    with time_machine.travel(email.next_attempt_at + dt.timedelta(seconds=1)):
        assert deliver(merchant, email) == "sent"
    with pytest.raises(ValidationError):
        rating_reply_undo(merchant=merchant, rating=Rating.objects.get(pk=detractor.pk), actor=admin,
                          state=reply_undo_state(message))
    assert Message.objects.filter(pk=message.pk).exists()

    second = rating_reply(merchant=merchant, rating=detractor, author=admin, body="¿Nos cuenta más?", hold_seconds=10)
    customer_message_add(merchant=merchant, rating=detractor, body="Sí, fue el sábado.")
    with pytest.raises(ValidationError):
        rating_reply_undo(merchant=merchant, rating=Rating.objects.get(pk=detractor.pk), actor=admin,
                          state=reply_undo_state(second))
    assert OutgoingEmail.objects.get(message=second).status == OutgoingEmail.Status.QUEUED
    # Someone else's reply is not theirs to undo.
    other = make.member(merchant, "agent")
    third = rating_reply(merchant=merchant, rating=detractor, author=admin, body="Gracias.", hold_seconds=10)
    with pytest.raises(ValidationError):
        rating_reply_undo(merchant=merchant, rating=Rating.objects.get(pk=detractor.pk), actor=other,
                          state=reply_undo_state(third))
