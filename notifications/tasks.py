"""Delivery of recorded e-mails (AR-4, AR-5): exactly-once-ish, with retries and a recovery sweep.

Each send claims its row first (queued -> sending, attempts + 1, a lease in next_attempt_at,
committed), so two workers never send the same row at once. The message goes out with the
Message-ID fixed when it was recorded; the row is marked sent in its own statement right
after the SMTP server accepted the DATA, before the connection is closed. The only window in
which a message can be delivered twice is between the server's "250 OK" and that commit
(one UPDATE, logged as `window_ms`): a worker killed exactly there leaves the row
'sending', and when its lease expires the sweep sends it again with the same Message-ID.
The lease (EMAIL_SEND_LEASE_SECONDS) is longer than the task's hard time limit, so a live
worker is never overtaken by the sweep.

Many due e-mails of one merchant (the alerts sweep, the e-mail sweep) go through the batch
path (`email_send_batch`): the same claim for up to EMAIL_BATCH_SIZE rows in one transaction,
then one SMTP connection for all of them, each row marked sent right after its own 250; a row
that fails backs off alone, and a dropped connection is opened again for the next row. A batch
stops after EMAIL_BATCH_SECONDS and gives its unsent rows back, so it never outlives its lease.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections import Counter
from datetime import timedelta
from email.utils import formataddr, parseaddr
from functools import cache

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as database
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from customers.links import unsubscribe_url
from merchants import platform, tenancy
from ratings_inbox.celery import requeue

from .content import html_from_text
from .mime import OutboxMessage
from .models import OutgoingEmail

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status


def enqueue_email_send(email_id: int, merchant_id: int, eta=None) -> None:
    """Hands the e-mail to a worker; if the broker is down the sweep will find it later."""
    try:
        email_send.apply_async(args=[email_id, merchant_id], eta=eta, retry=False)
    except Exception:  # noqa: BLE001 - the record is durable; the sweep delivers it
        logger.warning("broker unavailable; email %s left for the sweep", email_id)


def enqueue_email_send_batch(merchant_id: int, email_ids: list[int]) -> None:
    """Hands many e-mails of one merchant to workers, EMAIL_BATCH_SIZE per task; if the broker is
    down the sweep will find them later."""
    size = settings.EMAIL_BATCH_SIZE
    for start in range(0, len(email_ids), size):
        try:
            email_send_batch.apply_async(args=[merchant_id, email_ids[start:start + size]], retry=False)
        except Exception:  # noqa: BLE001 - the records are durable; the sweep delivers them
            logger.warning("broker unavailable; %s e-mails left for the sweep", len(email_ids) - start)
            return


@shared_task(acks_late=True, ignore_result=True)
def email_send(email_id: int, merchant_id: int) -> str:
    with tenancy.tenant(merchant_id):
        return email_deliver(email_id)


@shared_task(acks_late=True, ignore_result=True)
def email_send_batch(merchant_id: int, email_ids: list[int]) -> dict[str, int]:
    with tenancy.tenant(merchant_id):
        return dict(email_deliver_many(merchant_id, email_ids))


def backoff_seconds(attempts: int) -> float:
    """base · 2^(attempts-1), capped: 1st retry after base seconds."""
    return min(settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.EMAIL_RETRY_MAX_SECONDS)


def _claim(email_id: int) -> OutgoingEmail | None:
    """The row, now 'sending' under this worker's lease, or None if it is not ours to send.

    Named with the merchant the task acts for: a row lock by id alone would reach every shard (SCALE-2).
    """
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "user", "merchant")
            .filter(merchant_id=tenancy.current_merchant_id(), pk=email_id, status__in=[Status.QUEUED, Status.SENDING],
                    next_attempt_at__lte=now)
            .first()
        )
        if email is None:
            return None
        if not _claimable(email):
            return None
        email.status = Status.SENDING
        email.attempts += 1
        email.next_attempt_at = now + timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
    return email


def _claim_many(merchant_id: int, email_ids: list[int]) -> list[OutgoingEmail]:
    """The rows among `email_ids` that are ours to send, now 'sending' under one lease: the same
    rule as _claim, one SELECT … FOR UPDATE SKIP LOCKED and one UPDATE for all, in one
    transaction, both naming the merchant. Rows another worker holds are skipped."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "user", "merchant")
            .filter(merchant_id=merchant_id, pk__in=email_ids, status__in=[Status.QUEUED, Status.SENDING],
                    next_attempt_at__lte=now)
            .order_by("id")
        )
        claimed = [email for email in rows if _claimable(email)]
        if not claimed:
            return []
        lease = now + timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)
        OutgoingEmail.objects.filter(merchant_id=merchant_id, pk__in=[email.pk for email in claimed]).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease)
    for email in claimed:
        email.status, email.attempts, email.next_attempt_at = Status.SENDING, email.attempts + 1, lease
    return claimed


