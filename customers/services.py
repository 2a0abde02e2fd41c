"""Writes about customers and visits: the point-of-sale ingestion path (API-2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Branch, Merchant
from ratings_inbox import rows
from ratings_inbox.errors import Conflict, violates

from .models import Customer, CustomerNameToken, InvoiceLine, Visit
from .names import name_key, name_tokens

INVOICE_UNIQUE = "visit_invoice_unique"


def _sync_name(customer: Customer) -> None:
    """Keeps the folded name and its search tokens in step (the ratings' copy of the sort key
    is ratings.services.ratings_customer_renamed's, called by the use case that renames)."""
    CustomerNameToken.objects.filter(merchant_id=customer.merchant_id, customer=customer).delete()
    _name_tokens_insert(customer)


def _name_tokens_insert(customer: Customer) -> None:
    CustomerNameToken.objects.bulk_create(
        [
            CustomerNameToken(merchant_id=customer.merchant_id, customer=customer, token=token)
            for token in name_tokens(customer.full_name)
        ]
    )


def _customer_by_external_id(merchant: Merchant, external_id: str) -> Customer | None:
    """The customer, locked until commit against another upsert (FOR NO KEY UPDATE: the foreign-key
    checks of a rating or visit of theirs committing meanwhile are not blocked, and cannot close a
    deadlock with this transaction waiting for the customer's rollup row, issue 13). Plain SQL
    (ratings_inbox.rows): the point of sale's every visit looks its customer up."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {rows.select_list(Customer, 'c')} FROM customers_customer c"
                       " WHERE c.merchant_id = %s AND c.external_id = %s FOR NO KEY UPDATE",
                       [merchant.pk, external_id])
        row = cursor.fetchone()
    return None if row is None else rows.instance(Customer, row)


def _customer_insert(merchant: Merchant, external_id: str | None, values: dict) -> tuple[Customer, bool]:
    """(a new customer row with these values, True), or (the one a concurrent transaction inserted
    with this external id, False).

    Two first visits of one customer posted at once both find no row; the second INSERT waits
    for the first transaction and then violates the (merchant, external_id) unique key. The
    savepoint keeps this transaction usable, and the re-read (a new snapshot under READ
    COMMITTED) finds the committed row, which is then updated like any known customer (SEC-7).
    Without an external id nothing can collide.
    """
    if external_id is None:
        return Customer.objects.create(merchant=merchant, external_id=None, **values), True
    try:
        with transaction.atomic():
            return Customer.objects.create(merchant=merchant, external_id=external_id, **values), True
    except IntegrityError:
        customer = _customer_by_external_id(merchant, external_id)
        if customer is None:
            raise
        return customer, False


@transaction.atomic
def customer_upsert(
    *, merchant: Merchant, external_id: str | None, full_name: str, email: str | None = None,
    phone: str | None = None, document_id: str | None = None, birth_date=None, keep_contact: bool = False,
    renamed: Callable[[Customer], None] | None = None, since=None,
) -> Customer:
    """The customer with this external id (created when new, updated when known).

    With keep_contact, an e-mail or phone left out (None) keeps the known one (API-2's visit push).
    A new customer is one INSERT; a known one is written only when something changed, and its name
    tokens only when its name did (issue 13: a till posts the same customer all day); then
    `renamed(customer)` lets the caller update the copies of the name kept elsewhere. `since`: the
    moment of the visit that brings a new customer, when earlier than now ("Customer since", DET-3).
    """
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": "A customer needs a name."})
    values = {"full_name": full_name, "name_key": name_key(full_name)}
    if email is not None or not keep_contact:
        values["email"] = (email or "").strip().lower() or None
    if phone is not None or not keep_contact:
        values["phone"] = (phone or "").strip() or None
    if document_id is not None:
        values["document_id"] = document_id or None
    if birth_date is not None:
        values["birth_date"] = birth_date
    customer = _customer_by_external_id(merchant, external_id) if external_id else None
    if customer is None:
        if since is not None and since < timezone.now():
            values["created_at"] = since
        customer, created = _customer_insert(merchant, external_id or None, values)
        if created:
            _name_tokens_insert(customer)
            return customer
    values.pop("created_at", None)
    changed = [name for name, value in values.items() if getattr(customer, name) != value]
    for name in changed:
        setattr(customer, name, values[name])
    if changed:
        customer.save(update_fields=changed)
    if "full_name" in changed:
        _sync_name(customer)
        if renamed is not None:
            renamed(customer)
    return customer


@dataclass(frozen=True)
class InvoiceLineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal


@transaction.atomic
def visit_record(
    *, merchant: Merchant, branch: Branch, customer: Customer, visited_at, invoice_number: str,
    invoice_total: Decimal, currency: str, lines: list[InvoiceLineInput] = (),
) -> Visit:
    """A visit with its invoice lines, in one transaction (API-2, DET-4)."""
    if branch.merchant_id != merchant.pk or customer.merchant_id != merchant.pk:
        raise ValidationError("Branch and customer must belong to the merchant.")
    if visited_at > timezone.now():
        raise ValidationError({"visited_at": "A visit cannot be in the future."})
    try:
        with transaction.atomic():  # the savepoint costs no round trip (ratings_inbox.postgres.savepoints)
            visit = Visit.objects.create(
                merchant=merchant, branch=branch, customer=customer, visited_at=visited_at,
                invoice_number=invoice_number, invoice_total=invoice_total, currency=currency,
            )
    except IntegrityError as exc:  # the unique key answers, a racing twin's as well (no look before)
        if not violates(exc, INVOICE_UNIQUE):
            raise
        raise Conflict({"invoice_number": _("This invoice is already recorded for this branch.")}) from exc
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                merchant=merchant, visit=visit, position=position, description=line.description,
                quantity=line.quantity, unit_price=line.unit_price, line_total=line.line_total,
            )
            for position, line in enumerate(lines)
        ]
    )
    if visited_at < customer.created_at:
        # "Customer since" is never later than their first visit (a visit sent after the fact, an import).
        Customer.objects.filter(merchant_id=customer.merchant_id, pk=customer.pk, created_at__gt=visited_at).update(
            created_at=visited_at)
        customer.created_at = visited_at
    return visit


@transaction.atomic
def customer_opt_out(*, merchant: Merchant, customer: Customer) -> Customer:
    """CUS-3: the customer gets no more e-mail from this merchant."""
    if not customer.email_opt_out:
        customer.email_opt_out = True
        customer.save(update_fields=["email_opt_out"])
    return customer
