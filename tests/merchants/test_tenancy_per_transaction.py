"""The merchant is set per transaction and nothing stays on the session (SCALE-3, TEN-4).

Transactional tests: requests and tasks run as in production, each in transactions of their own,
not inside a test's transaction. Each runs straight against PostgreSQL and again through a private
PgBouncer in transaction pooling mode with a single server connection, which every client shares
(marker `pgbouncer`): whatever one transaction left on that connection, the next client would find.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from accounts.services import api_token_create
from merchants import tenancy
from merchants.bootstrap import connect
from ratings_inbox.settings.base import POOLED_ALIASES, pooled
from tests.pgbouncer import PgBouncer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def bouncer():
    from django.conf import settings as django_settings

    admin = django_settings.DATABASE_ADMIN
    started = PgBouncer(host=admin["HOST"], port=admin["PORT"], pool_size=1,
                        users=[django_settings.DATABASES[a]["USER"] for a in django_settings.DATABASES]).start()
    yield started
    started.stop()


@pytest.fixture(params=["postgres", pytest.param("pgbouncer", marks=pytest.mark.pgbouncer)])
def route(request, django_db_setup):
    """The application's connections straight to PostgreSQL, or through PgBouncer."""
    if request.param == "postgres":
        yield connections["default"].settings_dict
        return
    bouncer = request.getfixturevalue("bouncer")
    saved = {alias: connections[alias].settings_dict for alias in POOLED_ALIASES}
    for alias in POOLED_ALIASES:
        connections[alias].close()
        connections[alias].settings_dict = pooled(saved[alias], f"127.0.0.1:{bouncer.port}")
    yield connections["default"].settings_dict
    for alias in POOLED_ALIASES:
        connections[alias].close()
        connections[alias].settings_dict = saved[alias]


def another_client(route) -> tuple[str, str, int]:
    """A second application session on the same route: with PgBouncer, on the same server connection."""
    conn = connect(route, route["NAME"])
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.merchant_id', true), current_setting('app.user_id', true),"
                       " (SELECT count(*) FROM ratings_rating)")
        found = cursor.fetchone()
    conn.close()
    return (found[0] or "", found[1] or "", found[2])


def own_session_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:  # autocommit, no tenant chosen: the session itself
        cursor.execute("SELECT current_setting('app.merchant_id', true), current_setting('app.user_id', true)")
        return tuple(value or "" for value in cursor.fetchone())


def test_a_request_reads_its_merchant_and_leaves_nothing_on_the_session_scale3(route, make):
    shop = make.merchant()
    rating = make.rating(shop, 4, "Frío")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=make.admin(shop))}")
    base = f"/api/v1/merchants/{shop.slug}/ratings/"
    listed = client.get(base)
    assert listed.status_code == 200 and [row["id"] for row in listed.json()["results"]] == [rating.pk]
    assert client.get(f"{base}{rating.pk}/").json()["id"] == rating.pk
    assert client.get(f"{base}summary/").status_code == 200
    assert connection.tenant is None
    assert own_session_settings() == ("", "")
    assert another_client(route) == ("", "", 0)


def test_a_task_acts_per_transaction_and_its_writes_commit_as_they_go_scale3(route, make):
    """As the outbox's claim: a transaction inside tenant() commits on its own, before the block ends,
    and statements outside any transaction still read as the merchant."""
    from ratings.models import QuickReply, Rating

    shop, other = make.merchant(), make.merchant()
    make.rating(shop, 9)
    make.rating(other, 2)
    with tenancy.tenant(shop.pk):
        assert list(Rating.objects.values_list("merchant_id", flat=True)) == [shop.pk]  # autocommit
        with transaction.atomic():
            QuickReply.objects.create(merchant=shop, title="Gracias", body="¡Gracias!")
        owner = connect(settings.DATABASES["owner"], route["NAME"])  # BYPASSRLS: sees what is committed
        with owner.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM ratings_quickreply WHERE merchant_id = %s", [shop.pk])
            assert cursor.fetchone()[0] == 1
        owner.close()
        with tenancy.tenant(other.pk):
            assert list(Rating.objects.values_list("merchant_id", flat=True)) == [other.pk]
        assert Rating.objects.get().merchant_id == shop.pk
    assert connection.tenant is None
    assert Rating.objects.count() == 0
    assert own_session_settings() == ("", "")
    assert another_client(route) == ("", "", 0)


def test_a_failed_transaction_inside_a_tenant_block_leaves_no_merchant_behind_scale3(route, make):
    from django.db import IntegrityError

    from ratings.models import Rating

    shop = make.merchant()
    make.rating(shop, 7)
    with pytest.raises(IntegrityError), tenancy.tenant(shop.pk), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO ratings_quickreply (merchant_id, title, body, created_at)"
                           " VALUES (%s, NULL, 'y', now())", [shop.pk])
    assert connection.tenant is None
    assert Rating.objects.count() == 0
    assert another_client(route) == ("", "", 0)


@pytest.mark.pgbouncer
def test_pgbouncer_hands_a_session_setting_to_the_next_client_scale3(bouncer, django_db_setup):
    """Why the tenant is never set on the session: in transaction pooling mode what one client sets
    with set_config(…, false) the next client on that server connection reads (pool of one here)."""
    route = pooled(connections["default"].settings_dict, f"127.0.0.1:{bouncer.port}")
    first = connect(route, route["NAME"])
    with first.cursor() as cursor:
        cursor.execute("SELECT set_config('app.merchant_id', '424242', false)")
    first.close()
    assert another_client(route)[0] == "424242"
    reset = connect(route, route["NAME"])
    with reset.cursor() as cursor:
        cursor.execute("RESET app.merchant_id")
    reset.close()
