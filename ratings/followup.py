"""ANA-4 "Did we fix it?": asking the customer of a resolved case to rate again.

One e-mail per rating, ever: a member asks from the case bar or the API (followup_request), or
the system asks when a case is resolved and the merchant turned followup_on_resolve on
(followups_on_resolve, called by ratings.cases in the resolving transaction). The e-mail is a
row of the outbox written in the same transaction as Rating.followup_requested_at, and the
database refuses a second one for the rating (notifications' one_followup_per_rating).
The answer is ratings.services.followup_answer.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from merchants.access import Access
from merchants.services import audit_record
from notifications.content import followup_email
from notifications.models import OutgoingEmail
from notifications.services import email_queue
from ratings_inbox.errors import Conflict

from .models import CaseStatus, Rating


class FollowupRefused(Conflict):
    """Why the customer cannot be asked (API 409): `reason` is one of REASONS."""

    def __init__(self, reason: str):
        super().__init__(REASONS[reason](), code=reason)
        self.reason = reason


# Each refusal and its words, in the reader's language.
REASONS = {
    "not_resolved": lambda: _("Resolve the case before asking the customer to rate again."),
    "already_requested": lambda: _("The customer was already asked to rate again; we ask only once."),
    "erased": lambda: _("This customer's data was erased: they cannot be asked."),
    "no_email": lambda: _("This customer has no e-mail address to ask them."),
    "opted_out": lambda: _("This customer unsubscribed from our e-mails."),
}


def refusal(rating: Rating, customer: Customer) -> str | None:
    """Why the rating's customer cannot be asked now (a REASONS key), or None when they can."""
    if rating.status != CaseStatus.RESOLVED:
        return "not_resolved"
    if rating.followup_requested_at is not None:
        return "already_requested"
    if customer.erased_at is not None:
        return "erased"
    if not customer.email:
        return "no_email"
    if customer.email_opt_out:
        return "opted_out"
    return None


def _recorded(merchant, rating: Rating, customer: Customer, at) -> bool:
    """The e-mail and the rating's request time, or False when the database already holds the
    rating's follow-up e-mail (a concurrent request won)."""
    Rating._meta.get_field("customer").set_cached_value(rating, customer)
    content = followup_email(merchant=merchant, rating=rating)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives the duplicate
            email_queue(merchant=merchant, kind=OutgoingEmail.Kind.FOLLOWUP, customer=customer, rating=rating,
                        subject=content.subject, body_text=content.body_text, body_html=content.body_html)
    except IntegrityError:
        if OutgoingEmail.objects.filter(merchant=merchant, rating_id=rating.pk,
                                        kind=OutgoingEmail.Kind.FOLLOWUP).exists():
            return False
        raise
    rating.followup_requested_at = at
    Rating.objects.filter(merchant_id=rating.merchant_id, pk=rating.pk).update(followup_requested_at=at)
    return True


@transaction.atomic
def followup_request(*, access: Access, rating: Rating, actor) -> Rating:
    """A member asks the customer of a resolved case to rate again (ANA-4): the e-mail is queued
    once this commits. FollowupRefused (409) when the case is not resolved, the customer was
    already asked, or has no e-mail, unsubscribed or was erased.

    `rating` comes from rating_get(access=…); its row is locked, so a resolve, a reopen or
    another request for it waits for this one.
    """
    status, requested_at = (Rating.objects.select_for_update().filter(merchant_id=access.merchant_id, pk=rating.pk)
                            .values_list("status", "followup_requested_at").get())
    rating.status, rating.followup_requested_at = status, requested_at
    customer = Customer.objects.get(merchant_id=access.merchant_id, pk=rating.customer_id)
    reason = refusal(rating, customer)
    if reason is None and not _recorded(access.merchant, rating, customer, timezone.now()):
        reason = "already_requested"
    if reason is not None:
        raise FollowupRefused(reason)
    audit_record(merchant=access.merchant, actor=actor, action="rating.followup_request", obj=rating)
    return rating


def followups_on_resolve(*, access: Access, ratings: list[Rating]) -> None:
    """The system asks the customers of cases just resolved (ANA-4, the merchant's
    followup_on_resolve), in the resolving transaction, the ratings' rows locked by it; a
    customer who cannot be asked is skipped without a word."""
    if not access.merchant.followup_on_resolve:
        return
    due = [rating for rating in ratings
           if rating.status == CaseStatus.RESOLVED and rating.followup_requested_at is None]
    if not due:
        return
    customers = Customer.objects.filter(merchant_id=access.merchant_id,
                                        pk__in={rating.customer_id for rating in due}).in_bulk()
    at = timezone.now()
    for rating in due:
        customer = customers[rating.customer_id]
        if refusal(rating, customer) is None:
            _recorded(access.merchant, rating, customer, at)
