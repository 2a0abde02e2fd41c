"""Recording outgoing e-mail: in the caller's transaction, sent by a task after commit (AR-5)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import make_msgid
from django.db import connection, transaction
from django.db.models.sql import Query
from django.utils.translation import gettext as _

from customers.models import Customer
from merchants.access import Access
from merchants.models import Merchant, NewDetractorNotice
from merchants.services import audit_record

from .links import STOPS
from .models import OutgoingEmail
from .tasks import enqueue_email_send, enqueue_email_send_batch


def customer_can_receive_email(customer: Customer) -> bool:
    return bool(customer.email) and not customer.email_opt_out


def email_queue(
    *, merchant: Merchant, kind: str, customer: Customer, subject: str, body_text: str,
    body_html: str = "", rating=None, message=None, send: bool = True, not_before=None,
) -> OutgoingEmail | None:
    """Records an e-mail to the customer (None when they have no address or opted out).

    The Message-ID is fixed here, so a resend after an ambiguous failure is the same
    message. The send task is enqueued only once the transaction commits; the periodic
    sweep picks up whatever was recorded but never enqueued (Redis down) or never finished.
    With send=False the caller hands it over with others through `emails_send_after_commit`.
    With not_before (a reply's undo window) the row is not sendable until then: no worker
    claims it earlier (the claim asks next_attempt_at <= now), the task is handed over for
    that time and the sweep finds it after it; until a worker claims it, email_withdraw()
    cancels it.
    """
    if not customer_can_receive_email(customer):
        return None
    email = OutgoingEmail.objects.create(
        merchant=merchant, kind=kind, customer=customer, rating=rating, message=message,
        to_address=customer.email, subject=subject, body_text=body_text, body_html=body_html,
        header_message_id=_message_id(kind), **({"next_attempt_at": not_before} if not_before else {}),
    )
    if send and not_before is None:
        transaction.on_commit(lambda: _enqueue(email.pk, merchant.pk))
    elif send:
        transaction.on_commit(lambda: _enqueue(email.pk, merchant.pk, not_before))
    return email


def email_withdraw(*, merchant: Merchant, message) -> bool:
    """Cancels the e-mail of a message before it leaves (a reply's undo): True when the message has
    none or it was still waiting, now cancelled and never to be sent; False once a worker has
    claimed it (sending, sent, failed or retrying). The row lock orders this with the worker's
    claim, which skips a locked row and then finds it cancelled."""
    email = OutgoingEmail.objects.select_for_update().filter(merchant=merchant, message=message).first()
    if email is None:
        return True
    if email.status != OutgoingEmail.Status.QUEUED or email.attempts:
        return False
    email.status = OutgoingEmail.Status.CANCELLED
    email.last_error = "withdrawn before sending: the reply was undone"
    email.save(update_fields=["status", "last_error"])
    return True


def staff_email_queue(
    *, merchant: Merchant, kind: str, user, dedupe_key: str, subject: str, body_text: str, body_html: str,
    list_unsubscribe: str, rating=None, send: bool = True,
) -> OutgoingEmail | None:
    """Records an e-mail to a member of the merchant's staff, at most once per (kind, dedupe_key).

    The unique constraint outgoing_once_per_key decides, not a prior read: two beats, two workers
    or a retried task that reach the same alert record one row, and the others get None (SLA-3,
    SLA-5). Sent after commit like every other e-mail, and swept when the hand-off is lost; with
    send=False the caller hands it over with others through `emails_send_after_commit`.
    """
    email = staff_email_row(merchant=merchant, kind=kind, user=user, dedupe_key=dedupe_key, subject=subject,
                            body_text=body_text, body_html=body_html, list_unsubscribe=list_unsubscribe,
                            rating=rating)
    recorded = staff_emails_queue(merchant=merchant, emails=[email], send=send)
    return recorded[0] if recorded else None


def staff_email_row(
    *, merchant: Merchant, kind: str, user, dedupe_key: str, subject: str, body_text: str, body_html: str,
    list_unsubscribe: str, rating=None,
) -> OutgoingEmail:
    """An unsaved staff e-mail for `staff_emails_queue`, its Message-ID fixed."""
    if not dedupe_key:
        raise ValueError("a staff e-mail needs the key that makes it unique")
    return OutgoingEmail(
        merchant=merchant, kind=kind, user=user, rating=rating, dedupe_key=dedupe_key, to_address=user.email,
        subject=subject, body_text=body_text, body_html=body_html, list_unsubscribe=list_unsubscribe,
        header_message_id=_message_id(kind),
    )


# Rows per INSERT of staff_emails_queue: a sweep's alerts of one merchant in one statement.
STAFF_INSERT_ROWS = 500


def staff_emails_queue(*, merchant: Merchant, emails: list[OutgoingEmail], send: bool = True) -> list[OutgoingEmail]:
    """Records many staff e-mails of the merchant (unsaved rows of `staff_email_row`) in one
    INSERT … ON CONFLICT DO NOTHING (per STAFF_INSERT_ROWS), in the caller's transaction: each at
    most once per (kind, dedupe_key), as outgoing_once_per_key decides; a duplicate is left out of
    the rows returned (with their ids), and the caller's transaction goes on without a savepoint.
    Any other conflict (a Message-ID already used) raises, as the ORM's INSERT would.

    Handed to the workers after commit: one e-mail to its own task, several in batches over one
    SMTP connection each (`emails_send_after_commit`); with send=False the caller does it.
    """
    fields, head, tail, tail_params = _staff_insert()
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    recorded = []
    for start in range(0, len(emails), STAFF_INSERT_ROWS):
        chunk = emails[start:start + STAFF_INSERT_ROWS]
        by_message_id = {email.header_message_id: email for email in chunk}
        params = [field.get_db_prep_save(getattr(email, field.attname), connection)
                  for email in chunk for field in fields]
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, [*params, *tail_params])
            for pk, message_id in cursor.fetchall():
                email = by_message_id[message_id]
                email.pk, email._state.adding, email._state.db = pk, False, connection.alias
                recorded.append(email)
    if send and len(recorded) == 1:
        email = recorded[0]
        transaction.on_commit(lambda: _enqueue(email.pk, merchant.pk))
    elif send:
        emails_send_after_commit(merchant=merchant, emails=recorded)
    return recorded


@cache
def _staff_insert() -> tuple[list, str, str, tuple]:
    """The columns of OutgoingEmail (the id aside) and the SQL around the VALUES rows of
    staff_emails_queue's INSERT, whose conflict target is the columns and the condition of the
    unique index outgoing_once_per_key, as the model states them."""
    meta = OutgoingEmail._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    once = next(constraint for constraint in meta.constraints if constraint.name == "outgoing_once_per_key")
    query = Query(OutgoingEmail, alias_cols=False)
    condition, params = query.build_where(once.condition).as_sql(query.get_compiler(connection=connection), connection)
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) VALUES "
    tail = (f" ON CONFLICT ({', '.join(quote(meta.get_field(name).column) for name in once.fields)})"
            f" WHERE {condition} DO NOTHING"
            f" RETURNING {quote(meta.pk.column)}, {quote(meta.get_field('header_message_id').column)}")
    return fields, head, tail, tuple(params)


def emails_send_after_commit(*, merchant: Merchant, emails: list[OutgoingEmail]) -> None:
    """Hands many e-mails of the merchant, recorded with send=False in this transaction, to the
    workers in batches once it commits: each batch claims its rows together and sends them over
    one SMTP connection (notifications.tasks.email_send_batch). Lost hand-offs are swept."""
    email_ids = [email.pk for email in emails]
    if email_ids:
        transaction.on_commit(lambda: _enqueue_many(merchant.pk, email_ids))


def _message_id(kind: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "ratings-inbox.local"
    return make_msgid(idstring=kind.replace("_", "-"), domain=domain)


def _enqueue(email_id: int, merchant_id: int, eta=None) -> None:
    enqueue_email_send(email_id, merchant_id, eta=eta)


def _enqueue_many(merchant_id: int, email_ids: list[int]) -> None:
    enqueue_email_send_batch(merchant_id, email_ids)


def staff_emails_stop(*, membership, kind: str):
    """Turns off the preference that `kind` of staff e-mail obeys (SLA-6). Idempotent."""
    field, value = STOPS[kind]
    if getattr(membership, field) != value:
        setattr(membership, field, value)
        membership.save(update_fields=[field])
    return membership


@dataclass(frozen=True)
class NotificationPreferences:
    """A member's e-mail preferences for one merchant (SLA-4, SLA-5), as API.md names them."""

    new_detractor: str
    digest_hour: int
    assigned_to_me: bool
    sla_alerts: bool

    @classmethod
    def of(cls, membership) -> NotificationPreferences:
        return cls(new_detractor=membership.notify_new_detractor, digest_hour=membership.digest_hour,
                   assigned_to_me=membership.notify_assigned, sla_alerts=membership.notify_sla)


def notification_preferences_get(*, access: Access) -> NotificationPreferences:
    """The caller's own preferences for this merchant (API …/me/notifications/): read from the
    membership the access was built from, no query."""
    return NotificationPreferences.of(_own_membership(access))


def _own_membership(access: Access):
    if access.membership is None:
        raise PermissionDenied(_("Only a member has notification settings."))
    return access.membership


def _checked(new_detractor, digest_hour, assigned_to_me, sla_alerts) -> NotificationPreferences:
    errors = {}
    if new_detractor not in NewDetractorNotice.values:
        errors["new_detractor"] = [_("Choose off, instant or digest.")]
    if isinstance(digest_hour, bool) or not isinstance(digest_hour, int) or not 0 <= digest_hour <= 23:
        errors["digest_hour"] = [_("Choose an hour from 0 to 23.")]
    for field, value in (("assigned_to_me", assigned_to_me), ("sla_alerts", sla_alerts)):
        if not isinstance(value, bool):
            errors[field] = [_("Must be true or false.")]
    if errors:
        raise ValidationError(errors)
    return NotificationPreferences(new_detractor, digest_hour, assigned_to_me, sla_alerts)


@transaction.atomic
def notification_preferences_set(
    *, access: Access, actor, new_detractor: str, digest_hour: int, assigned_to_me: bool, sla_alerts: bool,
) -> NotificationPreferences:
    """Sets the caller's own e-mail preferences for this merchant (SLA-4): all four, checked before
    anything is written (400 naming the field; the database's checks stand behind it)."""
    membership = _own_membership(access)
    wanted = _checked(new_detractor, digest_hour, assigned_to_me, sla_alerts)
    if wanted != NotificationPreferences.of(membership):
        membership.notify_new_detractor, membership.digest_hour = wanted.new_detractor, wanted.digest_hour
        membership.notify_assigned, membership.notify_sla = wanted.assigned_to_me, wanted.sla_alerts
        membership.save(update_fields=["notify_new_detractor", "digest_hour", "notify_assigned", "notify_sla"])
        audit_record(merchant=access.merchant, actor=actor, action="notifications.update",
                     obj=membership, data=asdict(wanted))
    return wanted