def _claimable(email: OutgoingEmail) -> bool:
    """Whether a locked, due row is still to be sent; fails it for good when not."""
    if email.status == Status.SENDING:
        logger.warning("email %s: lease expired after attempt %s (worker lost); sending again",
                       email.pk, email.attempts)
    if email.attempts >= settings.EMAIL_SEND_MAX_ATTEMPTS:
        _finish_failed(email, f"gave up after {email.attempts} attempts: {email.last_error}".strip())
        return False
    customer = email.customer
    if customer is not None and (customer.email_opt_out or not customer.email):
        _finish_failed(email, "the customer opted out of e-mail before it was sent")
        return False
    if email.user is not None and not email.user.is_active:
        _finish_failed(email, "the member's account was closed before it was sent")
        return False
    return True


def _finish_failed(email: OutgoingEmail, reason: str) -> None:
    OutgoingEmail.objects.filter(merchant_id=email.merchant_id, pk=email.pk).update(
        status=Status.FAILED, last_error=reason[:2000])
    logger.error("email %s failed: %s", email.pk, reason)


def _build(email: OutgoingEmail, connection) -> OutboxMessage:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if email.customer_id is None:  # to staff: from the product, with the one-click stop of SLA-6 (RFC 8058)
        sender, headers = name or "Ratings Inbox", {"List-Unsubscribe": f"<{email.list_unsubscribe}>",
                                                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    else:  # customers know the merchant, not us
        sender, headers = email.merchant.name, {"List-Unsubscribe": f"<{unsubscribe_url(email.customer)}>"}
    message = OutboxMessage(
        subject=email.subject, body=email.body_text, to=[email.to_address], connection=connection,
        from_email=formataddr((sender, address)), headers={"Message-ID": email.header_message_id, **headers},
    )
    html = email.body_html or html_from_text(merchant=email.merchant, body_text=email.body_text)
    message.attach_alternative(html, "text/html")
    return message


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def email_deliver(email_id: int) -> str:
    """Claim, send, mark sent; on failure back off (or give up). Returns the outcome."""
    email = _claim(email_id)
    if email is None:
        return "skipped"
    connection = get_connection(fail_silently=False)
    try:
        message = _build(email, connection)
        connection.open()
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        _close(connection)
        return _after_failure(email, exc)
    _mark_sent(email)
    _close(connection)
    return "sent"


def _mark_sent(email: OutgoingEmail) -> None:
    """Right after the server's 250, before anything else: the window of a same-id resend.

    The row alone, in its own (durable) commit, so that a worker killed after it has sent the
    message again only if killed inside this one statement. Its SQL is written once: compiling
    the ORM's UPDATE cost a worker as much CPU as the rest of the statement.
    """
    accepted = time.monotonic()
    with database.cursor() as cursor:  # autocommit: the engine runs it in a transaction with the tenant
        cursor.execute(_mark_sent_sql(), [Status.SENT, timezone.now(), email.merchant_id, email.pk, Status.SENDING,
                                          email.attempts])
        updated = cursor.rowcount
    window_ms = (time.monotonic() - accepted) * 1000
    if not updated:
        logger.error("email %s was sent but its lease had been taken over", email.pk)
    logger.info("email %s sent attempt=%s window_ms=%.2f", email.pk, email.attempts, window_ms)


@cache
def _mark_sent_sql() -> str:
    """UPDATE … SET status, sent_at WHERE the row is still _ours(): merchant, id, status, attempts."""
    meta = OutgoingEmail._meta

    def column(name: str) -> str:
        return database.ops.quote_name(meta.get_field(name).column)

    return (f"UPDATE {database.ops.quote_name(meta.db_table)} SET {column('status')} = %s, {column('sent_at')} = %s"
            f" WHERE {column('merchant')} = %s AND {column('id')} = %s AND {column('status')} = %s"
            f" AND {column('attempts')} = %s")


def _ours(email: OutgoingEmail):
    """The row while it is still under this worker's claim."""
    return OutgoingEmail.objects.filter(merchant_id=email.merchant_id, pk=email.pk, status=Status.SENDING,
                                        attempts=email.attempts)


def email_deliver_many(merchant_id: int, email_ids: list[int], seconds: float | None = None) -> Counter:
    """Claims the due rows among `email_ids` (one merchant's) and sends them over one SMTP
    connection, each marked sent right after its own 250. A row that fails backs off (or gives
    up) alone; when the failure may have cost the connection it is opened again for the next
    row, and when it cannot be opened every row left backs off as a single send would. Stops
    after `seconds` (EMAIL_BATCH_SECONDS) and hands the unsent rows back. Returns the outcomes."""
    emails = _claim_many(merchant_id, email_ids)
    outcomes: Counter = Counter()
    seconds = settings.EMAIL_BATCH_SECONDS if seconds is None else seconds
    stop_at = time.monotonic() + min(seconds, settings.EMAIL_SEND_LEASE_SECONDS / 2)
    connection = None
    for index, email in enumerate(emails):
        if time.monotonic() > stop_at:
            outcomes["released"] += _release(merchant_id, emails[index:])
            break
        if connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                _close(connection)
                connection = None
                for unsent in emails[index:]:
                    outcomes[_after_failure(unsent, exc)] += 1
                break
        try:
            _build(email, connection).send()
        except (smtplib.SMTPException, OSError) as exc:
            if not _connection_survives(exc):
                _close(connection)
                connection = None
            outcomes[_after_failure(email, exc)] += 1
            continue
        _mark_sent(email)
        outcomes["sent"] += 1
    if connection is not None:
        _close(connection)
    if emails:
        logger.info("email batch of merchant %s: %s", merchant_id, dict(outcomes))
    return outcomes


def _connection_survives(exc: Exception) -> bool:
    """A refusal of one message (4xx/5xx to MAIL, RCPT or DATA; smtplib has reset the
    transaction) leaves the connection usable; a disconnect, a 421 or a socket error does not."""
    if isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code != 421 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code != 421


def _release(merchant_id: int, emails: list[OutgoingEmail]) -> int:
    """Gives claimed, unsent rows back (due now, the attempt not counted) and hands them to a new batch."""
    released = OutgoingEmail.objects.filter(
        merchant_id=merchant_id, pk__in=[email.pk for email in emails], status=Status.SENDING,
    ).update(status=Status.QUEUED, attempts=F("attempts") - 1, next_attempt_at=timezone.now())
    enqueue_email_send_batch(merchant_id, [email.pk for email in emails])
    return released


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the message is already accepted or already failed
        pass


def _after_failure(email: OutgoingEmail, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if _is_permanent(exc) or email.attempts >= settings.EMAIL_SEND_MAX_ATTEMPTS:
        reason = ("refused permanently: " if _is_permanent(exc) else
                  f"gave up after {email.attempts} attempts: ") + error
        _ours(email).update(status=Status.FAILED, last_error=reason[:2000])
        logger.error("email %s failed: %s", email.pk, reason)
        return "failed"
    retry_at = timezone.now() + timedelta(seconds=backoff_seconds(email.attempts))
    _ours(email).update(status=Status.QUEUED, next_attempt_at=retry_at, last_error=error)
    logger.warning("email %s attempt %s failed (%s); retry at %s", email.pk, email.attempts, error, retry_at)
    enqueue_email_send(email.pk, email.merchant_id, eta=retry_at)
    return "retry"


@shared_task(acks_late=True, ignore_result=True)
def email_sweep(window: int | None = None) -> int:
    """Sends what is due and was not handled: queued rows (broker down, lost or retried task) and
    'sending' rows whose lease expired (worker died), each merchant's through the batch path.
    Reads up to SWEEP_WINDOW due rows (oldest first, across merchants), so that each merchant's
    go out in full batches of EMAIL_BATCH_SIZE over one SMTP connection each. Bounded: a full
    window re-queues the sweep; a time budget keeps it inside the task's time limit.
    """
    window = window or settings.SWEEP_WINDOW
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    due = list(  # ids only, across merchants, as the sweeper (SEC-3)
        OutgoingEmail.objects.using(platform.SWEEPER).filter(
            Q(status=Status.QUEUED, next_attempt_at__lte=cutoff)
            | Q(status=Status.SENDING, next_attempt_at__lte=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "merchant_id")[:window]
    )
    started = time.monotonic()
    done = 0
    batches = [(merchant_id, ids[start:start + settings.EMAIL_BATCH_SIZE])
               for merchant_id, ids in platform.by_merchant((m, pk) for pk, m in due).items()
               for start in range(0, len(ids), settings.EMAIL_BATCH_SIZE)]
    for merchant_id, email_ids in batches:  # each merchant's over one SMTP connection
        if time.monotonic() - started > settings.SWEEP_TIME_BUDGET_SECONDS:
            break
        with tenancy.tenant(merchant_id):
            email_deliver_many(merchant_id, email_ids,
                               seconds=settings.SWEEP_TIME_BUDGET_SECONDS - (time.monotonic() - started))
        done += len(email_ids)
    if due and (len(due) == window or done < len(due)):
        requeue(email_sweep)
    if due:
        logger.info("email sweep handled %s of %s due e-mails", done, len(due))
    return done
