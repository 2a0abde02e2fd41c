"""AR-4, AR-5: claiming, sending with the fixed Message-ID, backoff, giving up, lease recovery, sweep."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from customers.services import customer_opt_out
from merchants import tenancy
from notifications import tasks
from notifications.models import OutgoingEmail
from notifications.services import email_queue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    settings.EMAIL_RETRY_MAX_SECONDS = 600
    settings.EMAIL_SEND_MAX_ATTEMPTS = 3
    settings.SWEEP_GRACE_SECONDS = 0
    published = []
    monkeypatch.setattr(tasks, "enqueue_email_send", lambda *args, **kwargs: published.append((args, kwargs)))
    monkeypatch.setattr(tasks, "requeue", lambda task: published.append((task.name, {})))
    return published


@pytest.fixture
def email(make, merchant):
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    return email_queue(merchant=merchant, kind="staff_reply", customer=customer, subject="Respuesta",
                       body_text="Hola Ana\n\nMira https://example.com/c/x")


def _fail_with(monkeypatch, exc):
    def send(self, messages):
        raise exc
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", send)


def test_sends_multipart_with_fixed_message_id_and_unsubscribe_header_ar5(email):
    assert tasks.email_deliver(email.pk) == "sent"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1) and email.sent_at is not None
    [sent] = mail.outbox
    message = sent.message()
    assert message["Message-ID"] == email.header_message_id
    assert "/u/" in message["List-Unsubscribe"]
    assert sent.from_email == "La Arepa Dorada <no-reply@ratings-inbox.local>"
    assert sent.alternatives[0][1] == "text/html" and 'href="https://example.com/c/x"' in sent.alternatives[0][0]
    assert tasks.email_deliver(email.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_transient_failure_backs_off_and_records_the_error_ar5(email, monkeypatch, no_broker):
    _fail_with(monkeypatch, smtplib.SMTPDataError(451, b"try later"))
    before = timezone.now()
    assert tasks.email_deliver(email.pk) == "retry"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 1)
    assert "451" in email.last_error
    assert email.next_attempt_at >= before + dt.timedelta(seconds=29)
    assert no_broker and no_broker[-1][1]["eta"] == email.next_attempt_at
    assert tasks.email_deliver(email.pk) == "skipped"  # not due yet


def test_backoff_doubles_and_is_capped(settings):
    assert [tasks.backoff_seconds(n) for n in (1, 2, 3, 6, 20)] == [30, 60, 120, 600, 600]


def test_gives_up_after_max_attempts_with_reason_ar5(email, monkeypatch):
    _fail_with(monkeypatch, smtplib.SMTPServerDisconnected("gone"))
    for _attempt in range(3):
        OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        tasks.email_deliver(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 3)
    assert email.last_error.startswith("gave up after 3 attempts") and "gone" in email.last_error


def test_permanent_refusal_fails_at_once_ar5(email, monkeypatch):
    _fail_with(monkeypatch, smtplib.SMTPRecipientsRefused({"ana@example.com": (550, b"no such user")}))
    assert tasks.email_deliver(email.pk) == "failed"
    email.refresh_from_db()
    assert email.status == "failed" and email.last_error.startswith("refused permanently")


def test_opted_out_before_sending_is_not_sent(email, merchant):
    customer_opt_out(merchant=merchant, customer=email.customer)
    assert tasks.email_deliver(email.pk) == "skipped"
    email.refresh_from_db()
    assert email.status == "failed" and "opted out" in email.last_error and not mail.outbox


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])  # the sweep lists as the sweeper
def test_sending_row_is_left_alone_during_its_lease_and_resent_after_ar4(email):
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status="sending", attempts=1, next_attempt_at=timezone.now() + dt.timedelta(seconds=60))
    assert tasks.email_deliver(email.pk) == "skipped"
    assert tasks.email_sweep() == 0
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.email_sweep() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    assert [m.message()["Message-ID"] for m in mail.outbox] == [email.header_message_id]


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
def test_sweep_sends_due_queued_rows_of_every_merchant_in_batches_ar4(make, merchant, other_merchant):
    rows = []
    for m in (merchant, other_merchant, other_merchant):
        customer = make.customer(m, "X", email=f"x{len(rows)}@example.com")
        with tenancy.tenant(m.pk):
            rows.append(email_queue(merchant=m, kind="gift", customer=customer, subject="s", body_text="b"))
    assert tasks.email_sweep(window=2) == 2
    assert tasks.email_sweep(window=2) == 1
    for m in (merchant, other_merchant):
        with tenancy.tenant(m.pk):
            assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 3
