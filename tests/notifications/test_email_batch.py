"""Issue 15, AR-4, AR-5: many due e-mails of one merchant claimed together and sent over one SMTP
connection, each marked sent after its own 250; a refused row backs off alone."""

import smtplib
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from merchants import tenancy
from notifications import tasks
from notifications.models import OutgoingEmail
from notifications.services import email_queue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    settings.EMAIL_SEND_MAX_ATTEMPTS = 3
    settings.SWEEP_GRACE_SECONDS = 0
    published = []
    monkeypatch.setattr(tasks, "enqueue_email_send", lambda *args, **kwargs: published.append(("one", args)))
    monkeypatch.setattr(tasks, "enqueue_email_send_batch", lambda *args: published.append(("batch", args)))
    monkeypatch.setattr(tasks, "requeue", lambda task: published.append(("sweep", task.name)))
    return published


@pytest.fixture
def connections_opened(monkeypatch):
    opened = []
    real = tasks.get_connection

    def counting(**kwargs):
        opened.append(real(**kwargs))
        return opened[-1]
    monkeypatch.setattr(tasks, "get_connection", counting)
    return opened


def _emails(make, merchant, count, first=0):
    return [email_queue(merchant=merchant, kind="gift", send=False,
                        customer=make.customer(merchant, f"Cliente {i}", email=f"c{i}@example.com"),
                        subject=f"Regalo {i}", body_text="Hola")
            for i in range(first, first + count)]


def _refuse(monkeypatch, address, exc):
    real = mail.backends.locmem.EmailBackend.send_messages

    def send(self, messages):
        if any(address in m.to for m in messages):
            raise exc
        return real(self, messages)
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", send)


def test_many_go_over_one_connection_each_marked_sent_with_its_message_id_ar5(make, merchant, connections_opened):
    emails = _emails(make, merchant, 5)
    assert tasks.email_deliver_many(merchant.pk, [e.pk for e in emails]) == Counter(sent=5)
    assert len(connections_opened) == 1
    rows = OutgoingEmail.objects.order_by("id")
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * 5 and all(r.sent_at for r in rows)
    assert [m.message()["Message-ID"] for m in mail.outbox] == [e.header_message_id for e in emails]
    assert tasks.email_deliver_many(merchant.pk, [e.pk for e in emails]) == Counter()  # sent: nothing to claim
    assert tasks.email_deliver(emails[0].pk) == "skipped" and len(mail.outbox) == 5


def test_the_claim_is_one_statement_for_the_batch_then_one_update_per_sent_row(make, merchant):
    """Pins the statements: the claim (SELECT … FOR UPDATE SKIP LOCKED, one UPDATE) costs the same for
    2 rows as for 5; each row adds only its own mark-sent UPDATE."""
    def statements(ids):
        with CaptureQueriesContext(connection) as queries:
            tasks.email_deliver_many(merchant.pk, ids)
        return [q["sql"] for q in queries.captured_queries]
    two = statements([e.pk for e in _emails(make, merchant, 2)])
    five = statements([e.pk for e in _emails(make, merchant, 5, first=2)])
    assert len(five) - len(two) == 3
    assert all(f'"merchant_id" = {merchant.pk}' in sql for sql in five if "notifications_outgoingemail" in sql)


def test_a_451_on_one_row_retries_that_row_alone_and_the_connection_goes_on_ar5(
        make, merchant, monkeypatch, no_broker, connections_opened):
    emails = _emails(make, merchant, 5)
    _refuse(monkeypatch, "c2@example.com", smtplib.SMTPDataError(451, b"4.3.0 try later"))
    assert tasks.email_deliver_many(merchant.pk, [e.pk for e in emails]) == Counter(sent=4, retry=1)
    assert len(connections_opened) == 1
    refused = OutgoingEmail.objects.get(pk=emails[2].pk)
    assert (refused.status, refused.attempts) == ("queued", 1) and "451" in refused.last_error
    assert refused.next_attempt_at > timezone.now()
    assert set(OutgoingEmail.objects.exclude(pk=refused.pk).values_list("status", flat=True)) == {"sent"}
    assert no_broker == [("one", (refused.pk, merchant.pk))]  # its own retry, with backoff
    assert {m.to[0] for m in mail.outbox} == {f"c{i}@example.com" for i in (0, 1, 3, 4)}


def test_a_permanent_refusal_fails_that_row_only_ar5(make, merchant, monkeypatch):
    emails = _emails(make, merchant, 3)
    _refuse(monkeypatch, "c1@example.com",
            smtplib.SMTPRecipientsRefused({"c1@example.com": (550, b"no such user")}))
    assert tasks.email_deliver_many(merchant.pk, [e.pk for e in emails]) == Counter(sent=2, failed=1)
    assert OutgoingEmail.objects.get(pk=emails[1].pk).status == "failed"


def test_a_dropped_connection_is_opened_again_for_the_next_row_ar5(make, merchant, monkeypatch, connections_opened):
    emails = _emails(make, merchant, 4)
    _refuse(monkeypatch, "c1@example.com", smtplib.SMTPServerDisconnected("gone"))
    assert tasks.email_deliver_many(merchant.pk, [e.pk for e in emails]) == Counter(sent=3, retry=1)
    assert len(connections_opened) == 2
    assert OutgoingEmail.objects.get(pk=emails[1].pk).status == "queued"


def test_a_server_that_cannot_be_reached_backs_every_row_off_ar5(make, merchant, monkeypatch, no_broker):
    emails = _emails(make, merchant, 3)

    def unreachable(self):
        raise ConnectionRefusedError("refused")
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.open", unreachable)
    assert tasks.email_deliver_many(merchant.pk, [e.pk for e in emails]) == Counter(retry=3)
    assert [kind for kind, _args in no_broker] == ["one"] * 3 and not mail.outbox


def test_a_batch_out_of_time_gives_its_rows_back_to_a_new_batch(make, merchant, settings, no_broker):
    settings.EMAIL_BATCH_SECONDS = -1
    emails = _emails(make, merchant, 3)
    ids = [e.pk for e in emails]
    assert tasks.email_deliver_many(merchant.pk, ids) == Counter(released=3)
    assert list(OutgoingEmail.objects.values_list("status", "attempts").distinct()) == [("queued", 0)]
    assert no_broker == [("batch", (merchant.pk, ids))] and not mail.outbox


def test_rows_held_by_another_worker_or_of_another_merchant_are_not_claimed_ar4(make, merchant, other_merchant):
    emails = _emails(make, merchant, 3)
    OutgoingEmail.objects.filter(pk=emails[0].pk).update(
        status="sending", attempts=1, next_attempt_at=timezone.now() + timezone.timedelta(seconds=60))
    with tenancy.tenant(other_merchant.pk):
        assert tasks.email_deliver_many(other_merchant.pk, [e.pk for e in emails]) == Counter()
    assert tasks.email_deliver_many(merchant.pk, [e.pk for e in emails]) == Counter(sent=2)
    assert OutgoingEmail.objects.get(pk=emails[0].pk).status == "sending"


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
def test_the_sweep_sends_each_merchants_due_rows_in_batches_over_one_connection_each_ar4(
        make, merchant, other_merchant, settings, connections_opened):
    settings.EMAIL_BATCH_SIZE = 2
    _emails(make, merchant, 3)
    with tenancy.tenant(other_merchant.pk):
        _emails(make, other_merchant, 2, first=3)
    assert tasks.email_sweep() == 5
    assert len(connections_opened) == 3  # 2 + 1 of the first merchant, 2 of the other
    assert len(mail.outbox) == 5
