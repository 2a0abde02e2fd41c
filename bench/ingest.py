"""Ingestion (issue 13): a point-of-sale chain posting visit + rating pairs with integration keys.

A pair is `POST visits/` then `POST ratings/` for that visit, each with an `Api-Key`, as API.md has it.
The pairs mix returning customers (two in three, from the merchant's own customers, so their rollups,
funnels and earlier detractors move) with new ones; a third of the ratings have a comment, a
quarter are detractors (their case opens, the auto-reply is scheduled, the staff who asked for it
are e-mailed through the outbox).

  - profile(): in-process (Django's test client, the whole middleware and view stack): the time of
    each pair and of each of its statements (CaptureQueriesContext), the statements grouped by what
    they do, where the Python time goes (cProfile), and each statement's plan under EXPLAIN ANALYZE
    with its deferred foreign-key checks made immediate, so that their trigger time shows;
  - over_http(): THREADS client threads posting pairs to the bench's gunicorn: pairs/s and the
    p50/p95 of a pair.

`bench/run.py` runs both when BENCH_ONLY selects "ingest"; alone:

    .venv/bin/python bench/ingest.py        # the in-process profile of the bench database
"""

from __future__ import annotations

import cProfile
import datetime as dt
import http.client
import io
import json
import os
import pstats
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAIRS = int(os.environ.get("BENCH_INGEST_PAIRS", "2000"))  # over HTTP
PROFILED = int(os.environ.get("BENCH_INGEST_PROFILED", "200"))  # in-process
THREADS = 4
# The API allows 1,200 requests a minute per integration key (10 pairs/s): the bench rotates
# through keys as a chain's tills would each have their own.
KEYS = 30
WARMUP = 20
# The scores of a day at a till: a quarter detractors (1-6), as the bench data has them.
SCORES = (10, 9, 3, 8, 10, 7, 9, 5, 10, 8, 1, 9)
NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
SAVEPOINT = re.compile(r'"s\d+_x\d+"')
QUOTED = re.compile(r"'(?:[^']|'')*'")
COMMIT = re.compile(r"method 'commit' of 'psycopg2|Connection\.commit")
TIMINGS = re.compile(r"(Planning|Execution) Time: ([0-9.]+) ms")
TRIGGER = re.compile(r"Trigger (?:for constraint )?(\S+)(?: on \S+)?: time=([0-9.]+) calls=(\d+)")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


@dataclass
class Chain:
    """The merchant posting, its integration keys, branches and returning customers."""

    slug: str
    keys: list[str]
    branches: list[int]
    customers: list[tuple[str, str, str | None]]  # (external_id, full_name, email) of known customers
    run: str = field(default_factory=lambda: f"{int(time.time() * 1000):x}")

    def pair(self, n: int) -> tuple[dict, dict]:
        """The visit and the rating (without its visit id) of the n-th pair."""
        if n % 3 and self.customers:
            external_id, name, email = self.customers[(n * 7919) % len(self.customers)]
        else:
            external_id, name, email = f"ING-{self.run}-{n}", f"Cliente Nuevo {n}", f"ing-{self.run}-{n}@example.com"
        score = SCORES[n % len(SCORES)]
        visit = {
            "branch": self.branches[n % len(self.branches)],
            "customer": {"external_id": external_id, "full_name": name, "email": email},
            "visited_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)).isoformat(),
            "invoice": {"number": f"ING-{self.run}-{n}", "total": "45900.00", "currency": "COP",
                        "lines": [{"description": "Ajiaco", "quantity": "1", "unit_price": "45900",
                                   "line_total": "45900"}]},
        }
        rating = {"score": score, "comment": f"Comentario {n}: todo bien" if n % 3 == 0 else None}
        return visit, rating


