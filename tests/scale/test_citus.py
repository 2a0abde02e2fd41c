"""The application on a real Citus cluster: schema distributed by merchant, queries on one shard (SCALE-2, SCALE-3).

Starts ../shared/citus/cluster (CITUS_CLUSTER; built once, about two minutes, then reused), makes a
fresh database on it, migrates and distributes it (`manage.py distribute`), then runs the tenancy
checks and the API's paths against it as the application role, in transactions of their own as in
production: row-level security on the workers' shards, the merchant reaching them by SET LOCAL.
EXPLAIN shows that the statements of the inbox list, detail, summary and ingestion are router
plans, each touching one shard.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from merchants import tenancy
from merchants.distributable import citus_tables
from tests.scale import citus

pytestmark = [
    pytest.mark.citus,
    pytest.mark.skipif(not citus.CLUSTER.exists(),
                       reason=f"no Citus cluster script at {citus.CLUSTER} (set CITUS_CLUSTER)"),
]
REFERENCE, DISTRIBUTED = citus_tables(apps)
SHARDS = 4


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    """Every alias on a fresh database of the coordinator, migrated and distributed."""
    from merchants.bootstrap import connect, ensure_roles, ensure_roles_and_database

    coordinator = citus.start()
    name = settings.DATABASES["default"]["TEST"]["NAME"] + "_citus"
    saved_admin = settings.DATABASE_ADMIN
    saved = {alias: dict(connections[alias].settings_dict) for alias in connections}
    with django_db_blocker.unblock():
        for alias in connections:
            connections[alias].close()
        settings.DATABASE_ADMIN = coordinator
        conn = connect(coordinator, coordinator["NAME"])
        with conn.cursor() as cursor:
            ensure_roles(cursor)  # from the database with the extension: the workers get them too
        conn.close()
        citus.fresh_database(coordinator, name, settings.DATABASE_OWNER_ROLE)
        ensure_roles_and_database(name, maintenance=coordinator["NAME"])
        for alias in connections:
            connections[alias].settings_dict.update(NAME=name, HOST=coordinator["HOST"], PORT=coordinator["PORT"],
                                                    PASSWORD="")
        call_command("migrate", database="owner", verbosity=0, interactive=False)
        call_command("distribute", shard_count=SHARDS, verbosity=0)
        for alias in connections:  # new sessions take the database's citus.propagate_set_commands
            connections[alias].close()
    yield coordinator
    with django_db_blocker.unblock():
        for alias in connections:
            connections[alias].close()
            connections[alias].settings_dict.clear()
            connections[alias].settings_dict.update(saved[alias])
        settings.DATABASE_ADMIN = saved_admin
        citus.drop_database(coordinator, name)


@pytest.fixture
def on_citus(cluster, transactional_db):
    return cluster


def shop(make, slug):
    merchant = make.merchant(slug)
    return merchant, make.admin(merchant)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_tenant_tables_are_distributed_by_merchant_and_colocated_the_rest_reference_scale2(cluster):
    with connection.cursor() as cursor:
        cursor.execute("SELECT logicalrelid::regclass::text, partmethod, column_to_column_name(logicalrelid, partkey),"
                       " colocationid FROM pg_dist_partition")
        tables = {row[0]: row[1:] for row in cursor.fetchall()}
    assert {t for t, (method, _c, _g) in tables.items() if method == "h"} == set(DISTRIBUTED)
    assert {t for t, (method, _c, _g) in tables.items() if method == "n"} == set(REFERENCE)
    assert {tables[t][1] for t in DISTRIBUTED} == {"merchant_id"}
    assert len({tables[t][2] for t in DISTRIBUTED}) == 1, "all tenant tables co-located"
    assert "ratings_rating" in DISTRIBUTED and {"merchants_merchant", "accounts_user"} <= set(REFERENCE)
    call_command("distribute", database="owner", verbosity=0)  # idempotent: nothing to do


def test_row_level_security_holds_on_the_workers_shards_ten4_scale3(on_citus, make):
    """The tenancy checks: each merchant sees only its rows in every tenant table, nothing without one."""
    from tests.merchants.test_tenancy import TENANT_TABLES, populate, table_merchants

    first, _ = shop(make, "primero")
    second, _ = shop(make, "segundo")
    populate(make, first)
    populate(make, second)
    for table in TENANT_TABLES:
        with tenancy.tenant(first.pk):
            assert set(table_merchants(table)) == {first.pk}, table
        with tenancy.tenant(second.pk), transaction.atomic():
            assert set(table_merchants(table)) == {second.pk}, table
        assert table_merchants(table) == [], table
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT result FROM run_command_on_shards('ratings_rating',"
                       " $$SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = '%s'::regclass$$)")
        assert cursor.fetchall() == [("t",)]


def _visit_payload(branch_id: int, number: str) -> dict:
    return {"branch": branch_id, "customer": {"external_id": f"C-{number}", "full_name": "Ana Gómez",
                                              "email": "ana@example.com"},
            "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "invoice": {"number": number, "total": "45900.00", "currency": "COP",
                        "lines": [{"description": "Ajiaco", "quantity": 1, "unit_price": "45900",
                                   "line_total": "45900"}]}}


def _ingest(client, merchant, branch_id: int, number: str, score: int, comment: str | None) -> dict:
    base = f"/api/v1/merchants/{merchant.slug}/"
    visit = client.post(base + "visits/", _visit_payload(branch_id, number), format="json")
    assert visit.status_code == 201, visit.content
    rating = client.post(base + "ratings/", {"visit": visit.json()["id"], "score": score, "comment": comment},
                         format="json")
    assert rating.status_code == 201, rating.content
    return rating.json()


def test_the_api_paths_work_on_citus_scale2(on_citus, make):
    """List, detail, summary, ingestion (integration key), reply, gift and auto-reply on the cluster."""
    from autoreply.tasks import autoreply_decide
    from merchants.models import Branch
    from merchants.services import api_key_create
    from notifications.models import OutgoingEmail
    from notifications.tasks import email_send
    from ratings.models import Message, Rating

    merchant, admin = shop(make, "arepa")
    other, _ = shop(make, "otro")
    with tenancy.tenant(merchant.pk):
        branch_id = Branch.objects.filter(merchant=merchant).values_list("id", flat=True).first()
        _key, raw = api_key_create(merchant=merchant, name="POS")
    pos = APIClient()
    pos.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    client = token_client(admin)
    base = f"/api/v1/merchants/{merchant.slug}/"
    assert client.put(base + "autoreply/", {"enabled": True, "delay_minutes": 1}, format="json").status_code == 200
    low = _ingest(pos, merchant, branch_id, "F-1", 3, "Frío")
    high = _ingest(pos, merchant, branch_id, "F-2", 9, "Muy bien")
    listed = client.get(base + "ratings/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [high["id"], low["id"]]
    assert client.get(base + f"ratings/{low['id']}/").json()["score"] == 3
    summary = client.get(base + "ratings/summary/")
    assert summary.status_code == 200 and summary.json()["total_ratings"] == 2, summary.content
    reply = client.post(base + f"ratings/{low['id']}/messages/", {"body": "Lo sentimos"}, format="json")
    assert reply.status_code == 201, reply.content
    gift = client.post(base + "gifts/", {"name": "Café", "kind": "product", "product_name": "Tinto",
                                         "validity_days": 10}, format="json")
    assert gift.status_code == 201, gift.content
    granted = client.post(base + f"ratings/{low['id']}/gifts/", {"gift": gift.json()["id"]}, format="json")
    assert granted.status_code == 201, granted.content
    detractor = _ingest(pos, merchant, branch_id, "F-3", 2, None)  # AR-3: a silent detractor
    with tenancy.tenant(merchant.pk):
        Rating.objects.filter(merchant=merchant, pk=detractor["id"]).update(autoreply_due_at=timezone.now())
    assert autoreply_decide(detractor["id"], merchant.pk) == "sent"  # as the worker runs it
    with tenancy.tenant(merchant.pk):
        kinds = sorted(Message.objects.filter(merchant=merchant).values_list("author_kind", flat=True))
        emails = list(OutgoingEmail.objects.filter(merchant=merchant).values_list("id", flat=True))
    assert "staff" in kinds and "auto_reply" in kinds
    # the reply, the gift and the auto-reply, each claimed and sent as the worker does
    assert [email_send(e, merchant.pk) for e in sorted(emails)] == ["sent", "sent", "sent"]
    other_client = token_client(make.admin(other))
    assert other_client.get(f"/api/v1/merchants/{other.slug}/ratings/").json()["results"] == []
    assert other_client.get(f"/api/v1/merchants/{other.slug}/ratings/{low['id']}/").status_code == 404


def _plans(statements: list[str]) -> dict[str, str]:
    """EXPLAIN of each captured statement that reads or writes a distributed table."""
    pattern = re.compile(r'"(' + "|".join(DISTRIBUTED) + r')"|\b(' + "|".join(DISTRIBUTED) + r')\b')
    plans = {}
    with connection.cursor() as cursor:
        for statement in statements:
            if not pattern.search(statement) or not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)", statement):
                continue
            cursor.execute("EXPLAIN (COSTS OFF) " + statement)
            plans[statement] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def _one_shard(plan: str) -> bool:
    counts = re.findall(r"Task Count: (\d+)", plan)
    return bool(counts) and all(count == "1" for count in counts)


def test_inbox_list_detail_summary_and_ingestion_are_router_queries_on_one_shard_scale2(on_citus, make):
    from merchants.models import Branch
    from merchants.services import api_key_create

    merchant, admin = shop(make, "arepa")
    with tenancy.tenant(merchant.pk):
        branch_id = Branch.objects.filter(merchant=merchant).values_list("id", flat=True).first()
        _key, raw = api_key_create(merchant=merchant, name="POS")
    pos = APIClient()
    pos.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    client = token_client(admin)
    base = f"/api/v1/merchants/{merchant.slug}/"
    rating = _ingest(pos, merchant, branch_id, "F-0", 4, "Lento")
    requests = {
        "ingestion": lambda: _ingest(pos, merchant, branch_id, "F-9", 7, "Bien"),
        "list": lambda: client.get(base + "ratings/"),
        "detail": lambda: client.get(base + f"ratings/{rating['id']}/"),
        "summary": lambda: client.get(base + "ratings/summary/"),
    }
    evidence = {}
    for name, request in requests.items():
        with CaptureQueriesContext(connection) as captured:
            request()
        with tenancy.tenant(merchant.pk), transaction.atomic():
            plans = _plans([q["sql"] for q in captured.captured_queries])
            transaction.set_rollback(True)
        assert plans, name
        evidence[name] = plans
    fanned_out = {name: [s for s, plan in plans.items() if not _one_shard(plan)] for name, plans in evidence.items()}
    assert fanned_out == {name: [] for name in evidence}, "\n\n".join(
        f"{name}: {s}\n{evidence[name][s]}" for name, statements in fanned_out.items() for s in statements)
