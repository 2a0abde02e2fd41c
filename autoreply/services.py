"""Writes about the auto-reply: its settings, the decision when a rating arrives and when it is due."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Branch, Merchant
from merchants.services import audit_record
from notifications.content import autoreply_email
from notifications.models import OutgoingEmail
from notifications.services import customer_can_receive_email, email_queue
from ratings.models import Message, Rating
from ratings.services import autoreply_message_add

from . import placeholders
from .models import AutoReplySettings, default_texts

logger = logging.getLogger(__name__)

DELAY_MAX_MINUTES = 1440
SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000


def _settings_for(merchant: Merchant, *, lock: bool = False) -> AutoReplySettings:
    """The stored settings, or the defaults (AR-1), stored now: a merchant has no row until
    its first save (merchant_create does not write one)."""
    rows = AutoReplySettings.objects.filter(merchant=merchant)
    row = (rows.select_for_update() if lock else rows).first()
    if row is not None:
        return row
    defaults = AutoReplySettings.defaults_for(merchant)
    row, _created = AutoReplySettings.objects.get_or_create(
        merchant=merchant, defaults={"subject": defaults.subject, "body": defaults.body})
    return row


def _clean_delay(value) -> int:
    try:
        delay = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"delay_minutes": _("The delay is a whole number of minutes.")}) from None
    if not 0 <= delay <= DELAY_MAX_MINUTES:
        raise ValidationError(
            {"delay_minutes": _("The delay must be from 0 to %(max)s minutes (24 hours).") % {"max": DELAY_MAX_MINUTES}}
        )
    return delay


def autoreply_clean(*, subject, body, delay_minutes) -> tuple[str, str, int]:
    """The three values as they will be stored, or ValidationError naming every bad field (AR-1, AR-2)."""
    errors: dict[str, str] = {}
    subject = " ".join(str(subject or "").split())
    body = str(body or "").replace("\r\n", "\n").strip()
    if not subject:
        errors["subject"] = _("Write a subject.")
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = _("Keep the subject under %(max)s characters.") % {"max": SUBJECT_MAX_LENGTH}
    if not body:
        errors["body"] = _("Write the message.")
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = _("Keep the message under %(max)s characters.") % {"max": f"{BODY_MAX_LENGTH:,}"}
    for field, text in (("subject", subject), ("body", body)):
        if field not in errors:
            try:
                placeholders.fill(text, None)
            except placeholders.PlaceholderError as exc:
                errors[field] = str(exc)
    delay = 0
    try:
        delay = _clean_delay(delay_minutes)
    except ValidationError as exc:
        errors["delay_minutes"] = exc.message_dict["delay_minutes"][0]
    if errors:
        raise ValidationError(errors)
    return subject, body, delay


@transaction.atomic
def autoreply_settings_update(
    *, merchant: Merchant, actor=None, enabled: bool | None = None, subject: str | None = None,
    body: str | None = None, delay_minutes: int | None = None,
) -> AutoReplySettings:
    """"Save and schedule" (AR-1). A value left None keeps what is stored, so the switch
    (`enabled` alone) never loses the text. Ratings that arrived before are never touched:
    whether one gets the auto-reply was decided when it arrived (AR-3).
    """
    row = _settings_for(merchant, lock=True)
    subject, body, delay = autoreply_clean(
        subject=row.subject if subject is None else subject,
        body=row.body if body is None else body,
        delay_minutes=row.delay_minutes if delay_minutes is None else delay_minutes,
    )
    changed = {}
    for field, value in (("subject", subject), ("body", body), ("delay_minutes", delay)) + (
        (("enabled", bool(enabled)),) if enabled is not None else ()
    ):
        if getattr(row, field) != value:
            setattr(row, field, value)
            changed[field] = value if field != "body" else "…"
    if changed:
        row.save()
        audit_record(merchant=merchant, actor=actor, action="autoreply.update", obj=row, data=changed)
    return row


def autoreply_set_enabled(*, merchant: Merchant, actor=None, enabled: bool) -> AutoReplySettings:
    """The on/off switch (AR-1): the text stays as it is."""
    return autoreply_settings_update(merchant=merchant, actor=actor, enabled=enabled)


class _SampleCustomer:
    full_name = "María Fernanda Gómez"


def autoreply_preview(*, merchant: Merchant, subject: str, body: str) -> dict:
    """{"subject", "body"} filled in for a sample rating; the same validation as saving (AR-2)."""
    subject, body, _delay = autoreply_clean(subject=subject, body=body, delay_minutes=0)
    branch = Branch.objects.filter(merchant=merchant).order_by("id").first()
    today = timezone.now().astimezone(_zone(merchant)).date()
    values = placeholders.Values(
        first_name="María", full_name=_SampleCustomer.full_name, merchant=merchant.name,
        branch=branch.name if branch else merchant.name, score="4",
        visit_date=placeholders.format_visit_date(today, merchant.language),
    )
    return {"subject": placeholders.fill_subject(subject, values), "body": placeholders.fill(body, values)}


def _zone(merchant):
    return ZoneInfo(merchant.timezone)


def autoreply_delay_for_new_rating(*, merchant: Merchant, customer, score: int, comment: str | None):
    """How long after it arrives a new rating's auto-reply is due, or None when it gets none (AR-3).

    Checked again when the delay has passed: still on, still silent, nobody replied.
    """
    if not isinstance(score, int) or score > 6 or comment is not None:
        return None  # not a silent detractor (an invalid score: rating_create refuses it)
    if not customer_can_receive_email(customer):
        return None
    settings_row = AutoReplySettings.objects.filter(merchant=merchant).first()
    if settings_row is None or not settings_row.enabled:
        return None
    return timedelta(minutes=settings_row.delay_minutes)


def autoreply_schedule(*, merchant: Merchant, rating) -> None:
    """Asks a worker to decide and send once the delay has passed (after commit).

    If the broker is unreachable nothing is lost: the beat sweep finds every rating whose
    autoreply_due_at has passed.
    """
    # Local: the tasks module imports this one (Celery task <-> service), so one side waits.
    from .tasks import enqueue_autoreply

    rating_id, merchant_id, due_at = rating.pk, merchant.pk, rating.autoreply_due_at
    transaction.on_commit(lambda: enqueue_autoreply(rating_id, merchant_id, due_at))


def autoreply_ineligible_reason(*, merchant: Merchant, rating, settings_row: AutoReplySettings) -> str | None:
    """Why a due rating no longer gets the auto-reply, or None (AR-3 at due time)."""
    if not settings_row.enabled:
        return "turned_off"
    if rating.score > 6:
        return "not_detractor"
    if rating.comment is not None:
        return "commented"
    kinds = set(Message.objects.filter(merchant=merchant, rating=rating).values_list("author_kind", flat=True))
    if kinds & set(Message.REPLY_KINDS):
        return "replied"
    if Message.AuthorKind.CUSTOMER in kinds:
        return "commented"
    customer = rating.customer
    if not customer.email:
        return "no_email"
    if not customer_can_receive_email(customer):
        return "opted_out"
    return None


def autoreply_send_due(*, merchant: Merchant, rating_id: int, now=None) -> str:
    """Decides and records the auto-reply of one due rating (AR-3..5); safe to run any number of times.

    Locks the rating (skipping it if another worker holds it), checks AR-3 again, then in one
    transaction adds the thread message, records the e-mail (a unique constraint allows one
    auto-reply per rating) and clears autoreply_due_at. The e-mail leaves after commit.
    Returns what happened: sent, not_due, early, already_sent or skipped:<reason>.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rating = (
            Rating.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "branch", "visit")
            .filter(merchant=merchant, pk=rating_id, autoreply_due_at__isnull=False)
            .first()
        )
        if rating is None:
            return "not_due"
        if rating.autoreply_due_at > now:
            return "early"
        settings_row = _settings_for(merchant)
        reason = autoreply_ineligible_reason(merchant=merchant, rating=rating, settings_row=settings_row)
        outcome = f"skipped:{reason}" if reason else "sent"
        if reason is None:
            subject, text = _texts_for(merchant, rating, settings_row)
            try:
                with transaction.atomic():
                    message = autoreply_message_add(merchant=merchant, rating=rating, body=text)
                    email = autoreply_email(merchant=merchant, rating=rating, subject=subject, text=text)
                    email_queue(
                        merchant=merchant, kind=OutgoingEmail.Kind.AUTO_REPLY, customer=rating.customer,
                        rating=rating, message=message, subject=email.subject, body_text=email.body_text,
                        body_html=email.body_html,
                    )
            except IntegrityError:
                outcome = "already_sent"
        Rating.objects.filter(merchant=merchant, pk=rating.pk).update(autoreply_due_at=None)
    logger.info("autoreply rating=%s merchant=%s outcome=%s", rating_id, merchant.pk, outcome)
    return outcome


def _texts_for(merchant: Merchant, rating, settings_row: AutoReplySettings) -> tuple[str, str]:
    values = placeholders.Values.for_rating(rating, merchant)
    try:
        return placeholders.fill_subject(settings_row.subject, values), placeholders.fill(settings_row.body, values)
    except placeholders.PlaceholderError:
        # Saved texts are validated; this only guards rows written around the service.
        texts = default_texts(merchant.language)
        return placeholders.fill_subject(texts["subject"], values), placeholders.fill(texts["body"], values)
