"""The inbox at scale: every sort order and the name search are served by an index.

Fills one merchant with 200,000 ratings in SQL, then EXPLAINs the first page and a deep
keyset page of each ORDERINGS entry, and the name search, under row-level security.
The fill is the owner's, committed, like the bench's load: ANALYZE is the owner's to run.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from merchants import tenancy
from merchants.access import Access
from ratings.selectors import ORDERINGS, RatingFilters, rating_item_rows, rating_list
from ratings_inbox.keyset import Column, after

pytestmark = pytest.mark.slow

FIRST = ["José", "María", "Ángela", "Andrés", "Sofía", "Iñaki", "Óscar", "Pedro", "Ana", "Luis"]
FIRST_KEY = ["jose", "maria", "angela", "andres", "sofia", "inaki", "oscar", "pedro", "ana", "luis"]
LAST = ["Pérez", "Peña", "Núñez", "Muñoz", "Gómez", "Perea", "Ordóñez", "Ibáñez", "Díaz", "Ruiz"]
LAST_KEY = ["perez", "pena", "nunez", "munoz", "gomez", "perea", "ordonez", "ibanez", "diaz", "ruiz"]
RATINGS = 200_000
CUSTOMERS = 40_000


def fill(merchant_id: int, branch_ids: list[int]) -> None:
    from django.conf import settings

    from merchants.bootstrap import connect

    owner = settings.DATABASES["owner"]
    conn = connect(owner, owner["NAME"])
    with conn.cursor() as c:
        c.execute(
            """
            INSERT INTO customers_customer (merchant_id, external_id, full_name, name_key, email,
                email_opt_out, points_balance, created_at)
            SELECT %(m)s, 'x' || i,
                   (%(f)s::text[])[1 + i %% 10] || ' ' || (%(l)s::text[])[1 + (i / 10) %% 10] || ' ' || i,
                   (%(fk)s::text[])[1 + i %% 10] || ' ' || (%(lk)s::text[])[1 + (i / 10) %% 10] || ' ' || i,
                   'c' || i || '@example.com', false, 0, now()
            FROM generate_series(1, %(n)s) AS i
            """,
            {"m": merchant_id, "f": FIRST, "l": LAST, "fk": FIRST_KEY, "lk": LAST_KEY, "n": CUSTOMERS},
        )
        # Fresh statistics before each join: without them the planner guesses a nested loop
        # over 200,000 x 40,000 rows and the fill takes minutes instead of seconds.
        c.execute("ANALYZE customers_customer")
        c.execute(
            """
            INSERT INTO customers_customernametoken (merchant_id, customer_id, token)
            SELECT merchant_id, id, w FROM customers_customer,
                   LATERAL unnest(string_to_array(name_key, ' ')) AS w
            WHERE merchant_id = %s
            """,
            [merchant_id],
        )
        c.execute(
            """
            INSERT INTO customers_visit (merchant_id, branch_id, customer_id, visited_at, invoice_number,
                invoice_total, currency, created_at)
            SELECT %(m)s, (%(b)s::bigint[])[1 + i %% %(nb)s], c.id,
                   now() - make_interval(mins => i * 5) - interval '1 hour', 'F' || i, 1000, 'COP', now()
            FROM generate_series(1, %(n)s) AS i
            JOIN customers_customer c ON c.merchant_id = %(m)s AND c.external_id = 'x' || (1 + i %% %(nc)s)
            """,
            {"m": merchant_id, "b": branch_ids, "nb": len(branch_ids), "n": RATINGS, "nc": CUSTOMERS},
        )
        c.execute("ANALYZE customers_visit")
        c.execute(
            """
            INSERT INTO ratings_rating (merchant_id, visit_id, customer_id, branch_id, customer_name_key,
                score, comment, is_read, created_at, messages_count, replies_count, last_activity_at)
            SELECT v.merchant_id, v.id, v.customer_id, v.branch_id, c.name_key,
                   1 + (v.id * 7) %% 10, CASE WHEN v.id %% 3 = 0 THEN 'Comentario' END,
                   v.id %% 4 <> 0, v.visited_at + interval '30 minutes', 0, 0, v.visited_at + interval '30 minutes'
            FROM customers_visit v JOIN customers_customer c ON c.id = v.customer_id
            WHERE v.merchant_id = %s
            """,
            [merchant_id],
        )
        # Detractors carry cases as ratings.cases opens them; commented ones wait for a reply.
        c.execute(
            """
            UPDATE ratings_rating SET needs_reply = comment IS NOT NULL,
                status = CASE WHEN score <= 6 THEN (CASE WHEN id %% 5 = 0 THEN 'resolved' ELSE 'new' END) ELSE 'none' END,
                priority = CASE WHEN score <= 3 THEN 'high' WHEN score <= 6 THEN 'medium' END,
                case_opened_at = CASE WHEN score <= 6 THEN created_at END,
                due_at = CASE WHEN score <= 6 THEN created_at + interval '24 hours' END,
                at_risk_at = CASE WHEN score <= 6 THEN created_at + interval '18 hours' END,
                due_order = CASE WHEN score <= 6 THEN created_at + interval '24 hours' ELSE due_order END
            WHERE merchant_id = %s
            """,
            [merchant_id],
        )
        for table in ("customers_customer", "customers_customernametoken", "customers_visit", "ratings_rating"):
            c.execute(f"ANALYZE {table}")
    conn.close()


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as c:
        c.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in c.fetchall())


@pytest.fixture
def big_merchant(make, acting_for):
    merchant = make.merchant("grande", name="Cadena Grande")
    acting_for(merchant)
    branch_ids = [make.branch(merchant).id for _ in range(4)]
    from merchants.models import Branch

    branch_ids.append(Branch.objects.get(merchant=merchant, name="Principal").id)
    fill(merchant.pk, branch_ids)
    return merchant


def first_and_deep_pages(merchant, ordering, filters=None, *, rows=rating_list):
    """The page queries of the inbox page (rating_list) or of the API (rows=rating_item_rows)."""
    columns: list[Column] = ORDERINGS[ordering]
    base = rows(access=Access.system(merchant), filters=filters or RatingFilters())
    ordered = base.order_by(*[c.order_expression() for c in columns])
    first = ordered[:26]
    sample = list(ordered.values_list(*[c.name for c in columns])[5000:5001])[0]
    deep = base.filter(after(columns, list(sample))).order_by(*[c.order_expression() for c in columns])[:26]
    return first, deep


@pytest.mark.django_db(transaction=True)  # the owner's fill is committed, then flushed
def test_inbox_orders_search_and_filters_are_index_scans(big_merchant, capsys):
    """One 200,000-rating fill, every EXPLAIN (the fill dominates the run time)."""
    from merchants.models import Branch

    with tenancy.tenant(big_merchant.pk):
        for ordering in sorted(ORDERINGS):
            check_order(big_merchant, ordering)
        check_name_search(big_merchant)
        branch = Branch.objects.filter(merchant=big_merchant).first()
        for queryset in first_and_deep_pages(big_merchant, "-created_at", RatingFilters(branch_id=branch.id)):
            plan = plan_of(queryset)
            print(f"\n--- branch filter\n{plan}")
            assert "Seq Scan on ratings_rating" not in plan, plan


def check_order(merchant, ordering):
    """INB-3 at scale: first page and a deep keyset page read an index in order, no Sort,
    for the inbox page and for the API's items (names by sub-selects)."""
    pages = [*first_and_deep_pages(merchant, ordering), *first_and_deep_pages(merchant, ordering, rows=rating_item_rows)]
    for queryset, label in zip(pages, ["", " (deep)", " (API)", " (API, deep)"], strict=True):
        plan = plan_of(queryset)
        print(f"\n--- {ordering}{label}\n{plan}")
        assert "Seq Scan on ratings_rating" not in plan, plan
        assert re.search(r"Index (Only )?Scan( Backward)? using rating_inbox_\w+ on ratings_rating", plan), plan
        assert not re.search(r"^\s*(->\s*)?Sort\b", plan, re.M), plan


def check_name_search(merchant):
    """INB-4 at scale: word-prefix search is index-driven whatever its selectivity.

    A common prefix ("per": a fifth of the customers) walks the inbox index and probes
    each customer's tokens; a rare one goes through customer_token_prefix first.
    """
    for query, index in (("per", "rating_inbox_created"), ("12345", "customer_token_prefix")):
        queryset = rating_list(access=Access.system(merchant), filters=RatingFilters(q=query)).order_by(
            *[c.order_expression() for c in ORDERINGS["-created_at"]]
        )[:26]
        plan = plan_of(queryset)
        print(f"\n--- search {query!r}\n{plan}")
        assert index in plan, plan
        for table in ("ratings_rating", "customers_customernametoken", "customers_customer"):
            assert f"Seq Scan on {table}" not in plan, plan
        rows = list(queryset)
        assert rows and all(any(w.startswith(query) for w in r.customer_name_key.split()) for r in rows)
