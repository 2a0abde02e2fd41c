"""What arrives, and the reactions to it (issue 12): a visit from the point of sale (API-2) and a
customer's rating (CUS-1, API-2). Each is one use case, called alike by the customer's page and
the API, that stores what arrived through the app that owns it and then calls, explicitly, the
apps that react to it: no app below learns about the ones above it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from autoreply.services import autoreply_delay_for_new_rating, autoreply_schedule
from customers import services as customer_services
from customers.models import Visit
from customers.services import InvoiceLineInput, visit_record
from merchants.models import Branch, Merchant
from ratings.counters import visit_counted
from ratings.models import Rating
from ratings.services import rating_create, ratings_customer_renamed


@transaction.atomic
def rating_received(
    *, merchant: Merchant, visit: Visit, score: int, comment: str | None = None, created_at=None,
) -> Rating:
    """A customer's rating of a visit arrives (CUS-1, API-2): stored with its first message
    (ratings), and, for a silent detractor the auto-reply is on for, due after the merchant's
    delay and handed to a worker after commit (AR-3, AR-4)."""
    delay = autoreply_delay_for_new_rating(
        merchant=merchant, customer=visit.customer, score=score, comment=(comment or "").strip() or None)
    rating = rating_create(merchant=merchant, visit=visit, score=score, comment=comment, created_at=created_at,
                           autoreply_delay=delay)
    if rating.autoreply_due_at is not None:
        autoreply_schedule(merchant=merchant, rating=rating)
    return rating


@transaction.atomic
def visit_ingest(
    *, merchant: Merchant, branch: Branch, external_id: str, full_name: str, email: str | None,
    phone: str | None, visited_at, invoice_number: str, invoice_total: Decimal, currency: str,
    lines: list[InvoiceLineInput] = (),
) -> Visit:
    """The point of sale's visit push (API-2), in one transaction: the customer matched by its
    external id (created when new; an e-mail or phone left out keeps the known one), the ratings'
    sort key when its name changed, and the visit with its invoice lines.

    A repeated invoice of the branch is a Conflict (409): visit_record's INSERT meets the unique
    key (a racing twin's as well), and this use case's changes, the customer's with them, are
    rolled back.
    """
    # Through the module: a test holds one till's insert open there to race another (SEC-7).
    customer = customer_services.customer_upsert(
        merchant=merchant, external_id=external_id, full_name=full_name, email=email, phone=phone,
        keep_contact=True, renamed=lambda renamed: ratings_customer_renamed(customer=renamed), since=visited_at,
    )
    return visit_arrived(
        merchant=merchant, branch=branch, customer=customer, visited_at=visited_at,
        invoice_number=invoice_number, invoice_total=invoice_total, currency=currency, lines=lines,
    )


@transaction.atomic
def visit_arrived(*, merchant: Merchant, branch: Branch, customer, **visit) -> Visit:
    """A known customer's visit is stored (customers), then, in its transaction, the customer's
    rollup moves and their earlier detractors count as having come back (ANA-3, ANA-5)."""
    stored = visit_record(merchant=merchant, branch=branch, customer=customer, **visit)
    visit_counted(stored)
    return stored