def chain_for(merchant) -> Chain:
    """KEYS new integration keys of the merchant (created as an admin would), its branches and
    known customers."""
    from customers.models import Customer
    from merchants import tenancy
    from merchants.models import Branch
    from merchants.services import api_key_create

    with tenancy.tenant(merchant.pk):
        keys = [api_key_create(merchant=merchant, name=f"bench ingest {i}")[1] for i in range(KEYS)]
        branches = list(Branch.objects.filter(merchant=merchant, is_active=True).values_list("id", flat=True))
        customers = list(Customer.objects.filter(merchant=merchant, external_id__isnull=False)
                         .order_by("id").values_list("external_id", "full_name", "email")[:5000])
    return Chain(slug=merchant.slug, keys=keys, branches=branches, customers=customers)


# --- in-process ----------------------------------------------------------------------------------
def shape(sql: str) -> str:
    """A statement without its values: the statements of many pairs group by what they do."""
    text = SAVEPOINT.sub("?", sql)
    text = QUOTED.sub("?", text)
    text = NUMBER.sub("?", text)
    text = re.sub(r"\(\?(, \?)*\)", "(…)", text)
    text = re.sub(r"ARRAY\[[^\]]*\]", "ARRAY[…]", text)
    return " ".join(text.split())


@dataclass
class Profile:
    pairs: list[float] = field(default_factory=list)  # ms per pair
    visits: list[float] = field(default_factory=list)
    ratings: list[float] = field(default_factory=list)
    statements: dict[str, list[int]] = field(default_factory=dict)  # request -> statements per call
    sql_ms: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))  # (request, shape)
    round_trips: dict[str, list[int]] = field(default_factory=dict)  # request -> messages sent per call
    python: list[tuple[str, float, int]] = field(default_factory=list)  # (function, own ms per pair, calls)
    commit_ms: float = 0.0
    plans: list[tuple[str, str, float, float, list[tuple[str, float]]]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU ms per pair: this process, its PostgreSQL backend

    def sql_per_pair(self) -> float:
        return sum(sum(v) for v in self.sql_ms.values()) / max(1, len(self.pairs))


def _client(chain: Chain, index: int):
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Api-Key {chain.keys[index % len(chain.keys)]}", HTTP_HOST="127.0.0.1")


def _post(client, path: str, body: dict):
    response = client.post(path, json.dumps(body), content_type="application/json")
    if response.status_code != 201:
        raise RuntimeError(f"{path}: HTTP {response.status_code} {response.content[:300]!r}")
    return response.json()


def post_pair(client, chain: Chain, n: int) -> tuple[float, float]:
    base = f"/api/v1/merchants/{chain.slug}/"
    visit, rating = chain.pair(n)
    started = time.perf_counter()
    made = _post(client, base + "visits/", visit)
    middle = time.perf_counter()
    _post(client, base + "ratings/", {**rating, "visit": made["id"]})
    return (middle - started) * 1000, (time.perf_counter() - middle) * 1000


def _own_time(stats: pstats.Stats, pairs: int) -> list[tuple[str, float, int]]:
    rows = []
    for (filename, line, name), (_cc, calls, tottime, _ct, _callers) in stats.stats.items():
        short = filename.split("site-packages/")[-1].split("/work/wt/")[-1]
        rows.append((f"{short}:{line}({name})", tottime * 1000 / pairs, calls // pairs))
    return sorted(rows, key=lambda r: -r[1])


try:  # the savepoints that travel with the next statement (issue 13); a checkout before it has none
    from ratings_inbox.postgres.savepoints import Cursor as _SendingCursor
except ImportError:
    _SendingCursor = None
sending = _SendingCursor is not None


@contextmanager
def _sent():
    """The messages sent to the server inside the block (each statement is one without the module)."""
    sent: list[str] = []
    if _SendingCursor is None:
        yield sent
        return
    original = _SendingCursor._send

    def counting(cursor, query, vars):
        sent.append(query)
        return original(cursor, query, vars)

    _SendingCursor._send = counting
    try:
        yield sent
    finally:
        _SendingCursor._send = original


@contextmanager
def _timed():
    """(statement, ms) of every statement run through Django's cursors inside the block, timed to the
    microsecond (the query log keeps milliseconds); BEGIN and COMMIT are not statements of a cursor."""
    from django.db import connection

    times: list[tuple[str, float]] = []

    def timing(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times.append((sql, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(timing):
        yield times


def profile(chain: Chain, pairs: int = PROFILED) -> Profile:
    """Posts WARMUP + pairs pairs in-process; times and statements of the last `pairs`, then the
    plans of one more pair."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Profile()
    client = _client(chain, 0)
    offset = 10**6  # in-process pairs never share an invoice number with the HTTP run's
    for n in range(WARMUP):
        post_pair(client, chain, offset + n)
    base = f"/api/v1/merchants/{chain.slug}/"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu_before = (time.process_time() * 1000, _cpu_ms([backend]))
    for n in range(WARMUP, WARMUP + pairs):
        visit, rating = chain.pair(offset + n)
        connection.queries_log.clear()  # a full log (9,000 statements) would capture nothing more
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as visit_sql, _sent() as visit_trips, _timed() as visit_times:
            made = _post(client, base + "visits/", visit)
        middle = time.perf_counter()
        with CaptureQueriesContext(connection) as rating_sql, _sent() as rating_trips, _timed() as rating_times:
            _post(client, base + "ratings/", {**rating, "visit": made["id"]})
        ended = time.perf_counter()
        result.visits.append((middle - started) * 1000)
        result.ratings.append((ended - middle) * 1000)
        result.pairs.append((ended - started) * 1000)
        for request, captured, trips, times in (("visit", visit_sql, visit_trips, visit_times),
                                                ("rating", rating_sql, rating_trips, rating_times)):
            result.statements.setdefault(request, []).append(len(captured.captured_queries))
            result.round_trips.setdefault(request, []).append(len(trips) if sending else len(captured.captured_queries))
            for sql, ms in times:
                result.sql_ms[(request, shape(sql))].append(ms)
    result.cpu = {"Django": (time.process_time() * 1000 - cpu_before[0]) / pairs,
                  "PostgreSQL": (_cpu_ms([backend]) - cpu_before[1]) / pairs}
    # cProfile slows everything down: its own run, for the shares of the Python time.
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(WARMUP + pairs, WARMUP + pairs + min(pairs, 100)):
        post_pair(client, chain, offset + n)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    result.python = _own_time(stats, min(pairs, 100))
    result.commit_ms = sum(ms for name, ms, _ in result.python if COMMIT.search(name))
    result.plans = explain_pair(client, chain, offset + WARMUP + pairs + min(pairs, 100))
    return result


def explain_pair(client, chain: Chain, n: int):
    """Each statement of one pair under EXPLAIN ANALYZE, in a savepoint rolled back before the
    statement itself runs, with the deferred constraints made immediate there so that their
    triggers are timed: (request, statement, planning ms, execution ms, [(trigger, ms)])."""
    from django.db import connection

    plans = []
    request = ["visit"]

    def explain(execute, sql, params, many, context):
        if not many and connection.in_atomic_block and re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", sql, re.I):
            raw = context["cursor"].cursor
            raw.execute("SAVEPOINT bench_explain")
            raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
            raw.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            plan = "\n".join(row[0] for row in raw.fetchall())
            raw.execute("ROLLBACK TO SAVEPOINT bench_explain")
            timings = dict(TIMINGS.findall(plan))
            triggers = [(name, float(ms)) for name, ms, _calls in TRIGGER.findall(plan)]
            plans.append((request[0], shape(sql), float(timings.get("Planning", 0)),
                          float(timings.get("Execution", 0)), triggers))
        return execute(sql, params, many, context)

    base = f"/api/v1/merchants/{chain.slug}/"
    visit, rating = chain.pair(n)
    with connection.execute_wrapper(explain):
        made = _post(client, base + "visits/", visit)
        request[0] = "rating"
        _post(client, base + "ratings/", {**rating, "visit": made["id"]})
    return plans


# --- over HTTP -----------------------------------------------------------------------------------
@dataclass
class HttpRun:
    pairs: list[float]
    visits: list[float]
    ratings: list[float]
    seconds: float
    errors: dict[int, int]
    cpu: dict[str, float] = field(default_factory=dict)  # CPU ms per pair: gunicorn, PostgreSQL, clients

    @property
    def per_second(self) -> float:
        return len(self.pairs) / self.seconds

    @property
    def capacity(self) -> float:
        """Pairs per second the machine's cores would carry at this CPU cost per pair, alone."""
        return (os.cpu_count() or 1) * 1000 / sum(self.cpu.values()) if self.cpu else float("nan")


def _cpu_ms(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc), in ms."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> list[int]:
    """gunicorn's master and its workers."""
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return pids


def backend_pids(conn) -> list[int]:
    """The PostgreSQL backends of the bench database (the workers' persistent connections)."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        pids = [row[0] for row in cursor.fetchall()]
    conn.rollback()
    return pids


def over_http(port: int, chain: Chain, pairs: int = PAIRS, threads: int = THREADS, *, gunicorn: int | None = None,
              admin=None) -> HttpRun:
    """`threads` clients, each with its own keep-alive-free connections, post `pairs` pairs in all.
    With gunicorn's pid and a superuser connection, the CPU time each side spent per pair
    (PostgreSQL's backends on this machine: their /proc entries)."""
    base = f"/api/v1/merchants/{chain.slug}/"
    counter = iter(range(10**9))
    lock = threading.Lock()
    run = HttpRun([], [], [], 0.0, defaultdict(int))
    for n in range(WARMUP):  # each worker connects and warms up before the CPU is counted
        visit, rating = chain.pair(pairs + n)
        key = chain.keys[n % len(chain.keys)]
        _status, made = _http_post(port, base + "visits/", visit, key)
        _http_post(port, base + "ratings/", {**rating, "visit": made.get("id")}, key)
    web = server_pids(gunicorn) if gunicorn else []
    database = backend_pids(admin) if admin is not None else []
    cpu_before = (_cpu_ms(web), _cpu_ms(database), time.process_time() * 1000)

    def post(path: str, body: dict, key: str) -> tuple[int, dict]:
        return _http_post(port, path, body, key)

    def work():
        while True:
            with lock:
                n = next(counter)
            if n >= pairs:
                return
            visit, rating = chain.pair(n)
            key = chain.keys[n % len(chain.keys)]
            started = time.perf_counter()
            status, made = post(base + "visits/", visit, key)
            middle = time.perf_counter()
            if status == 201:
                status, _ = post(base + "ratings/", {**rating, "visit": made["id"]}, key)
            ended = time.perf_counter()
            with lock:
                if status != 201:
                    run.errors[status] += 1
                    continue
                run.visits.append((middle - started) * 1000)
                run.ratings.append((ended - middle) * 1000)
                run.pairs.append((ended - started) * 1000)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    run.seconds = time.perf_counter() - started
    if web and database:
        spent = (_cpu_ms(web), _cpu_ms(database), time.process_time() * 1000)
        done = max(1, len(run.pairs))
        run.cpu = {name: (after - before) / done
                   for name, before, after in zip(("gunicorn", "PostgreSQL", "clients"), cpu_before, spent, strict=True)}
    return run


def _http_post(port: int, path: str, body: dict, key: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", path, body=json.dumps(body),
                 headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, (json.loads(data) if response.status == 201 else {})


# --- report --------------------------------------------------------------------------------------
def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _fmt(value: float) -> str:
    return "—" if value != value else f"{value:.1f}"


def report(result: Profile, run: HttpRun | None, *, load_before: str, load_after: str) -> list[str]:
    n = len(result.pairs)
    lines = ["", "## Ingestion: visit + rating pairs with integration keys (issue 13)", ""]
    if run is not None:
        lines += [
            f"Over HTTP: {THREADS} client threads, {len(run.pairs):,} pairs through the bench's gunicorn "
            f"(2 sync workers), keys rotated among {KEYS} (the API's 1,200 requests a minute per key is "
            f"10 pairs/s). Machine {load_before} before, {load_after} after.", "",
            "| pairs/s | pair p50 | pair p95 | visit p95 | rating p95 | errors |", "|---|---|---|---|---|---|",
            f"| **{run.per_second:.0f}** | {_fmt(pct(run.pairs, 50))} | {_fmt(pct(run.pairs, 95))} | "
            f"{_fmt(pct(run.visits, 95))} | {_fmt(pct(run.ratings, 95))} | "
            f"{dict(run.errors) or 'none'} |", ""]
        if run.cpu:
            lines += [
                "CPU time per pair, which the other work on the machine does not change as it changes the "
                "wall clock: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in run.cpu.items())
                + f", in all {sum(run.cpu.values()):.1f} ms: the {os.cpu_count()} cores of this machine, "
                f"alone, would carry **{run.capacity:.0f} pairs/s** at this cost.", ""]
    statements = {k: statistics.mean(v) for k, v in result.statements.items()}
    trips = {k: statistics.mean(v) for k, v in result.round_trips.items()}
    lines += [
        f"In-process (Django's test client, one client, persistent connection), {n} pairs: pair p50 "
        f"{_fmt(pct(result.pairs, 50))} ms, p95 {_fmt(pct(result.pairs, 95))} ms (visit p50 "
        f"{_fmt(pct(result.visits, 50))}, rating p50 {_fmt(pct(result.ratings, 50))}); "
        f"{statements.get('visit', 0):.1f} + {statements.get('rating', 0):.1f} statements per pair as Django "
        f"records them (SAVEPOINT and RELEASE included), {trips.get('visit', 0):.1f} + {trips.get('rating', 0):.1f} "
        f"messages to the server (psycopg2's BEGIN and the COMMIT come on top of both); "
        f"SQL {result.sql_per_pair():.1f} ms per pair (as the client waits for it), commit "
        f"{result.commit_ms:.1f} ms (the deferred foreign-key checks run there). CPU per pair: "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in result.cpu.items())
        + " (Django's with the test client and the statements' capture).", "",
        "### Statements of a pair (in-process, mean ms as the client waits; BEGIN and COMMIT: the commit above)", "",
        "| request | statement | per pair | mean ms | share of SQL |", "|---|---|---|---|---|"]
    total = sum(sum(v) for v in result.sql_ms.values()) or 1.0
    for (request, key), values in sorted(result.sql_ms.items(), key=lambda kv: -sum(kv[1])):
        lines.append(f"| {request} | `{key[:150]}` | {len(values) / n:.2f} | "
                     f"{statistics.mean(values):.2f} | {100 * sum(values) / total:.0f} % |")
    lines += ["", "### Where the Python time goes (cProfile, own time per pair, top 25)", "",
              "| function | ms per pair | calls per pair |", "|---|---|---|"]
    for name, ms, calls in result.python[:25]:
        lines.append(f"| `{name}` | {ms:.2f} | {calls} |")
    lines += ["", "### Each statement's plan times (EXPLAIN ANALYZE of one pair, constraints immediate)", "",
              "| request | statement | planning ms | execution ms | triggers (ms) |", "|---|---|---|---|---|"]
    for request, key, planning, execution, triggers in result.plans:
        named = ", ".join(f"{name} {ms:.2f}" for name, ms in triggers) or "—"
        lines.append(f"| {request} | `{key[:110]}` | {planning:.2f} | {execution:.2f} | {named} |")
    return lines


def main() -> None:
    from bench.common import BIG_SLUG, django_setup

    django_setup()
    from merchants.models import Merchant

    chain = chain_for(Merchant.objects.get(slug=BIG_SLUG))
    before = load()
    result = profile(chain)
    print("\n".join(report(result, None, load_before=before, load_after=load())))


if __name__ == "__main__":
    main()
