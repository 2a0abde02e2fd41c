"""Habeas data (PRODUCT.md §14): one customer's data exported, erased on request or by retention.

Erasing keeps every row that the statistics count (customer, visits, ratings, messages,
grants, points, counters) and replaces what identifies the person: the name becomes a neutral
label in the merchant's language, contact and identity fields are cleared, the text the
customer wrote becomes a marker (never empty, so a rating with a comment still has one and
no counter moves), the name leaves the search, and e-mails not yet sent are cancelled. The
stored copies of e-mails to them lose the address and the text, which greet them by name.

These are merchant-wide operations on data of every branch, so they take an admin whose
access is not limited to some branches (a restricted admin gets 403).

A use case over customers, ratings, gifts and e-mails, so an app above them all (the layers
of .importlinter): the data it changes keeps its fields in the apps that own it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Customer, CustomerNameToken, Visit
from customers.names import fold, name_key
from customers.selectors import customer_get
from gifts.models import GiftGrant, PointsEntry
from merchants.access import Access
from merchants.models import Merchant
from merchants.services import audit_record
from notifications.models import OutgoingEmail
from ratings.models import Message, Rating

RETENTION_MIN_MONTHS = 6
RETENTION_MAX_MONTHS = 120
# Erasures per merchant per run of the retention task; the task runs again while a merchant
# still had this many (each erasure is a handful of statements in its own transaction).
RETENTION_BATCH_SIZE = 200

ERASED_NAME = gettext_lazy("Erased customer #%(id)s")
ERASED_TEXT = gettext_lazy("[erased]")

# What the customer sees of their conversations (the public conversation page shows these);
# anything else a thread may hold one day (internal notes) is not theirs to export.
EXPORTED_MESSAGE_KINDS = (
    Message.AuthorKind.CUSTOMER, Message.AuthorKind.STAFF, Message.AuthorKind.AUTO_REPLY,
    Message.AuthorKind.SYSTEM,
)


def check_privacy_access(access: Access) -> None:
    """403 unless an admin who sees every branch: export and erasure span all branches (§14)."""
    if not access.has_role("admin"):
        raise PermissionDenied(_("Only an admin may do this."))
    if access.restricted:
        raise PermissionDenied(_("Only an admin who sees every branch may do this."))


def privacy_customer_get(*, access: Access, customer_id: int) -> Customer:
    """The customer, for an export or an erasure: 403 below admin; 404 for an id unknown or out
    of the member's branches (TEN-3: nothing is learnt about it); then 403 for a restricted admin."""
    if not access.has_role("admin"):
        raise PermissionDenied(_("Only an admin may do this."))
    customer = customer_get(access=access, id=customer_id)
    check_privacy_access(access)
    return customer


@dataclass(frozen=True)
class CustomerExport:
    customer: Customer
    visits: list[Visit]
    ratings: list[Rating]
    messages: list[Message]
    gift_grants: list[GiftGrant]
    points: list[PointsEntry]
    emails: list[OutgoingEmail]


def customer_export(*, access: Access, customer_id: int) -> CustomerExport:
    """Everything stored about one customer (PRV-1), oldest first, in seven queries."""
    customer = privacy_customer_get(access=access, customer_id=customer_id)
    visits = list(
        access.scope(Visit.objects).filter(customer=customer)
        .select_related("branch", "rating").prefetch_related("lines").order_by("visited_at", "id")
    )
    ratings = list(
        access.scope(Rating.objects).filter(customer=customer).select_related("branch").order_by("created_at", "id")
    )
    messages = list(
        access.scope(Message.objects, branch=None)
        .filter(rating__customer=customer, author_kind__in=EXPORTED_MESSAGE_KINDS)
        .order_by("created_at", "id")
    )
    grants = list(
        access.scope(GiftGrant.objects, branch=None).filter(customer=customer)
        .select_related("gift").order_by("granted_at", "id")
    )
    points = list(access.scope(PointsEntry.objects, branch=None).filter(customer=customer).order_by("created_at", "id"))
    emails = list(access.scope(OutgoingEmail.objects, branch=None).filter(customer=customer).order_by("created_at", "id"))
    return CustomerExport(customer=customer, visits=visits, ratings=ratings, messages=messages,
                          gift_grants=grants, points=points, emails=emails)


def confirmation_matches(*, customer: Customer, confirm: str | None) -> bool:
    """The admin typed the customer's name: case, accents and spacing aside."""
    return bool(fold(confirm or "")) and fold(confirm) == fold(customer.full_name)


@transaction.atomic
def customer_erase(*, access: Access, customer_id: int, confirm: str | None, actor) -> Customer:
    """Erases one customer's personal data (PRV-2), confirmed by their full name; irreversible.

    A customer already erased is returned as stored whatever `confirm` says (their name is
    gone, and a retried request must be harmless); nothing is written again.
    """
    customer = privacy_customer_get(access=access, customer_id=customer_id)
    customer = access.scope(Customer.objects, branch=None).select_for_update().get(pk=customer.pk)
    if customer.erased_at is not None:
        return customer
    if not confirmation_matches(customer=customer, confirm=confirm):
        raise ValidationError({"confirm": _("Type the customer's full name exactly as shown to confirm.")})
    return _erase(access=access, customer=customer, actor=actor, reason="request")


