"""Single PostgreSQL next to the Citus cluster, in one run: same requests, same data (SCALE-2).

    CITUS_CLUSTER=../shared/citus/cluster .venv/bin/python bench/citus_compare.py

For each of the two servers — the PostgreSQL of DATABASE_URL and a fresh database on the Citus
cluster of ../shared/citus/cluster (migrated and distributed with `manage.py distribute`) — it
builds the same data through the API (BENCH_CITUS_PAIRS visit + rating pairs posted with an
integration key for the measured merchant, a quarter as many for a second one), then times the
same requests in-process (Django's test client, the full middleware and view stack, persistent
connections): ingestion of a pair, the inbox list, a rating's detail and the summary. On Citus
every statement of one request of each kind is EXPLAINed and its shard count noted. Prints a
Markdown table and writes it to docs/bench/citus.md. Needs the settings of the test run
(DJANGO_SETTINGS_MODULE=ratings_inbox.settings.test and its roles); both databases are dropped
at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratings_inbox.settings.test")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.services import api_token_create  # noqa: E402
from merchants import tenancy  # noqa: E402
from merchants.bootstrap import connect, drop_database, ensure_roles, ensure_roles_and_database  # noqa: E402
from merchants.distributable import citus_tables  # noqa: E402
from merchants.models import Branch, Membership  # noqa: E402
from merchants.services import api_key_create, merchant_create  # noqa: E402
from tests.scale import citus  # noqa: E402

PAIRS = int(os.environ.get("BENCH_CITUS_PAIRS", "400"))
SAMPLES = int(os.environ.get("BENCH_CITUS_SAMPLES", "300"))
NAME = "ri_bench_citus_compare"
OUT = Path(__file__).resolve().parent.parent / "docs" / "bench" / "citus.md"


def use(params: dict, name: str) -> None:
    for alias in connections:
        connections[alias].close()
        connections[alias].settings_dict.update(NAME=name, HOST=params["HOST"], PORT=params["PORT"],
                                                PASSWORD=params["PASSWORD"], CONN_MAX_AGE=600)


def prepare_single() -> None:
    ensure_roles_and_database(NAME)
    use(settings.DATABASE_ADMIN, NAME)
    call_command("migrate", database="owner", verbosity=0, interactive=False)


def prepare_citus(coordinator: dict) -> None:
    settings.DATABASE_ADMIN = coordinator
    conn = connect(coordinator, coordinator["NAME"])
    with conn.cursor() as cursor:
        ensure_roles(cursor)
    conn.close()
    citus.fresh_database(coordinator, NAME, settings.DATABASE_OWNER_ROLE)
    ensure_roles_and_database(NAME, maintenance=coordinator["NAME"])
    use(coordinator, NAME)
    call_command("migrate", database="owner", verbosity=0, interactive=False)
    call_command("distribute", verbosity=0)
    use(coordinator, NAME)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def visit(branch_id: int, n: int) -> dict:
    return {"branch": branch_id, "customer": {"external_id": f"C-{n % 97}", "full_name": f"Cliente {n % 97}",
                                              "email": f"c{n % 97}@example.com"},
            "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "invoice": {"number": f"F-{n}", "total": "45900.00", "currency": "COP",
                        "lines": [{"description": "Ajiaco", "quantity": 1, "unit_price": "45900",
                                   "line_total": "45900"}]}}


def merchant_with_clients(slug: str):
    merchant = merchant_create(slug=slug, name=slug, admin_email=f"admin@{slug}.example", admin_password="pass-1234",
                               timezone_name="America/Bogota", currency="COP", language="es")
    with tenancy.tenant(merchant.pk):
        branch_id = Branch.objects.filter(merchant=merchant).values_list("id", flat=True).first()
        admin = Membership.objects.select_related("user").get(merchant=merchant, role="admin").user
        _key, raw = api_key_create(merchant=merchant, name="POS")
    pos, member = APIClient(), APIClient()
    pos.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    member.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=admin)}")
    return merchant, branch_id, pos, member


def ingest(pos, merchant, branch_id: int, n: int) -> int:
    base = f"/api/v1/merchants/{merchant.slug}/"
    made = pos.post(base + "visits/", visit(branch_id, n), format="json")
    assert made.status_code == 201, made.content
    rating = pos.post(base + "ratings/", {"visit": made.json()["id"], "score": 1 + n % 10,
                                          "comment": None if n % 3 else f"comentario {n}"}, format="json")
    assert rating.status_code == 201, rating.content
    return rating.json()["id"]


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def shard_counts(merchant, request) -> list[int]:
    """Task Count of every statement of `request` that reads or writes a distributed table."""
    _reference, distributed = citus_tables(apps)
    touches = re.compile(r'\b(' + "|".join(distributed) + r')\b')
    with CaptureQueriesContext(connection) as captured:
        request()
    counts = []
    with tenancy.tenant(merchant.pk), transaction.atomic(), connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if touches.search(sql) and re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)", sql):
                cursor.execute("EXPLAIN (COSTS OFF) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                counts += [int(c) for c in re.findall(r"Task Count: (\d+)", plan)] or [0]
        transaction.set_rollback(True)
    return counts


def run(kind: str) -> dict:
    merchant, branch_id, pos, member = merchant_with_clients(f"bench-{kind}")
    other, other_branch, other_pos, _member = merchant_with_clients(f"bench-{kind}-otro")
    for n in range(PAIRS // 4):
        ingest(other_pos, other, other_branch, n)
    ingestion, ids = [], []
    for n in range(PAIRS):
        started = time.perf_counter()
        ids.append(ingest(pos, merchant, branch_id, n))
        ingestion.append((time.perf_counter() - started) * 1000)
    base = f"/api/v1/merchants/{merchant.slug}/ratings/"
    requests = {
        "list": lambda: member.get(base),
        "detail": lambda: member.get(f"{base}{ids[len(ids) // 2]}/"),
        "summary": lambda: member.get(base + "summary/"),
    }
    figures = {"ingestion pair": ingestion}
    for name, request in requests.items():
        assert request().status_code == 200
        for _ in range(20):
            request()
        figures[name] = [timed(request) for _ in range(SAMPLES)]
    plans = {}
    if kind == "citus":
        plans = {name: shard_counts(merchant, request) for name, request in requests.items()}
        plans["ingestion pair"] = shard_counts(merchant, lambda: ingest(pos, merchant, branch_id, PAIRS + 1))
    return {"figures": figures, "plans": plans, "pairs_per_s": 1000 / statistics.mean(ingestion)}


def main() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    if not citus.CLUSTER.exists():
        sys.exit(f"no Citus cluster script at {citus.CLUSTER} (set CITUS_CLUSTER)")
    single_admin = dict(settings.DATABASE_ADMIN)
    coordinator = citus.start()
    results = {}
    try:
        prepare_single()
        results["single"] = run("single")
        prepare_citus(coordinator)
        results["citus"] = run("citus")
    finally:
        for alias in connections:
            connections[alias].close()
        citus.drop_database(coordinator, NAME)
        settings.DATABASE_ADMIN = single_admin
        drop_database(NAME)
    lines = [f"Single PostgreSQL 15 vs Citus 13.2 (coordinator + 2 workers on this machine, 32 shards), "
             f"{PAIRS} rating pairs ingested for the measured merchant, {SAMPLES} timed requests each, "
             f"in-process (Django test client), {timezone.now():%Y-%m-%d %H:%M} UTC.", "",
             "| request | single p50 ms | single p95 ms | Citus p50 ms | Citus p95 ms | p95 ratio | shards per statement (Citus) |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for name in results["single"]["figures"]:
        one, dist = results["single"]["figures"][name], results["citus"]["figures"][name]
        shards = results["citus"]["plans"].get(name, [])
        lines.append(f"| {name} | {pct(one, 50):.1f} | {pct(one, 95):.1f} | {pct(dist, 50):.1f} | {pct(dist, 95):.1f}"
                     f" | {pct(dist, 95) / pct(one, 95):.2f} | {len(shards)} statements, "
                     f"{'all on 1 shard' if shards and set(shards) == {1} else shards} |")
    lines += ["", f"Ingestion, one client in-process: {results['single']['pairs_per_s']:.0f} pairs/s single node, "
                  f"{results['citus']['pairs_per_s']:.0f} pairs/s on Citus."]
    text = "\n".join(lines) + "\n"
    OUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
