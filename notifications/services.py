"""Recording outgoing e-mail: in the caller's transaction, sent by a task after commit (AR-5)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import make_msgid
from django.db import transaction

from customers.models import Customer
from merchants.models import Merchant

from .models import OutgoingEmail
from .tasks import enqueue_email_send


def customer_can_receive_email(customer: Customer) -> bool:
    return bool(customer.email) and not customer.email_opt_out


def email_queue(
    *, merchant: Merchant, kind: str, customer: Customer, subject: str, body_text: str,
    body_html: str = "", rating=None, message=None,
) -> OutgoingEmail | None:
    """Records an e-mail to the customer (None when they have no address or opted out).

    The Message-ID is fixed here, so a resend after an ambiguous failure is the same
    message. The send task is enqueued only once the transaction commits; the periodic
    sweep picks up whatever was recorded but never enqueued (Redis down) or never finished.
    """
    if not customer_can_receive_email(customer):
        return None
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "ratings-inbox.local"
    email = OutgoingEmail.objects.create(
        merchant=merchant, kind=kind, customer=customer, rating=rating, message=message,
        to_address=customer.email, subject=subject, body_text=body_text, body_html=body_html,
        header_message_id=make_msgid(idstring=kind.replace("_", "-"), domain=domain),
    )
    transaction.on_commit(lambda: _enqueue(email.pk, merchant.pk))
    return email


def _enqueue(email_id: int, merchant_id: int) -> None:
    enqueue_email_send(email_id, merchant_id)
