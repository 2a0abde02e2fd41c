"""Shared fixtures: merchants, members, visits and ratings built through the real services."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import threading
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from merchants import tenancy
from merchants.services import api_key_create


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb):
    """The test database made as production's is (SEC-3): bootstrap_db's roles, ownership and
    grants, migrated by the owner; the tests then connect as the application role (and the
    sweeps' tests as the sweeper too), so row-level security applies to them as to the app.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from merchants.bootstrap import drop_database, ensure_roles_and_database

    name = settings.DATABASES["default"]["TEST"]["NAME"]
    with django_db_blocker.unblock():
        if not django_db_keepdb:
            drop_database(name)
        ensure_roles_and_database(name)
        for alias in connections:
            connections[alias].close()
            settings.DATABASES[alias]["NAME"] = connections[alias].settings_dict["NAME"] = name
        call_command("migrate", database="owner", verbosity=0, interactive=False)
        connections["owner"].close()
    bouncer = _through_pgbouncer(request.config, settings, connections)
    yield
    if bouncer is not None:
        for alias in connections:
            connections[alias].close()
        bouncer.stop()
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            for alias in connections:
                connections[alias].close()
            drop_database(name)


def pytest_addoption(parser):
    parser.addoption("--pgbouncer", action="store_true",
                     help="run the tests through a private PgBouncer in transaction pooling mode (SCALE-3)")


def _through_pgbouncer(config, settings, connections):
    """With --pgbouncer, the application's and the sweeper's connections go through PgBouncer in
    transaction mode, as production's do (DATABASE_POOLER); migrations went straight to PostgreSQL."""
    if not config.getoption("--pgbouncer"):
        return None
    from ratings_inbox.settings.base import POOLED_ALIASES, pooled
    from tests.pgbouncer import PgBouncer

    admin = settings.DATABASE_ADMIN
    bouncer = PgBouncer(host=admin["HOST"], port=admin["PORT"], pool_size=4,
                        users=[settings.DATABASES[alias]["USER"] for alias in connections]).start()
    for alias in POOLED_ALIASES:
        connections[alias].close()
        settings.DATABASES[alias] = connections[alias].settings_dict = pooled(
            connections[alias].settings_dict, f"127.0.0.1:{bouncer.port}")
    return bouncer


def _flush_as_owner(self):
    """After a transactional test the tables are emptied by the owner: TRUNCATE ignores
    row-level security, so the application role may not run it (SEC-3). Through the driver:
    no test lists the owner's alias among its databases."""
    from django.conf import settings
    from django.core.management.color import no_style
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connections

    from merchants.bootstrap import connect

    app = connections["default"]
    tables = app.introspection.django_table_names(only_existing=True, include_views=False)
    owner = settings.DATABASES["owner"]
    conn = connect(owner, owner["NAME"])
    with conn.cursor() as cursor:
        for statement in app.ops.sql_flush(no_style(), tables, allow_cascade=False):
            cursor.execute(statement)
    conn.close()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


def pytest_configure(config):
    from django.test import TransactionTestCase

    TransactionTestCase._fixture_teardown = _flush_as_owner


# Playwright's sync API runs its own event loop: two of them in one process clash, so every
# browser test shares this one Chromium, started on first use and closed at the end of the run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


# Chromium reports a policy violation in its own log, which Playwright's console events do not
# carry; the page's `securitypolicyviolation` event does, and an init script (exempt from the
# page's policy) turns it into a console error that names the blocked code.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Refused to ${event.effectiveDirective}: ${event.blockedURI || "inline"} `
                + `at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
}, true);
"""


class CspWatchedBrowser:
    """The shared Chromium, noting every Content-Security-Policy violation ("Refused to …") on any
    page of any context the tests open (SEC-4).

    Screenshots take caret="initial": hiding the caret writes a style attribute on every input and
    leaves an empty one behind, which htmx copies onto the input's replacement at its next swap,
    a violation of the harness's making, not the page's.
    """

    def __init__(self, browser):
        self._browser = browser
        self.csp_violations: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("console", self._console)
        return page

    def _console(self, message):
        if "Refused to" in message.text:
            self.csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                             args=CHROMIUM_ARGS)
        yield CspWatchedBrowser(browser)
        browser.close()


@pytest.fixture
def open_page(chromium, live_server, client):
    """open_page(user, width=1360, height=860) -> a logged-in Playwright page at the live server.

    The browser gets a session made with the test client, so no test spends time on the login
    form except the one that tests it."""
    contexts = []

    def open_(user, *, width=1360, height=860):
        client.force_login(user)
        context = chromium.new_context(viewport={"width": width, "height": height}, base_url=live_server.url,
                                      device_scale_factor=1)
        context.set_default_timeout(8000)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _no_login_failures():
    """Failed logins stay counted in Redis for 15 minutes (SEC-1): each test starts with none."""
    from django.conf import settings

    from ratings_inbox.redis_client import redis_client

    client = redis_client()
    pattern = f"{settings.CACHES['default']['KEY_PREFIX']}:lockout:*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Fails a browser test whose pages broke the Content-Security-Policy (SEC-4)."""
    yield
    if "chromium" not in request.fixturenames:
        return
    browser = request.getfixturevalue("chromium")
    violations = list(browser.csp_violations)
    browser.csp_violations.clear()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


_sequence = itertools.count(1)


def _in_merchants_tenant(method):
    """Runs a factory method inside its merchant's tenant, as requests and tasks run (TEN-4):
    outside one the application role sees and writes no merchant's rows."""

    @functools.wraps(method)
    def wrapper(self, merchant, *args, **kwargs):
        with tenancy.tenant(merchant.pk):
            return method(self, merchant, *args, **kwargs)

    return wrapper


class Factory:
    """Builds rows through the same services the product uses.

    One factory per test: ratings without a time are a minute apart, newest first, counted
    from this test's start (a counter shared by the whole run would push them days back).
    """

    def __init__(self):
        self._minutes = itertools.count(1)

    def merchant(self, slug=None, *, name=None, timezone_name="America/Bogota", currency="COP",
                 language="es", admin_email=None):
        from merchants.services import merchant_create

        n = next(_sequence)
        slug = slug or f"merchant-{n}"
        return merchant_create(
            slug=slug, name=name or f"Merchant {n}", admin_email=admin_email or f"admin-{slug}@example.com",
            admin_password="pass-1234", timezone_name=timezone_name, currency=currency, language=language,
        )

    @_in_merchants_tenant
    def admin(self, merchant):
        from merchants.models import Membership

        return Membership.objects.filter(merchant=merchant, role="admin").select_related("user").first().user

    @_in_merchants_tenant
    def member(self, merchant, role="staff", *, branches=None, email=None):
        from merchants.services import member_add

        email = email or f"{role}-{next(_sequence)}@example.com"
        membership = member_add(merchant=merchant, email=email, password="pass-1234", role=role,
                                branch_ids=[b.id for b in branches] if branches else None)
        return membership.user

    @_in_merchants_tenant
    def branch(self, merchant, name=None):
        from merchants.services import branch_create

        return branch_create(merchant=merchant, name=name or f"Branch {next(_sequence)}")

    @_in_merchants_tenant
    def customer(self, merchant, full_name="José Pérez", *, email="customer@example.com", external_id=None,
                 **extra):
        from customers.services import customer_upsert

        return customer_upsert(merchant=merchant, external_id=external_id or f"ext-{next(_sequence)}",
                               full_name=full_name, email=email, **extra)

    @_in_merchants_tenant
    def visit(self, merchant, *, customer=None, branch=None, visited_at=None, total="45900.00", lines=None):
        from customers.services import InvoiceLineInput
        from intake.services import visit_arrived
        from merchants.models import Branch

        customer = customer or self.customer(merchant)
        branch = branch or Branch.objects.filter(merchant=merchant).order_by("id").first()
        if lines is None:
            lines = [InvoiceLineInput("Bandeja paisa", Decimal("1"), Decimal(total), Decimal(total))]
        return visit_arrived(
            merchant=merchant, branch=branch, customer=customer,
            visited_at=visited_at or timezone.now() - dt.timedelta(hours=2),
            invoice_number=f"F-{next(_sequence)}", invoice_total=Decimal(total),
            currency=merchant.currency, lines=lines,
        )

    @_in_merchants_tenant
    def rating(self, merchant, score=8, comment=None, *, customer=None, branch=None, created_at=None,
               visited_at=None):
        from intake.services import rating_received

        created_at = created_at or timezone.now() - dt.timedelta(minutes=next(self._minutes))
        visit = self.visit(merchant, customer=customer, branch=branch,
                           visited_at=visited_at or created_at - dt.timedelta(hours=1))
        return rating_received(merchant=merchant, visit=visit, score=score, comment=comment,
                             created_at=created_at)


@pytest.fixture
def make(db):
    return Factory()


@pytest.fixture
def acting_for(db):
    """`acting_for(merchant)`: the test reads and writes as that merchant from then on, as a
    request or a task for it would (TEN-4; with none set the application sees no rows).

    TenantMiddleware clears the merchant when a request ends, as it must; so after each request
    the test client makes from this thread, the test's merchant is set again. That statement
    goes straight to the driver's connection: it is not one of the request's queries
    (django_assert_num_queries). `with tenancy.tenant(other.pk):` acts for another merchant
    for a while.
    """
    from django.core.signals import request_finished
    from django.db import connection

    thread = threading.get_ident()
    acting = {}

    def set_again(**kwargs):
        if acting and threading.get_ident() == thread:
            connection.tenant = (str(acting["id"]), "")
            with connection.connection.cursor() as cursor:
                for statement in connection.tenant_statements(*connection.tenant):
                    cursor.execute(statement)

    def act(merchant):
        acting["id"] = merchant.pk
        tenancy.set_tenant(merchant.pk)

    request_finished.connect(set_again, weak=False)
    yield act
    request_finished.disconnect(set_again)
    if acting:
        tenancy.clear_tenant()  # a transactional test's connection outlives the test


@pytest.fixture
def merchant(make, acting_for):
    """La Arepa Dorada, the merchant the test acts for."""
    merchant = make.merchant("la-arepa", name="La Arepa Dorada")
    acting_for(merchant)
    return merchant


@pytest.fixture
def other_merchant(make):
    return make.merchant("otro-comercio", name="Otro Comercio")


# --- The API's clients (every app's API tests): authenticated as a role or an integration key.
# The inbox page tests (tests/inbox/pages/) and the auto-reply page tests define their own
# admin_client: a logged-in browser session, not a token.

def base(merchant) -> str:
    return f"/api/v1/merchants/{merchant.slug}/"


@pytest.fixture
def client_for(db):
    """client_for(user) or client_for(api_key=raw_key): an APIClient with those credentials."""

    def build(user=None, *, api_key=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
        elif api_key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
        return client

    return build


@pytest.fixture
def admin_client(make, merchant, client_for):
    return client_for(make.admin(merchant))


@pytest.fixture
def api_key(merchant):
    _key, raw = api_key_create(merchant=merchant, name="POS")
    return raw
