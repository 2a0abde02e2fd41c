"""Tenancy (PRODUCT.md §1): row-level security as the second wall, and 404 across merchants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from merchants import tenancy


def tenant_tables() -> list[str]:
    """Every table whose rows carry merchant_id (TEN-1), whichever app added it."""
    from django.apps import apps

    return sorted(
        model._meta.db_table for model in apps.get_models()
        if any(f.column == "merchant_id" for f in model._meta.concrete_fields)
    )


TENANT_TABLES = tenant_tables()


def populate(make, merchant):
    """At least one row of this merchant in every tenant table."""
    from autoreply.services import autoreply_set_enabled
    from gifts.models import Gift, GiftGrant, PointsEntry
    from merchants.services import api_key_create
    from ratings.services import quick_reply_create, rating_reply

    branch = make.branch(merchant)
    make.member(merchant, "staff", branches=[branch])
    rating = make.rating(merchant, score=4, comment="Muy lento")
    with tenancy.tenant(merchant.pk):
        rating_reply(merchant=merchant, rating=rating, author=make.admin(merchant), body="Lo sentimos")
        quick_reply_create(merchant=merchant, title="Gracias", body="¡Gracias por venir!")
        api_key_create(merchant=merchant, name="POS")
        autoreply_set_enabled(merchant=merchant, enabled=True)
        gift = Gift.objects.create(merchant=merchant, name="Café", kind="product", product_name="Tinto",
                                   validity_days=10)
        now = timezone.now()
        grant = GiftGrant.objects.create(
            merchant=merchant, gift=gift, customer=rating.customer, rating=rating,
            code="GRNT" + "".join("23456789AB"[int(d)] for d in f"{merchant.pk:04d}"),
            granted_at=now, expires_at=now + dt.timedelta(days=10),
        )
        PointsEntry.objects.create(merchant=merchant, customer=rating.customer, grant=grant, points=10,
                                   balance_after=10, reason="test")
    return rating


@pytest.fixture
def two_populated(make, merchant, other_merchant):
    populate(make, merchant)
    populate(make, other_merchant)
    return merchant, other_merchant


def table_merchants(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT merchant_id FROM {table}")  # no merchant filter on purpose
        return [row[0] for row in cursor.fetchall()]


def test_application_role_is_not_superuser_and_cannot_bypass_rls(db):
    """TEN-4: the app connects as a role that RLS applies to, and every tenant table has it (FORCE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND NOT (relrowsecurity AND relforcerowsecurity)",
            [TENANT_TABLES],
        )
        assert cursor.fetchall() == []


def test_policies_read_the_tenant_once_per_statement(db, make, merchant):
    """TEN-4 at speed: every policy compares with an InitPlan parameter, not a per-row call.

    A bare current_setting() in a policy runs for every row a query touches (the bench's
    name search: twice the time of the same query without row-level security).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, policyname, qual FROM pg_policies WHERE tablename = ANY(%s)",
                       [TENANT_TABLES])
        policies = cursor.fetchall()
    assert {table for table, _name, _qual in policies} == set(TENANT_TABLES)
    assert [(t, n) for t, n, qual in policies if "(SELECT" not in qual.replace("( SELECT", "(SELECT")] == []
    make.rating(merchant, score=3)
    with tenancy.tenant(merchant.pk), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (COSTS OFF) SELECT id FROM ratings_rating WHERE score < 5")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "InitPlan" in plan and "current_setting" not in plan.split("InitPlan")[0]


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_raw_select_without_filter_sees_only_current_merchant(two_populated, table):
    """TEN-4: a query that forgets the merchant still returns only that merchant's rows."""
    merchant, other = two_populated
    with tenancy.tenant(merchant.pk):
        seen = table_merchants(table)
    assert seen and set(seen) == {merchant.pk}
    with tenancy.tenant(other.pk):
        assert set(table_merchants(table)) == {other.pk}


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_raw_select_with_no_merchant_set_returns_nothing(two_populated, table):
    """TEN-4, SEC-3: outside a request or task for a merchant, the application sees no row."""
    tenancy.clear_tenant()
    assert table_merchants(table) == []


def test_cannot_write_a_row_for_another_merchant(two_populated):
    merchant, other = two_populated
    with tenancy.tenant(merchant.pk):
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO ratings_quickreply (merchant_id, title, body, created_at)"
                    " VALUES (%s, 'x', 'y', now())", [other.pk],
                )


