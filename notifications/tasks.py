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
"""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import timedelta
from email.utils import formataddr, parseaddr

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.links import unsubscribe_url
from merchants import platform, tenancy
from ratings_inbox.celery import requeue

from .content import html_from_text
from .models import OutgoingEmail

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status


def enqueue_email_send(email_id: int, merchant_id: int, eta=None) -> None:
    """Hands the e-mail to a worker; if the broker is down the sweep will find it later."""
    try:
        email_send.apply_async(args=[email_id, merchant_id], eta=eta, retry=False)
    except Exception:  # noqa: BLE001 - the record is durable; the sweep delivers it
        logger.warning("broker unavailable; email %s left for the sweep", email_id)


@shared_task(acks_late=True, ignore_result=True)
def email_send(email_id: int, merchant_id: int) -> str:
    with tenancy.tenant(merchant_id):
        return email_deliver(email_id)


def backoff_seconds(attempts: int) -> float:
    """base · 2^(attempts-1), capped: 1st retry after base seconds."""
    return min(settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.EMAIL_RETRY_MAX_SECONDS)


def _claim(email_id: int) -> OutgoingEmail | None:
    """The row, now 'sending' under this worker's lease, or None if it is not ours to send."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "user", "merchant")
            .filter(pk=email_id, status__in=[Status.QUEUED, Status.SENDING], next_attempt_at__lte=now)
            .first()
        )
        if email is None:
            return None
        if email.status == Status.SENDING:
            logger.warning("email %s: lease expired after attempt %s (worker lost); sending again",
                           email.pk, email.attempts)
        if email.attempts >= settings.EMAIL_SEND_MAX_ATTEMPTS:
            _finish_failed(email, f"gave up after {email.attempts} attempts: {email.last_error}".strip())
            return None
        customer = email.customer
        if customer is not None and (customer.email_opt_out or not customer.email):
            _finish_failed(email, "the customer opted out of e-mail before it was sent")
            return None
        if email.user is not None and not email.user.is_active:
            _finish_failed(email, "the member's account was closed before it was sent")
            return None
        email.status = Status.SENDING
        email.attempts += 1
        email.next_attempt_at = now + timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
    return email


def _finish_failed(email: OutgoingEmail, reason: str) -> None:
    OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, last_error=reason[:2000])
    logger.error("email %s failed: %s", email.pk, reason)


def _build(email: OutgoingEmail, connection) -> EmailMultiAlternatives:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if email.customer_id is None:  # to staff: from the product, with the one-click stop of SLA-6 (RFC 8058)
        sender, headers = name or "Ratings Inbox", {"List-Unsubscribe": f"<{email.list_unsubscribe}>",
                                                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    else:  # customers know the merchant, not us
        sender, headers = email.merchant.name, {"List-Unsubscribe": f"<{unsubscribe_url(email.customer)}>"}
    message = EmailMultiAlternatives(
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
    accepted = time.monotonic()
    updated = OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(
        status=Status.SENT, sent_at=timezone.now())
    window_ms = (time.monotonic() - accepted) * 1000
    _close(connection)
    if not updated:
        logger.error("email %s was sent but its lease had been taken over", email.pk)
    logger.info("email %s sent attempt=%s window_ms=%.2f", email.pk, email.attempts, window_ms)
    return "sent"


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
        OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(
            status=Status.FAILED, last_error=reason[:2000])
        logger.error("email %s failed: %s", email.pk, reason)
        return "failed"
    retry_at = timezone.now() + timedelta(seconds=backoff_seconds(email.attempts))
    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(
        status=Status.QUEUED, next_attempt_at=retry_at, last_error=error)
    logger.warning("email %s attempt %s failed (%s); retry at %s", email.pk, email.attempts, error, retry_at)
    enqueue_email_send(email.pk, email.merchant_id, eta=retry_at)
    return "retry"


@shared_task(acks_late=True, ignore_result=True)
def email_sweep(batch_size: int | None = None) -> int:
    """Sends what is due and was not handled: queued rows (broker down, lost or retried task) and
    'sending' rows whose lease expired (worker died). Bounded: a full batch re-queues the sweep;
    a time budget keeps it inside the task's time limit.
    """
    batch_size = batch_size or settings.SWEEP_BATCH_SIZE
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    due = list(  # ids only, across merchants, as the sweeper (SEC-3)
        OutgoingEmail.objects.using(platform.SWEEPER).filter(
            Q(status=Status.QUEUED, next_attempt_at__lte=cutoff)
            | Q(status=Status.SENDING, next_attempt_at__lte=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "merchant_id")[:batch_size]
    )
    started = time.monotonic()
    done = 0
    for email_id, merchant_id in due:
        if time.monotonic() - started > settings.SWEEP_TIME_BUDGET_SECONDS:
            break
        with tenancy.tenant(merchant_id):
            email_deliver(email_id)
        done += 1
    if due and (len(due) == batch_size or done < len(due)):
        requeue(email_sweep)
    if due:
        logger.info("email sweep handled %s of %s due e-mails", done, len(due))
    return done
