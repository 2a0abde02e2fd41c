"""Reads about customers: profile, rating history, visits and invoices (DET-1..4)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from merchants.models import Membership, Merchant
from merchants.selectors import visible_branch_ids

from .models import Customer, CustomerNameToken, Visit
from .names import search_prefixes


def customer_get(*, merchant: Merchant, id: int) -> Customer:
    customer = Customer.objects.filter(merchant=merchant, pk=id).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer


def _prefix_range(prefix: str) -> dict:
    """`token` in [prefix, prefix with its last character incremented): the words starting with it.

    The column has the C collation (code point order), so this range is exactly the words
    that start with the prefix. Unlike LIKE (not leakproof), comparison operators are
    leakproof, so under row-level security PostgreSQL may still use them as index bounds.
    """
    last = ord(prefix[-1])
    if last >= 0x10FFFF or 0xD7FF <= last < 0xE000:  # no next code point, or a surrogate
        return {"token__startswith": prefix}
    return {"token__gte": prefix, "token__lt": prefix[:-1] + chr(last + 1)}


def customers_named(*, merchant: Merchant, query: str) -> QuerySet | None:
    """The ids of the customers with a name word starting with every word of the query
    (INB-4: case- and accent-insensitive); None when the query has no words.

    Several words intersect their customers first (INTERSECT), so "pedro peña" reads the
    few customers named both, not every rating of every Pedro (114 ms -> a few ms at
    300,000 ratings); one word stays a semi-join the planner can probe row by row.
    """
    matching = None
    for prefix in search_prefixes(query or ""):
        customers = CustomerNameToken.objects.filter(merchant=merchant, **_prefix_range(prefix)).values("customer_id")
        matching = customers if matching is None else matching.intersection(customers)
    return matching


def customer_list(*, merchant: Merchant, q: str = "") -> QuerySet[Customer]:
    """The merchant's customers by name; `q` as the inbox's name search (customers_named)."""
    customers = Customer.objects.filter(merchant=merchant)
    if (matching := customers_named(merchant=merchant, query=q)) is not None:
        customers = customers.filter(pk__in=matching)
    return customers.order_by("name_key", "id")


def customer_ratings(*, merchant: Merchant, customer: Customer, membership: Membership | None = None):
    """The customer's ratings here, newest first (DET-2), within the member's branches."""
    from ratings.models import Rating

    ratings = Rating.objects.filter(merchant=merchant, customer=customer)
    if membership is not None and (ids := visible_branch_ids(membership)) is not None:
        ratings = ratings.filter(branch_id__in=ids)
    return ratings.select_related("branch", "customer").order_by("-created_at", "-id")


def customer_visits(*, merchant: Merchant, customer: Customer, membership: Membership | None = None):
    """Every visit with date, branch and total, newest first (DET-3)."""
    visits = Visit.objects.filter(merchant=merchant, customer=customer)
    if membership is not None and (ids := visible_branch_ids(membership)) is not None:
        visits = visits.filter(branch_id__in=ids)
    return visits.select_related("branch", "rating").order_by("-visited_at", "-id")


def visit_get(*, merchant: Merchant, id: int, membership: Membership | None = None) -> Visit:
    """A visit with its branch and invoice lines (DET-4), or 404."""
    visits = Visit.objects.filter(merchant=merchant, pk=id)
    if membership is not None and (ids := visible_branch_ids(membership)) is not None:
        visits = visits.filter(branch_id__in=ids)
    visit = visits.select_related("branch").prefetch_related("lines").first()
    if visit is None:
        raise Http404("No such visit.")
    return visit


def customer_list_with_stats(*, merchant: Merchant, q: str = "", membership: Membership | None = None):
    """customer_list with last_score and ratings_count on each row, in one query (API customers).

    A branch-restricted member sees the customers who visited one of their branches, and
    counts only those branches' ratings.
    """
    from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from ratings.models import Rating

    ratings = Rating.objects.filter(merchant=merchant, customer=OuterRef("pk"))
    customers = customer_list(merchant=merchant, q=q)
    if membership is not None and (ids := visible_branch_ids(membership)) is not None:
        ratings = ratings.filter(branch_id__in=ids)
        customers = customers.filter(
            Exists(Visit.objects.filter(merchant=merchant, customer=OuterRef("pk"), branch_id__in=ids))
        )
    last_score = ratings.order_by("-created_at", "-id").values("score")[:1]
    count = ratings.order_by().values("customer").annotate(n=Count("id")).values("n")
    return customers.annotate(
        last_score=Subquery(last_score, output_field=IntegerField()),
        ratings_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
    )


def customer_visible(*, merchant: Merchant, id: int, membership: Membership | None = None) -> Customer:
    """customer_get, and 404 for a branch-restricted member whose branches the customer never visited."""
    customer = customer_get(merchant=merchant, id=id)
    if membership is not None and (ids := visible_branch_ids(membership)) is not None:
        if not Visit.objects.filter(merchant=merchant, customer=customer, branch_id__in=ids).exists():
            raise Http404("No such customer.")
    return customer