def _erase(*, access: Access, customer: Customer, actor, reason: str) -> Customer:
    """The erasure itself, on a customer locked in the caller's transaction."""
    merchant = access.merchant
    with translation.override(merchant.language or "es"):
        label = str(ERASED_NAME) % {"id": customer.pk}
        marker = str(ERASED_TEXT)
    customer.full_name = label
    customer.name_key = name_key(label)
    customer.external_id = None  # a later visit pushed with the same id is a new customer
    customer.email = customer.phone = customer.document_id = customer.birth_date = None
    customer.email_opt_out = True
    customer.erased_at = timezone.now()
    customer.save(update_fields=["full_name", "name_key", "external_id", "email", "phone", "document_id",
                                 "birth_date", "email_opt_out", "erased_at"])
    access.scope(CustomerNameToken.objects, branch=None).filter(customer=customer).delete()
    ratings = access.scope(Rating.objects).filter(customer=customer)
    ratings.update(customer_name_key=customer.name_key)
    comments = ratings.filter(comment__isnull=False).update(comment=marker)
    messages = (
        access.scope(Message.objects, branch=None)
        .filter(rating__customer=customer, author_kind=Message.AuthorKind.CUSTOMER)
        .update(body=marker)
    )
    emails = access.scope(OutgoingEmail.objects, branch=None).filter(customer=customer)
    cancelled = emails.filter(status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.CANCELLED, last_error="cancelled: the customer was erased")
    emails.update(to_address="", subject=marker, body_text=marker, body_html="")
    # Staff e-mails about one of their ratings quote their name and words (CASE-3, SLA-4): those still
    # queued are not sent, and none keeps what the customer wrote (the member's address stays).
    staff = access.scope(OutgoingEmail.objects, branch=None).filter(customer__isnull=True, rating__customer=customer)
    cancelled += staff.filter(status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.CANCELLED, last_error="cancelled: the customer was erased")
    staff.update(subject=marker, body_text=marker, body_html="")
    audit_record(merchant=merchant, actor=actor, action="customer.erase", obj=customer, data={
        "reason": reason, "comments": comments, "messages": messages, "emails_cancelled": cancelled,
    })
    return customer


@transaction.atomic
def retention_set(*, access: Access, erase_after_months: int | None, actor) -> Merchant:
    """PRV-3: erase customers with no visit for this many months (6-120), or None for never."""
    check_privacy_access(access)
    if erase_after_months is not None and not (
        RETENTION_MIN_MONTHS <= erase_after_months <= RETENTION_MAX_MONTHS
    ):
        raise ValidationError({"erase_after_months": _("Between %(min)s and %(max)s months, or empty for never.") % {
            "min": RETENTION_MIN_MONTHS, "max": RETENTION_MAX_MONTHS}})
    merchant = Merchant.objects.select_for_update().get(pk=access.merchant_id)
    if merchant.erase_after_months != erase_after_months:
        audit_record(merchant=merchant, actor=actor, action="retention.update", obj=merchant,
                     data={"from": merchant.erase_after_months, "to": erase_after_months})
        merchant.erase_after_months = erase_after_months
        merchant.save(update_fields=["erase_after_months"])
    return merchant


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, or the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def retention_cutoff(*, merchant: Merchant, today: dt.date) -> dt.datetime | None:
    """The start (merchant's time zone) of the first day a visit keeps a customer; None when off."""
    if merchant.erase_after_months is None:
        return None
    day = months_before(today, merchant.erase_after_months)
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(merchant.timezone))


def retention_stale(*, access: Access, cutoff: dt.datetime):
    """Customers not erased whose last visit was before the cutoff; one who never visited counts
    from when they were recorded (an imported customer's old visits count as they happened)."""
    visits = access.scope(Visit.objects).filter(customer=OuterRef("pk"))
    return (
        access.scope(Customer.objects, branch=None)
        .filter(erased_at__isnull=True)
        .filter(Exists(visits) | Q(created_at__lt=cutoff))
        .exclude(Exists(visits.filter(visited_at__gte=cutoff)))
        .order_by("id")
    )


def retention_apply(*, merchant: Merchant, today: dt.date, batch_size: int = RETENTION_BATCH_SIZE) -> int:
    """Erases up to `batch_size` customers with no visit for the merchant's months (PRV-3).

    `today` is the date in the merchant's time zone. Each erasure is its own transaction,
    and a customer erased meanwhile (or who visited) is skipped, so running twice is safe.
    Returns how many were erased; the caller runs again while that equals `batch_size`.
    """
    cutoff = retention_cutoff(merchant=merchant, today=today)
    if cutoff is None:
        return 0
    access = Access.system(merchant)
    erased = 0
    for customer_id in list(retention_stale(access=access, cutoff=cutoff).values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            customer = retention_stale(access=access, cutoff=cutoff).select_for_update().filter(pk=customer_id).first()
            if customer is None:
                continue
            _erase(access=access, customer=customer, actor=None, reason="retention")
            erased += 1
    return erased