def test_user_sees_own_memberships_before_choosing_a_merchant(two_populated, make):
    from merchants.models import Membership
    from merchants.selectors import memberships_of_user

    merchant, other = two_populated
    user = make.admin(merchant)
    tenancy.set_user(user.pk)
    try:
        assert [m.merchant_id for m in memberships_of_user(user)] == [merchant.pk]
        assert Membership.objects.filter(merchant=other).count() == 0
    finally:
        tenancy.clear_tenant()


def merchant_url_patterns():
    """Every route of the project that names a merchant, with its HTTP-visible path template."""

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "merchant_slug" in route:
                yield route

    return sorted(set(walk(get_resolver().url_patterns, "")))


def fill(route: str, slug: str, some_id: int) -> str:
    import re

    path = route.replace("<slug:merchant_slug>", slug).replace("<str:merchant_slug>", slug)
    path = re.sub(r"<(int|str|slug|path):\w+>", str(some_id), path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", str(some_id), path)
    return "/" + path.lstrip("^").replace("\\Z", "").replace("$", "").replace("\\.", ".")


def test_member_of_a_gets_404_for_every_url_of_b(two_populated, client, make):
    """TEN-3: another merchant's pages and API answer 404 — never 403, never data."""
    merchant, other = two_populated
    client.force_login(make.member(merchant, "admin"))
    from ratings.models import Rating

    with tenancy.tenant(other.pk):
        other_rating_id = Rating.objects.filter(merchant=other).values_list("id", flat=True).first()
    routes = merchant_url_patterns()
    assert routes, "no merchant URLs found"
    for route in routes:
        path = fill(route, other.slug, other_rating_id)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 404, f"{method.upper()} {path} -> {response.status_code}"


def test_unknown_merchant_is_404(client, make, merchant):
    client.force_login(make.admin(merchant))
    assert client.get("/m/no-such-merchant/inbox/").status_code == 404


def test_tenant_setting_is_cleared_after_each_request(client, make):
    """A pooled connection never carries a merchant over to the next request."""
    shop = make.merchant()  # not the `merchant` fixture: the test acts for no merchant
    client.force_login(make.admin(shop))
    client.get(f"/m/{shop.slug}/inbox/")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.merchant_id', true)")
        assert cursor.fetchone()[0] in ("", None)


def test_non_member_is_redirected_to_login_when_anonymous(client, merchant):
    response = client.get(f"/m/{merchant.slug}/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_integrity_error_is_raised_for_cross_merchant_reference(make, merchant, other_merchant):
    """Composite keys: a visit cannot use another merchant's branch."""
    from customers.models import Visit
    from merchants.models import Branch

    customer = make.customer(merchant)
    with tenancy.tenant(other_merchant.pk):
        foreign_branch = Branch.objects.filter(merchant=other_merchant).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        Visit.objects.create(merchant=merchant, branch=foreign_branch, customer=customer,
                             visited_at=timezone.now(), invoice_number="X-1", invoice_total=1, currency="COP")


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
def test_platform_operator_admin_sees_every_merchant(two_populated, client, django_user_model):
    """Operators use the Django admin across tenants, reading as the sweeper role (SEC-3);
    merchants' own pages stay scoped."""
    operator = django_user_model.objects.create_superuser(email="ops@example.com", password="pw-12345")
    client.force_login(operator)
    response = client.get("/admin/ratings/rating/")
    assert response.status_code == 200
    merchant, other = two_populated
    assert merchant.name in response.content.decode() and other.name in response.content.decode()
    with tenancy.tenant(other.pk):
        from ratings.models import Rating

        rating = Rating.objects.select_related("customer").get(comment="Muy lento")
    detail = client.get(f"/admin/ratings/rating/{rating.pk}/change/")
    assert detail.status_code == 200
    assert rating.customer.full_name in detail.content.decode() and "Lo sentimos" in detail.content.decode()
    assert client.get("/admin/merchants/membership/").status_code == 200
    # Read-only: operators change nothing of a merchant's rows here (the sweeper cannot write).
    assert client.post(f"/admin/ratings/rating/{rating.pk}/change/", {"score": 1}).status_code == 403


def test_healthz_checks_database_and_redis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
