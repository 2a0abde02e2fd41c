"""Reads about customers: profile, rating history, visits and invoices (DET-1..4)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from merchants.access import Access
from ratings_inbox import rows

from .models import Customer, CustomerNameToken, InvoiceLine, Visit
from .names import search_prefixes


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


def customers_named(*, access: Access, query: str) -> QuerySet | None:
    """The ids of the customers with a name word starting with every word of the query
    (INB-4: case- and accent-insensitive); None when the query is blank. A query of only
    symbols (`%`, `_`, `-`) has no words, and no name word contains a symbol: it matches nobody.

    Several words intersect their customers first (INTERSECT), so "pedro peña" reads the
    few customers named both, not every rating of every Pedro; one word stays a semi-join the
    planner can probe row by row.
    """
    if not (query or "").strip():
        return None
    prefixes = search_prefixes(query)
    if not prefixes:
        return CustomerNameToken.objects.none().values("customer_id")
    matching = None
    for prefix in prefixes:
        customers = access.scope(CustomerNameToken.objects, branch=None).filter(
            **_prefix_range(prefix)).values("customer_id")
        matching = customers if matching is None else matching.intersection(customers)
    return matching


def customer_list(*, access: Access, q: str = "") -> QuerySet[Customer]:
    """The customers the access may see, by name; `q` as the inbox's name search (customers_named).

    A branch-restricted member sees the customers who visited one of their branches.
    """
    customers = access.scope(Customer.objects, branch=None)
    if access.restricted:
        customers = customers.filter(
            Exists(access.scope(Visit.objects).filter(customer_id=OuterRef("pk"))))
    if (matching := customers_named(access=access, query=q)) is not None:
        customers = customers.filter(pk__in=matching)
    return customers.order_by("name_key", "id")


def visit_list(*, access: Access) -> QuerySet[Visit]:
    """The visits of the access's branches, unordered."""
    return access.scope(Visit.objects)


def visit_find(*, access: Access, id: int) -> Visit | None:
    """One of the visits of the access's branches with its customer, or None: visit_list's rule in
    plain SQL (ratings_inbox.rows), for every rating the point of sale posts (issue 13)."""
    branch_rule, branch_params = access.branch_sql("v.branch_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.select_list(Visit, 'v')}, {rows.select_list(Customer, 'c')} FROM customers_visit v"
            " JOIN customers_customer c ON c.merchant_id = v.merchant_id AND c.id = v.customer_id"
            f" WHERE v.merchant_id = %s{branch_rule} AND v.id = %s", [access.merchant_id, *branch_params, id])
        row = cursor.fetchone()
    if row is None:
        return None
    visit, customer = rows.instances(row, Visit, Customer)
    Visit._meta.get_field("customer").set_cached_value(visit, customer)
    return visit


def visit_lines_load(*, access: Access, visit: Visit) -> None:
    """The visit's invoice lines in order (DET-4), read in plain SQL (ratings_inbox.rows) into
    `visit.lines.all()` as prefetch_related would: every rating opened or posted shows them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {rows.select_list(InvoiceLine, 'l')} FROM customers_invoiceline l"
                       " WHERE l.merchant_id = %s AND l.visit_id = %s ORDER BY l.position, l.id",
                       [access.merchant_id, visit.pk])
        lines = [rows.instance(InvoiceLine, row) for row in cursor.fetchall()]
    for line in lines:
        InvoiceLine._meta.get_field("visit").set_cached_value(line, visit)
    prefetched = InvoiceLine.objects.none()
    prefetched._result_cache, prefetched._prefetch_done = lines, True
    visit._prefetched_objects_cache = {**getattr(visit, "_prefetched_objects_cache", {}), "lines": prefetched}


def customer_visits(*, access: Access, customer: Customer):
    """Every visit with date, branch and total, newest first (DET-3), within the member's branches."""
    visits = visit_list(access=access).filter(customer=customer)
    return visits.select_related("branch", "rating").order_by("-visited_at", "-id")


def visit_get(*, access: Access, id: int) -> Visit:
    """A visit with its branch and invoice lines (DET-4), or 404."""
    visits = visit_list(access=access).filter(pk=id)
    visit = visits.select_related("branch").prefetch_related("lines").first()
    if visit is None:
        raise Http404("No such visit.")
    return visit


def customer_get(*, access: Access, id: int) -> Customer:
    """One customer the access may see (a restricted member: one who visited their branches), or 404."""
    customer = customer_list(access=access).filter(pk=id).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer
