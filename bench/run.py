"""`make bench`: the inbox's requests at full scale, each against its floors.

For the large merchant of the bench database (bench/generate.py) it measures, through
gunicorn (2 sync workers) on loopback, p50/p95 over BENCH_REQUESTS (default 200)
requests each: the ratings list API in every ordering, filtered by branch, by dates,
by name, by the case views and filters (needs reply, mine, unassigned, resolved, overdue,
at risk, priority; e-mail and #id search), 1,000 pages deep through the cursor; the
summary with the case views' counts; a rating's detail; the caller's notification settings;
the inbox page (session login);
a bulk assign and unassign of 500 ratings (POST, each measured after the other set the
state back). Every request is compared with
  - its database floor: the exact SQL statements the request ran (captured in-process
    with CaptureQueriesContext), replayed with psycopg2 as the application role with the
    same row-level-security settings, in one transaction, nothing else;
  - its framework floor: the same statements run by a bare Django view in the same
    gunicorn (bench/views.py, BENCH_VIEWS=1) returning json.dumps of the rows;
  - hello: a constant JSON view.
It also checks the plans (EXPLAIN ANALYZE: no Sort node, no Seq Scan on the list,
search and summary queries), compares RLS on with off (the same SQL as a superuser,
which bypasses the policies), and the sustained throughput of the list against hello.
It also measures the analytics endpoints and dashboard (ANA-1..6) over a two-year range, each
against its target of p95 ≤ 50 ms, with the SQL time and plan of each.
And the write path (issue 13, bench/ingest.py; the rows named "ingest"): visit + rating pairs posted
with integration keys by 4 client threads through the same gunicorn (pairs/s, p50/p95 per pair),
and one pair's profile in-process (its statements and their times, the Python time by function,
each statement's plan times).
Writes docs/bench/latest.md and docs/bench/latest.png; BENCH_ONLY=<regex> measures only the rows
whose names match, and BENCH_OUTPUT=<name> writes docs/bench/<name>.md/.png instead (a partial run
must not replace the full report).

Two more, each a row BENCH_ONLY selects (SCALE-1..3, issue 13):
  - `throughput pgbouncer 2 vs 4 workers`: the list's sustained requests/s through gunicorn with
    2, then 4 sync workers, both behind a private PgBouncer in transaction pooling mode
    (tests/pgbouncer.py, as production's compose service), with where the CPU went meanwhile
    (gunicorn, the PostgreSQL backends, PgBouncer, the bench's own client, the rest of the
    machine) read from /proc;
  - BENCH_CITUS=1: the same rows on the bench database of the Citus cluster too (bench/generate.py
    builds it with the same rows when BENCH_CITUS=1), one side after the other in one run, then
    every GET row again with both servers up, asked of one then the other in turn (both sides see
    the same load), and docs/bench/<name>-vs-citus.md with both sides' p50/p95, the ratio and the
    shards each statement on a distributed table touches (EXPLAIN's Task Count: 1 is a router plan).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ingest  # noqa: E402
from bench.common import (  # noqa: E402
    BENCH_EMAIL,
    BENCH_PASSWORD,
    BIG_SLUG,
    ON_CITUS,
    OWNER_EMAILS,
    ROOT,
    bench_env,
    citus_env,
    django_setup,
)

N = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = 15
THROUGHPUT_SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "8"))
THROUGHPUT_THREADS = 4
BUDGET = float(os.environ.get("BENCH_BUDGET_SECONDS", "12"))  # per series; at least MIN_SAMPLES
MIN_SAMPLES = 30
SERVER_SAMPLES = 50  # EXPLAIN ANALYZE runs per request and role for the RLS comparison
USERS = 30  # the API allows 1,200 requests a minute per user: the bench rotates through users
DOCS = ROOT / "docs" / "bench"
BOOKKEEPING = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)", re.I)
APP_TABLES = ("ratings_rating", "ratings_message", "ratings_caseevent", "ratings_responsetimecounter", "customers_",
              "gifts_")
OPEN = "new,open,escalated"
BULK_SIZE = 500
BULK_TARGET_MS = 300
BULK_SAMPLES = 10
PLAN_CHECKED = ("list", "search", "summary", "deep", "bulk")
ANALYTICS_TARGET_MS = 50  # every analytics request at the large merchant over two years (issue 16)
ONLY = re.compile(os.environ.get("BENCH_ONLY", ""))
OUTPUT = os.environ.get("BENCH_OUTPUT", "latest")
POOLER_ROW = "throughput pgbouncer 2 vs 4 workers"
POOLER_WORKERS = (2, 4)
# Enough clients to keep 4 workers busy, the same for both rows.
POOLER_THREADS = int(os.environ.get("BENCH_POOLER_THREADS", "8"))
ROW_SQL = re.compile(r"\s*\(*\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.I)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


@dataclass
class Scenario:
    name: str
    path: str
    kind: str = "api"  # api (token) or html (session)
    group: str = "list"  # list, search, summary, detail, html, deep, bulk, settings
    body: dict | None = None  # a POST's JSON body (bulk)
    before: dict | None = None  # the POST that sets the state back before each measured one
    users: int = USERS  # the API users it rotates through (owner=me: those who own cases)
    least: int = MIN_SAMPLES  # fewest samples per series (a bulk action takes seconds here)
    statements: list[str] = field(default_factory=list)
    status: int = 0
    times: list[float] = field(default_factory=list)
    framework: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    sql_norls: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)  # planning + execution as PostgreSQL times them
    server_norls: list[float] = field(default_factory=list)
    plan_problems: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    shards: list[list[int]] = field(default_factory=list)  # on Citus: Task Counts of each statement
    size: int = 0  # bytes of the last warm-up response (the same on both sides of a Citus comparison)
    key: str = ""

    @property
    def app_statements(self) -> list[str]:
        return [s for s in self.statements if any(t in s for t in APP_TABLES) and "set_config" not in s]


def sample(measure, least: int = MIN_SAMPLES) -> list[float]:
    """N measurements, or fewer (at least `least`) when a series would take over BUDGET seconds."""
    values: list[float] = []
    stop = time.perf_counter() + BUDGET
    while len(values) < N and (len(values) < least or time.perf_counter() < stop):
        values.append(measure())
    return values


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- set-up ------------------------------------------------------------------------------
def ensure_users():
    """USERS members of the large merchant (created once), each with a fresh API token."""
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    from accounts.services import api_token_create
    from merchants import tenancy
    from merchants.models import Merchant
    from merchants.services import member_add

    merchant = Merchant.objects.get(slug=BIG_SLUG)
    User = get_user_model()
    tokens = []
    with tenancy.tenant(merchant.pk):
        for i in range(USERS):
            email = BENCH_EMAIL if i == 0 else f"bench{i}@bench.local"
            user = User.objects.filter(email=email).first()
            if user is None:
                with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                    user = member_add(merchant=merchant, email=email, password=BENCH_PASSWORD, role="admin",
                                      full_name=f"Bench {i}").user
            tokens.append(api_token_create(user=user))
    return merchant, tokens


def build_scenarios(merchant) -> list[Scenario]:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.urls import Resolver404, resolve

    from merchants import tenancy
    from ratings.models import Rating
    from ratings.selectors import ORDERINGS
    from ratings_inbox.keyset import encode_cursor

    base = f"/api/v1/merchants/{merchant.slug}/ratings/"
    scenarios: list[Scenario] = []

    def exists(path: str) -> bool:
        try:
            resolve(path.split("?")[0])
            return True
        except Resolver404:
            return False

    with tenancy.tenant(merchant.pk):
        ratings = Rating.objects.filter(merchant=merchant)
        by_branch = list(ratings.values("branch_id").annotate(n=Count("id")).order_by("-n"))
        branch = by_branch[len(by_branch) // 2]["branch_id"]  # a middling branch
        detail = (ratings.filter(messages_count__gte=3, gift_grants__isnull=False).order_by("-created_at")
                  .values_list("id", flat=True).first()) or ratings.values_list("id", flat=True).first()
        email = (ratings.filter(customer__email__isnull=False).order_by("-created_at")
                 .values_list("customer__email", flat=True).first())
        # What a member selects in "Unassigned" to take it all: its 500 latest cases.
        bulk_ids = list(ratings.filter(owner__isnull=True).exclude(status="none").order_by("-created_at")
                        .values_list("id", flat=True)[:BULK_SIZE])
        owner_id = get_user_model().objects.get(email=BENCH_EMAIL).pk
        deep = {}
        for ordering, columns in ORDERINGS.items():
            row = ratings.order_by(*[c.order_expression() for c in columns])[24_999:25_000].first()
            if row is not None:
                deep[ordering] = encode_cursor(ordering, [getattr(row, c.name) for c in columns])
    today = dt.date.today()
    if exists(base):
        for ordering in ORDERINGS:
            scenarios.append(Scenario(f"list {ordering}", base + "?" + urlencode({"ordering": ordering})))
        scenarios.append(Scenario("list branch", base + "?" + urlencode({"branch": branch})))
        scenarios.append(Scenario("list dates", base + "?" + urlencode({
            "date_from": (today - dt.timedelta(days=120)).isoformat(),
            "date_to": (today - dt.timedelta(days=90)).isoformat()})))
        scenarios.append(Scenario("list branch+dates", base + "?" + urlencode({
            "branch": branch, "date_from": (today - dt.timedelta(days=120)).isoformat(),
            "date_to": (today - dt.timedelta(days=90)).isoformat()})))
        # The case views and filters of the inbox (CASE-6, CASE-7, SLA-2).
        for name, query in (
            ("needs_reply", {"needs_reply": "true", "ordering": "-last_activity_at"}),
            ("owner=me", {"owner": "me"}),
            ("mine", {"owner": "me", "status": OPEN}),
            ("unassigned", {"owner": "none", "status": OPEN}),
            ("resolved", {"status": "resolved"}),
            ("sla=breached", {"sla": "breached"}),
            ("sla=breached due_at", {"sla": "breached", "ordering": "due_at"}),
            ("sla=at_risk", {"sla": "at_risk"}),
            ("priority=high", {"priority": "high"}),
        ):
            scenarios.append(Scenario(f"list {name}", base + "?" + urlencode(query),
                                      users=len(OWNER_EMAILS) if query.get("owner") == "me" else USERS))
        if email:
            scenarios.append(Scenario("search e-mail", base + "?" + urlencode({"q": email}), group="search"))
        scenarios.append(Scenario("search #id", base + "?" + urlencode({"q": f"#{detail}"}), group="search"))
        scenarios.append(Scenario("search 'mar'", base + "?" + urlencode({"q": "mar"}), group="search"))
        scenarios.append(Scenario("search 'pedro peña'", base + "?" + urlencode({"q": "pedro peña"}),
                                  group="search"))
        for ordering, cursor in deep.items():
            scenarios.append(Scenario(f"deep {ordering}", base + "?" + urlencode(
                {"ordering": ordering, "cursor": cursor}), group="deep"))
    if exists(base + "summary/"):
        scenarios.append(Scenario("summary", base + "summary/", group="summary"))
        scenarios.append(Scenario("summary dates", base + "summary/?" + urlencode({
            "date_from": (today - dt.timedelta(days=120)).isoformat(),
            "date_to": (today - dt.timedelta(days=90)).isoformat()}), group="summary"))
        scenarios.append(Scenario("summary branch+dates", base + "summary/?" + urlencode({
            "branch": branch, "date_from": (today - dt.timedelta(days=120)).isoformat(),
            "date_to": (today - dt.timedelta(days=90)).isoformat()}), group="summary"))
    if exists(f"{base}{detail}/"):
        scenarios.append(Scenario("detail", f"{base}{detail}/", group="detail"))
    preferences = f"/api/v1/merchants/{merchant.slug}/me/notifications/"
    if exists(preferences):  # a member's own notification settings (SLA-4): read with the membership
        scenarios.append(Scenario("me/notifications", preferences, group="detail"))
    if exists(base + "bulk/") and len(bulk_ids) == BULK_SIZE:
        assign = {"ids": bulk_ids, "action": "assign", "value": owner_id}
        unassign = {"ids": bulk_ids, "action": "assign", "value": None}
        scenarios.append(Scenario(f"bulk assign {BULK_SIZE}", base + "bulk/", group="bulk", body=assign,
                                  before=unassign, least=BULK_SAMPLES))
        scenarios.append(Scenario(f"bulk unassign {BULK_SIZE}", base + "bulk/", group="bulk", body=unassign,
                                  before=assign, least=BULK_SAMPLES))
    settings_cases = f"/api/v1/merchants/{merchant.slug}/settings/cases/"
    if exists(settings_cases):  # SLA-1: the merchant's own columns, no tenant table read
        scenarios.append(Scenario("settings cases", settings_cases, group="settings"))
    inbox = f"/m/{merchant.slug}/inbox/"
    if exists(inbox):
        scenarios.append(Scenario("inbox page", inbox, kind="html", group="html"))
    # Analytics (ANA-1..6) over two years, from the rollups.
    analytics = f"/api/v1/merchants/{merchant.slug}/analytics/"
    two_years = {"date_from": (today - dt.timedelta(days=729)).isoformat(), "date_to": today.isoformat()}
    if exists(analytics + "nps/"):
        for name, path, query in (
            ("nps week 2y", "nps/", {**two_years, "interval": "week"}),
            ("nps month 2y", "nps/", {**two_years, "interval": "month"}),
            ("nps branch 2y", "nps/", {**two_years, "branch": branch}),
            ("response 2y", "response/", two_years),
            ("recovery 2y", "recovery/", two_years),
            ("watchlist", "watchlist/", {}),
        ):
            scenarios.append(Scenario(f"analytics {name}", analytics + path + "?" + urlencode(query),
                                      group="analytics"))
        scenarios.append(Scenario("analytics page 2y", f"/m/{merchant.slug}/analytics/?" + urlencode(two_years),
                                  kind="html", group="analytics"))
        scenarios.append(Scenario("analytics csv recovery 2y",
                                  f"/m/{merchant.slug}/analytics/recovery.csv?" + urlencode(two_years),
                                  kind="html", group="analytics"))
    scenarios = [s for s in scenarios if ONLY.search(s.name)]
    for index, scenario in enumerate(scenarios):
        scenario.key = f"s{index}"
    return scenarios


def capture(scenarios: list[Scenario], token: str) -> None:
    """The SQL each request runs, in order, from an in-process request."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    api = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    page = Client(HTTP_HOST="127.0.0.1")
    page.force_login(get_user_model().objects.get(email=BENCH_EMAIL))
    for s in scenarios:
        client = api if s.kind == "api" else page
        if s.body is None:
            client.get(s.path)  # warm caches (content types, sessions) as a running worker would be
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(s.path)
        else:  # a write: warmed the same way, each time from the state `before` leaves
            for body in (s.before, s.body, s.before):
                client.post(s.path, json.dumps(body), content_type="application/json")
            with CaptureQueriesContext(connection) as ctx:
                response = client.post(s.path, json.dumps(s.body), content_type="application/json")
        s.status = response.status_code
        s.statements = [q["sql"] for q in ctx.captured_queries if not BOOKKEEPING.match(q["sql"])]


# --- the database floor ---------------------------------------------------------------------
def pg_connect(superuser: bool = False):
    import psycopg2
    from django.conf import settings

    params = settings.DATABASE_ADMIN if superuser else settings.DATABASES["default"]
    conn = psycopg2.connect(dbname=settings.DATABASES["default"]["NAME"],
                            user=(params["USER"] or None), password=params["PASSWORD"] or None,
                            host=params["HOST"] or None, port=params["PORT"] or None)
    return conn


def replay(conn, statements: list[str], begin: list[str] = ()) -> float:
    """The statements in one transaction, rolled back; `begin` first (the tenant, on Citus)."""
    started = time.perf_counter()
    with conn.cursor() as cur:
        for sql in [*begin, *statements]:
            cur.execute(sql)
            if cur.description is not None:
                cur.fetchall()
    conn.rollback()
    return (time.perf_counter() - started) * 1000


SERVER_TIME = re.compile(r"(?:Planning|Execution) Time: ([0-9.]+) ms")


def server_time(conn, statements: list[str]) -> float:
    """Planning + execution time of the statements as the server reports them (EXPLAIN ANALYZE).

    Sub-millisecond queries measured from the client carry the socket and the client's own
    scheduling, which differ by ±0.3 ms between two identical connections on this machine;
    the server's own clock shows what row-level security adds to the query itself.
    """
    total = 0.0
    with conn.cursor() as cur:
        for sql in statements:
            cur.execute("EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) " + sql)
            total += sum(float(m) for m in SERVER_TIME.findall("\n".join(r[0] for r in cur.fetchall())))
    conn.rollback()
    return total


def tenant_local(merchant_id: int) -> list[str]:
    """On Citus the tenant goes with each transaction, as the app's engine sends it: SET LOCAL reaches
    the workers (citus.propagate_set_commands), a session's set_config() does not."""
    return [f"SET LOCAL app.merchant_id = '{merchant_id}'"] if ON_CITUS else []


def db_floors(scenarios: list[Scenario], merchant_id: int) -> None:
    app = pg_connect()
    root = pg_connect(superuser=True)
    tenant = f"SELECT set_config('app.merchant_id', '{merchant_id}', false)"
    begin = tenant_local(merchant_id)
    for s in scenarios:
        if not s.statements:
            continue
        for _ in range(3):
            replay(app, s.statements, begin)
        s.db = sample(lambda s=s: replay(app, s.statements, begin), s.least)
        work = s.app_statements
        if not work:
            continue
        with app.cursor() as cur:
            cur.execute(tenant)
        app.commit()
        replay(app, work, begin)
        replay(root, work)

        def both(s=s, work=work):  # interleaved so that both see the same machine load
            s.sql_norls.append(replay(root, work))
            return replay(app, work, begin)

        s.sql = sample(both, s.least)
        # On Citus EXPLAIN ANALYZE adds each task's own planning and execution lines: not comparable.
        if s.group in ("list", "search", "summary") and not ON_CITUS:
            for _ in range(SERVER_SAMPLES):
                s.server_norls.append(server_time(root, work))
                s.server.append(server_time(app, work))
        for sql in work:
            with app.cursor() as cur:
                for statement in begin:
                    cur.execute(statement)
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + sql)
                plan = "\n".join(r[0] for r in cur.fetchall())
            app.rollback()
            s.plans.append(plan)
            if s.group in PLAN_CHECKED and "ratings_rating" in sql:
                for problem in ("Sort", "Seq Scan"):
                    if re.search(rf"(^|\s|>  ){problem}\b", plan, re.M):
                        s.plan_problems.append(problem)
    app.close()
    root.close()


def shard_counts(scenarios: list[Scenario], merchant_id: int) -> None:
    """On Citus: the Task Count of every statement of each request that reads or writes a distributed
    table, from EXPLAIN as the application role with the tenant set (1: a router plan, one shard)."""
    from django.apps import apps

    from merchants.distributable import citus_tables

    _reference, distributed = citus_tables(apps)
    touches = re.compile(r"\b(" + "|".join(distributed) + r")\b")
    app = pg_connect()
    for s in scenarios:
        for sql in s.statements:
            if not (touches.search(sql) and ROW_SQL.match(sql)):
                continue
            with app.cursor() as cur:
                for statement in tenant_local(merchant_id):
                    cur.execute(statement)
                cur.execute("EXPLAIN (COSTS OFF) " + sql)
                plan = "\n".join(r[0] for r in cur.fetchall())
            app.rollback()
            s.shards.append([int(c) for c in re.findall(r"Task Count: (\d+)", plan)] or [0])
    app.close()


# --- HTTP -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Http:
    def __init__(self, port: int):
        self.port = port

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes, dict, float]:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        return response.status, body, dict(response.getheaders()), elapsed

    def post(self, path: str, body: dict, headers: dict) -> tuple[int, bytes, dict, float]:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("POST", path, body=json.dumps(body), headers={**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        return response.status, data, dict(response.getheaders()), elapsed

    def login(self) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/login/")
        response = conn.getresponse()
        response.read()
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = urlencode({"username": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": csrf})
        conn.request("POST", "/login/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{self.port}/login/"})
        response = conn.getresponse()
        response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
        session = next((re.search(r"sessionid=([^;]+)", c).group(1) for c in cookies if "sessionid=" in c), None)
        if session is None:
            raise RuntimeError(f"login failed: {response.status}")
        return f"sessionid={session}; csrftoken={csrf}"


def start_gunicorn(port: int, sql_file: Path | None, workers: int = 2, extra: dict | None = None
                   ) -> subprocess.Popen:
    env = bench_env()
    env.update({"BENCH_VIEWS": "1", "CONN_MAX_AGE": "600", **(extra or {})})
    if sql_file is not None:
        env["BENCH_SQL_FILE"] = str(sql_file)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "ratings_inbox.wsgi:application", "--workers", str(workers), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    http = Http(port)
    for _ in range(200):
        try:
            if http.get("/bench/hello/")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer")


def measure_http(http: Http, scenarios: list[Scenario], tokens: list[str], cookie: str) -> tuple[list, list]:
    counter = iter(range(10**9))

    def headers(s: Scenario) -> dict:
        if s.kind == "html":
            return {"Cookie": cookie}
        return {"Authorization": f"Token {tokens[next(counter) % min(s.users, len(tokens))]}"}

    def request(s: Scenario) -> tuple[int, bytes, dict, float]:
        if s.body is None:
            return http.get(s.path, headers(s))
        http.post(s.path, s.before, headers(s))  # untimed: the state the measured write starts from
        return http.post(s.path, s.body, headers(s))

    hello = []
    for s in scenarios:
        for _ in range(WARMUP if s.group not in ("search", "bulk") else 3):
            status, body, _, _ = request(s)
        s.size = len(body)
        if status != 200:
            say(f"{s.name}: HTTP {status} {body[:200]!r}")
        s.times = sample(lambda s=s: request(s)[3], s.least)
        if s.statements:
            floor = f"/bench/floor/{s.key}/"
            for _ in range(WARMUP if s.group != "bulk" else 3):
                http.get(floor)
            s.framework = sample(lambda floor=floor: http.get(floor)[3], s.least)
    for _ in range(WARMUP):
        http.get("/bench/hello/")
    hello = sample(lambda: http.get("/bench/hello/")[3])
    return hello


def throughput(http: Http, path: str, headers_for, clients: int = THROUGHPUT_THREADS,
               seconds: float = THROUGHPUT_SECONDS) -> float:
    """Requests per second completed by `clients` threads for `seconds`."""
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def work(index: int):
        i = index
        while time.perf_counter() < stop:
            status = http.get(path, headers_for(i))[0]
            if status == 200:
                done[index] += 1
            i += clients

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


# --- 2 vs 4 workers behind PgBouncer, and where the CPU goes -------------------------------------
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: [state, ppid, …]; utime and stime at 11 and 12."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _cpu(pids: list[int]) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        if (fields := _stat(pid)) is not None:
            seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return seconds


def _machine_busy() -> float:
    """CPU seconds the whole machine spent not idle (every core, every process)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


def cpu_snapshot(gunicorn: int, bouncer: int, root) -> dict:
    """CPU seconds so far of gunicorn (master and workers), PgBouncer, the PostgreSQL backends
    connected to the bench database, this process (the clients), and the machine."""
    with root.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        backends = [row[0] for row in cur.fetchall()]
    return {"gunicorn": _cpu(_descendants(gunicorn)), "pgbouncer": _cpu(_descendants(bouncer)),
            "postgres": _cpu(backends), "client": {0: time.process_time()}, "machine": {0: _machine_busy()},
            "wall": time.perf_counter()}


def cpu_split(before: dict, after: dict) -> dict:
    """Cores used by each part between two snapshots (CPU seconds / wall seconds); a process that
    started in between counts from zero."""
    wall = after["wall"] - before["wall"]
    split = {part: sum(v - before[part].get(pid, 0.0) for pid, v in after[part].items()) / wall
             for part in ("gunicorn", "pgbouncer", "postgres", "client", "machine")}
    split["other"] = split["machine"] - sum(split[p] for p in ("gunicorn", "pgbouncer", "postgres", "client"))
    return split


def pooler_throughput(path: str, tokens: list[str]) -> list[dict]:
    """The list's requests/s with 2 and with 4 gunicorn workers, both behind one private PgBouncer
    in transaction pooling mode, and the CPU split of each run."""
    from django.conf import settings

    from tests.pgbouncer import PgBouncer

    admin = settings.DATABASE_ADMIN
    users = sorted({settings.DATABASES[alias]["USER"] for alias in settings.DATABASES})
    bouncer = PgBouncer(host=admin["HOST"], port=admin["PORT"], users=users, pool_size=max(POOLER_WORKERS)).start()
    root = pg_connect(superuser=True)
    root.autocommit = True
    rows = []

    def headers(i: int) -> dict:
        return {"Authorization": f"Token {tokens[i % len(tokens)]}"}

    try:
        for workers in POOLER_WORKERS:
            port = free_port()
            process = start_gunicorn(port, None, workers, {"DATABASE_POOLER": f"127.0.0.1:{bouncer.port}"})
            try:
                http = Http(port)
                throughput(http, path, headers, POOLER_THREADS, 2)  # every worker connected and warm
                load = os.getloadavg()[0]
                before = cpu_snapshot(process.pid, bouncer.process.pid, root)
                rps = throughput(http, path, headers, POOLER_THREADS)
                split = cpu_split(before, cpu_snapshot(process.pid, bouncer.process.pid, root))
                rows.append({"workers": workers, "rps": rps, "load": load, **split})
                say(f"{workers} workers behind PgBouncer: {rps:.0f} requests/s, cores used {split}")
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
    finally:
        root.close()
        bouncer.stop()
    return rows


def pooler_report(rows: list[dict]) -> list[str]:
    lines = ["", f"## {POOLER_ROW}", "",
             f"The list (`-created_at`) through gunicorn (sync workers) behind a private PgBouncer in "
             f"transaction pooling mode (pool of {max(POOLER_WORKERS)} server connections), {POOLER_THREADS} "
             f"client threads for {THROUGHPUT_SECONDS:.0f} s each, after a 2 s warm-up. Cores: CPU seconds per "
             f"wall second of each part, from /proc (this machine has {os.cpu_count()} cores; *other* is "
             "every other process on it: neighbours' work).", "",
             "| workers | requests/s | load avg (1 min) | gunicorn | postgres backends | pgbouncer | bench client "
             "| other | machine busy |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['workers']} | {row['rps']:.0f} | {row['load']:.2f} | {row['gunicorn']:.2f} | "
                     f"{row['postgres']:.2f} | {row['pgbouncer']:.2f} | {row['client']:.2f} | {row['other']:.2f} | "
                     f"{row['machine']:.2f} |")
    if len(rows) == 2:
        lines.append(f"\n{rows[1]['workers']} workers / {rows[0]['workers']} workers: "
                     f"**{rows[1]['rps'] / rows[0]['rps']:.2f} ×** (target ≥ 1.8 × where the cores allow it).")
    lines += ["", "CPU milliseconds per request (each part's cores × 1000 / requests/s), and the most requests/s "
                  f"the {os.cpu_count()} cores could serve at that cost with nothing else running (the client aside):",
              "", "| workers | gunicorn ms | postgres ms | pgbouncer ms | per request | ceiling requests/s |",
              "|---|---|---|---|---|---|"]
    for row in rows:
        parts = [1000 * row[part] / row["rps"] for part in ("gunicorn", "postgres", "pgbouncer")]
        lines.append(f"| {row['workers']} | {parts[0]:.1f} | {parts[1]:.1f} | {parts[2]:.1f} | {sum(parts):.1f} | "
                     f"{os.cpu_count() * 1000 / sum(parts):.0f} |")
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if autogroup.exists() and autogroup.read_text().strip() == "1":
        lines += ["", "The kernel's autogroup scheduling is on: CPU time is shared between sessions first "
                      "(gunicorn with its workers is one, the PostgreSQL server another, each neighbour's run "
                      "another), so on a busy machine what the workers get depends on the neighbours as much "
                      "as on their number."]
    return lines


# --- report -----------------------------------------------------------------------------------
def fmt(value: float) -> str:
    return "—" if value != value else f"{value:.1f}"


def report(scenarios, hello, rls, tput, merchant_rows, total_rows) -> str:
    hello95 = pct(hello, 95)
    by_name = {s.name: s for s in scenarios}
    lines = [
        "# Bench: the inbox at scale",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` (bench/run.py): "
        f"{total_rows:,} ratings, the large merchant `{BIG_SLUG}` holds {merchant_rows:,}; gunicorn with 2 sync "
        f"workers on loopback, {N} sequential requests per row (fewer, at least {MIN_SAMPLES} or {BULK_SAMPLES} for a bulk action, when a series would take over {BUDGET:.0f} s; column n) after {WARMUP} warm-up requests, on a machine "
        f"with {os.cpu_count()} cores shared with other work. Times in milliseconds.",
        "",
        "- **db floor**: the request's own SQL statements replayed with psycopg2 as the application role "
        "(same RLS settings), nothing else. **sql**: only the statements on rating/customer/gift tables "
        "(no auth, session or tenant bookkeeping).",
        "- **fw floor**: the same statements run by a bare Django view in the same gunicorn "
        "(bench/views.py), rows returned with json.dumps.",
        f"- **hello**: a constant JSON view: p50 {fmt(pct(hello, 50))}, p95 {fmt(hello95)}.",
        "",
        "| request | HTTP | n | p50 | p95 | fw floor p95 | db floor p95 | sql p50 | sql p95 | p95 / fw | p95 / db | queries | plan |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scenarios:
        p95, fw, db = pct(s.times, 95), pct(s.framework, 95), pct(s.db, 95)
        lines.append(
            f"| {s.name} | {s.status} | {len(s.times)} | {fmt(pct(s.times, 50))} | {fmt(p95)} | {fmt(fw)} | "
            f"{fmt(db)} | {fmt(pct(s.sql, 50))} | {fmt(pct(s.sql, 95))} | {p95 / fw:.2f} | {p95 / db:.2f} | {len(s.statements)} | "
            f"{', '.join(sorted(set(s.plan_problems))) or 'ok'} |"
        )
    lines += ["", "## Deep pages (cursor 1,000 pages of 25 deep vs page 1)", "",
              "| ordering | page 1 p95 | page 1,000 p95 | ratio |", "|---|---|---|---|"]
    for s in scenarios:
        if s.group == "deep":
            ordering = s.name.split(" ", 1)[1]
            first = by_name.get(f"list {ordering}")
            if first:
                a, b = pct(first.times, 95), pct(s.times, 95)
                lines.append(f"| {ordering} | {fmt(a)} | {fmt(b)} | {b / a:.2f} |")
    bulk = [s for s in scenarios if s.group == "bulk"]
    if bulk:
        lines += ["", f"## Bulk actions ({BULK_SIZE} ratings, target p95 ≤ {BULK_TARGET_MS} ms)", "",
                  "| request | p50 | p95 | statements | met |", "|---|---|---|---|---|"]
        for s in bulk:
            p95 = pct(s.times, 95)
            lines.append(f"| {s.name} | {fmt(pct(s.times, 50))} | {fmt(p95)} | {len(s.statements)} | "
                         f"{'yes' if p95 <= BULK_TARGET_MS else 'no'} |")
    analytics = [s for s in scenarios if s.group == "analytics"]
    if analytics:
        lines += ["", f"## Analytics (two years at the large merchant, target p95 ≤ {ANALYTICS_TARGET_MS} ms)", "",
                  "| request | p50 | p95 | sql p50 | sql p95 | statements | met |", "|---|---|---|---|---|---|---|"]
        for s in analytics:
            p95 = pct(s.times, 95)
            lines.append(f"| {s.name} | {fmt(pct(s.times, 50))} | {fmt(p95)} | {fmt(pct(s.sql, 50))} | "
                         f"{fmt(pct(s.sql, 95))} | {len(s.statements)} | "
                         f"{'yes' if p95 <= ANALYTICS_TARGET_MS else '**no**'} |")
    lines += targets(scenarios, by_name)
    base = by_name.get("list -created_at")
    if base:
        lines += ["", "## Filters vs the unfiltered list", "", "| request | p95 | ratio to `list -created_at` |",
                  "|---|---|---|"]
        for name in ("list branch", "list dates", "list branch+dates"):
            if name in by_name:
                lines.append(f"| {name} | {fmt(pct(by_name[name].times, 95))} | "
                             f"{pct(by_name[name].times, 95) / pct(base.times, 95):.2f} |")
    lines += ["", "## Row-level security on vs off", "",
              "The same SQL, interleaved: as the application role with `app.merchant_id` set (policies "
              "applied) and as the superuser (superusers bypass row-level security; the queries still "
              "filter on merchant_id themselves, so the rows are the same).", "",
              "**server**: planning + execution time as PostgreSQL reports it (EXPLAIN ANALYZE, "
              f"median of {SERVER_SAMPLES}), without the socket and client time the p95 columns carry.", "",
              "| request | sql p95 RLS on | sql p95 RLS off | overhead | server median RLS on | RLS off | overhead |",
              "|---|---|---|---|---|---|---|"]
    for name, on, off, server_on, server_off in rls:
        lines.append(f"| {name} | {fmt(on)} | {fmt(off)} | {100 * (on / off - 1):+.0f} % | "
                     f"{server_on:.3f} | {server_off:.3f} | {100 * (server_on / server_off - 1):+.0f} % |")
    if tput:
        lines += ["", "## Sustained throughput", "",
                  f"{THROUGHPUT_THREADS} client threads for {THROUGHPUT_SECONDS:.0f} s each on loopback.", "",
                  "| endpoint | requests/s |", "|---|---|"]
        for name, value in tput.items():
            lines.append(f"| {name} | {value:.0f} |")
        if "hello" in tput and "list -created_at" in tput:
            lines.append(f"\nList throughput is {100 * tput['list -created_at'] / tput['hello']:.0f} % of hello.")
    return "\n".join(lines) + "\n"


def targets(scenarios, by_name) -> list[str]:
    """Each row against the targets of issues 7 and 14: SQL p95 ≤ 2 ms, no Sort or Seq Scan on
    ratings, HTTP p95 ≤ 1.5 × its framework floor, page 1,000 ≤ 1.2 × page 1, bulk ≤ 300 ms."""
    lines = ["", "## Targets", "",
             "SQL p95 ≤ 2 ms (lists, searches, summaries, deep pages); plan without Sort or Seq Scan on "
             f"ratings; HTTP p95 ≤ 1.5 × framework floor; page 1,000 ≤ 1.2 × page 1; bulk p95 ≤ {BULK_TARGET_MS} ms.",
             "", "| request | sql ≤ 2 ms | plan | ≤ 1.5 × fw | deep ≤ 1.2 × page 1 | bulk ≤ 300 ms |",
             "|---|---|---|---|---|---|"]

    def mark(ok: bool | None) -> str:
        return "—" if ok is None else ("yes" if ok else "**no**")

    for s in scenarios:
        p95 = pct(s.times, 95)
        sql = pct(s.sql, 95) <= 2 if s.group in ("list", "search", "summary", "deep") and s.sql else None
        plan = not s.plan_problems if s.group in PLAN_CHECKED else None
        fw = p95 <= 1.5 * pct(s.framework, 95) if s.framework else None
        first = by_name.get("list " + s.name.split(" ", 1)[1]) if s.group == "deep" else None
        deep = p95 <= 1.2 * pct(first.times, 95) if first else None
        bulk = p95 <= BULK_TARGET_MS if s.group == "bulk" else None
        lines.append(f"| {s.name} | {mark(sql)} | {mark(plan)} | {mark(fw)} | {mark(deep)} | {mark(bulk)} |")
    return lines


def chart(scenarios, hello, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [s.name for s in scenarios] + ["hello"]
    req = [pct(s.times, 95) for s in scenarios] + [pct(hello, 95)]
    fw = [pct(s.framework, 95) for s in scenarios] + [float("nan")]
    db = [pct(s.db, 95) for s in scenarios] + [float("nan")]
    fig, ax = plt.subplots(figsize=(12, 0.38 * len(names) + 1.5))
    y = range(len(names))
    h = 0.27
    ax.barh([i - h for i in y], req, h, label="request p95")
    ax.barh(list(y), fw, h, label="framework floor p95")
    ax.barh([i + h for i in y], db, h, label="database floor p95")
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlabel("milliseconds")
    ax.axvline(20, color="grey", linestyle=":", linewidth=1)
    ax.set_title("Ratings Inbox bench: p95 per request vs its floors")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def measure() -> None:
    """The selected rows on this process's bench database (single PostgreSQL, or Citus)."""
    django_setup()
    from django.conf import settings  # noqa: F401

    from ratings.models import Rating

    merchant, tokens = ensure_users()
    total_rows = Rating.objects.using("owner").count()  # across merchants: the owner's count
    merchant_rows = Rating.objects.using("owner").filter(merchant=merchant).count()
    scenarios = build_scenarios(merchant)
    pooler = not ON_CITUS and ONLY.search(POOLER_ROW) is not None
    ingesting = not ON_CITUS and ONLY.search("ingest") is not None
    if not scenarios and not pooler and not ingesting:
        sys.exit("No endpoint to measure yet (neither the API nor the inbox page is in the URLs).")
    load = [os.getloadavg()]
    tput, hello, rls, pooled = {}, [], [], []
    text_ingest: list[str] = []
    if scenarios:
        say(f"{len(scenarios)} requests to measure{' on Citus' if ON_CITUS else ''}: capturing their SQL")
        capture(scenarios, tokens[0])
        if ON_CITUS:
            say("router plans (EXPLAIN: Task Count of each statement)")
            shard_counts(scenarios, merchant.pk)
        say("database floors, RLS on/off and plans")
        db_floors(scenarios, merchant.pk)
    chain = profiled = None
    if ingesting:
        say(f"ingestion: {ingest.PROFILED} pairs in-process, profiled")
        chain = ingest.chain_for(merchant)
        profiled = ingest.profile(chain)
    if scenarios or ingesting:
        sql_file = Path("/tmp") / f"bench-sql-{os.getpid()}.json"
        sql_file.write_text(json.dumps({s.key: s.statements for s in scenarios}))
        port = free_port()
        say(f"gunicorn on 127.0.0.1:{port}")
        process = start_gunicorn(port, sql_file)
        try:
            http = Http(port)
            cookie = http.login() if any(s.kind == "html" for s in scenarios) else ""
            if scenarios:
                say("HTTP requests")
                hello = measure_http(http, scenarios, tokens, cookie)
                say("throughput")
                lists = [s for s in scenarios if s.name == "list -created_at"]
                tput["hello"] = throughput(http, "/bench/hello/", lambda i: {})
                if lists:
                    tput["list -created_at"] = throughput(
                        http, lists[0].path, lambda i: {"Authorization": f"Token {tokens[i % len(tokens)]}"})
            if ingesting:
                say(f"ingestion: {ingest.PAIRS} pairs over HTTP, {ingest.THREADS} threads")
                before = ingest.load()
                admin = pg_connect(superuser=True)
                posted = ingest.over_http(port, chain, gunicorn=process.pid, admin=admin)
                admin.close()
                text_ingest = ingest.report(profiled, posted, load_before=before, load_after=ingest.load())
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            sql_file.unlink(missing_ok=True)
        rls = [(s.name, pct(s.sql, 95), pct(s.sql_norls, 95), statistics.median(s.server),
                statistics.median(s.server_norls)) for s in scenarios if s.server and s.server_norls]
        load.append(os.getloadavg())
    if pooler:
        say(POOLER_ROW)
        pooled = pooler_throughput(f"/api/v1/merchants/{merchant.slug}/ratings/?ordering=-created_at", tokens)
        load.append(os.getloadavg())
    text = report(scenarios, hello, rls, tput, merchant_rows, total_rows)
    if text_ingest:
        text += "\n".join(text_ingest) + "\n"
    text += "\n" + "\n".join(
        [("Citus 13.2 (../shared/citus/cluster: coordinator + 2 workers on this machine); " if ON_CITUS else "")
         + "load average (1, 5, 15 min) at the start and after each part: "
         + "; ".join(" ".join(f"{v:.2f}" for v in one) for one in load)]
        + (pooler_report(pooled) if pooled else [])) + "\n"
    DOCS.mkdir(parents=True, exist_ok=True)
    plans = ["", "## Plans (EXPLAIN ANALYZE, application role, RLS on)", ""]
    for s in scenarios:
        for plan in s.plans[:3]:
            plans += [f"### {s.name}", "", "```", plan, "```", ""]
    (DOCS / f"{OUTPUT}.md").write_text(text + "\n".join(plans))
    if scenarios:
        chart(scenarios, hello, DOCS / f"{OUTPUT}.png")
    print(text)
    say(f"wrote {DOCS / f'{OUTPUT}.md'}")
    if os.environ.get("BENCH_RESULTS"):  # for compare_with_citus
        Path(os.environ["BENCH_RESULTS"]).write_text(json.dumps({
            "rows": {s.name: {"status": s.status, "n": len(s.times), "p50": pct(s.times, 50), "p95": pct(s.times, 95),
                              "sql50": pct(s.sql, 50), "sql95": pct(s.sql, 95), "size": s.size, "shards": s.shards}
                     for s in scenarios},
            "load": load, "ratings": total_rows, "merchant_ratings": merchant_rows,
            # What compare_with_citus needs to ask both servers the same requests in turn.
            "requests": {s.name: {"path": s.path, "kind": s.kind, "users": s.users}
                         for s in scenarios if s.body is None},
            "tokens": tokens}))


def compare_with_citus() -> None:
    """BENCH_CITUS=1: the selected rows on the single PostgreSQL, then on the Citus cluster (same
    data, same requests, one process each), and the two side by side."""
    results = {}
    citus = citus_env()
    for side, extra in (("single", {}), ("citus", citus)):
        handle, name = tempfile.mkstemp(prefix=f"bench-{side}-", suffix=".json")
        os.close(handle)
        env = {**os.environ, **extra, "BENCH_CITUS": "0", "BENCH_RESULTS": name,
               "BENCH_OUTPUT": OUTPUT if side == "single" else f"{OUTPUT}-citus"}
        subprocess.run([sys.executable, str(Path(__file__).resolve())], check=True, cwd=ROOT, env=env)
        results[side] = json.loads(Path(name).read_text())
        Path(name).unlink()
    say("both servers in turn")
    load = [os.getloadavg()]
    turns = in_turn(results["single"], results["citus"],
                    {"BENCH_TARGET": "citus", "DATABASE_URL": citus["BENCH_DATABASE_URL"]})
    load.append(os.getloadavg())
    text = citus_report(results["single"], results["citus"], turns, load)
    (DOCS / f"{OUTPUT}-vs-citus.md").write_text(text)
    print(text)
    say(f"wrote {DOCS / f'{OUTPUT}-vs-citus.md'}")


def in_turn(single: dict, citus: dict, citus_extra: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Every GET row again with both servers up, one gunicorn (2 workers) each: a request to the
    single PostgreSQL's, then the same to Citus's, in turn, so that both sides see the same load of
    a shared machine (measured one after the other, a neighbour's burst lands on one side only)."""
    sides = {"single": single, "citus": citus}
    servers, https = [], {}
    try:
        for side, extra in (("single", {}), ("citus", citus_extra)):
            port = free_port()
            servers.append(start_gunicorn(port, None, 2, extra))
            https[side] = Http(port)
        html = any(r["kind"] == "html" for r in single["requests"].values())
        cookies = {side: https[side].login() if html else "" for side in sides}

        def call(side: str, name: str, i: int) -> float:
            row = sides[side]["requests"][name]
            tokens = sides[side]["tokens"]
            headers = ({"Cookie": cookies[side]} if row["kind"] == "html"
                       else {"Authorization": f"Token {tokens[i % min(row['users'], len(tokens))]}"})
            return https[side].get(row["path"], headers)[3]

        turns = {}
        for name in single["requests"]:
            if name not in citus["requests"]:
                continue
            for i in range(WARMUP):
                call("single", name, i)
                call("citus", name, i)
            one, dist = [], []
            stop = time.perf_counter() + 2 * BUDGET
            while len(one) < N and (len(one) < MIN_SAMPLES or time.perf_counter() < stop):
                one.append(call("single", name, len(one)))
                dist.append(call("citus", name, len(dist)))
            turns[name] = (one, dist)
    finally:
        for process in servers:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    return turns


def citus_report(single: dict, citus: dict, turns: dict, load: list) -> str:
    def shards(counts: list[list[int]]) -> str:
        if not counts:
            return "no distributed table"
        flat = [c for statement in counts for c in statement]
        if set(flat) == {1}:
            return f"{len(counts)} statement{'s' if len(counts) > 1 else ''}, each on 1 shard"
        return f"**{len(counts)} statements, Task Counts {counts}**"

    def loads(side: dict) -> str:
        return "; ".join(" ".join(f"{v:.2f}" for v in one) for one in side["load"])

    lines = [
        "# Bench: single PostgreSQL vs Citus, same requests, same data",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `BENCH_CITUS=1 make bench` "
        f"(bench/run.py): {single['ratings']:,} ratings ({single['merchant_ratings']:,} at `{BIG_SLUG}`) "
        f"in both; Citus 13.2, coordinator + 2 workers on this same machine ({os.cpu_count()} cores, shared), "
        "the tables distributed by `manage.py distribute` (32 shards). Each side through gunicorn with 2 sync "
        "workers on loopback; times in milliseconds. Shards: the Task Count of every "
        "statement of the request that reads or writes a distributed table (EXPLAIN as the application role; "
        "1 is a router plan sent whole to one shard). **sql**: the request's statements on rating, customer and "
        "gift tables replayed alone with psycopg2 as the application role (its database time); **bytes**: the "
        "size of the response body on each side (the same data answers the same).",
        "",
        "**In turn**: both servers up at once, each GET row asked of the single PostgreSQL's gunicorn "
        "then of Citus's, request after request, so that both sides see the same machine load (the "
        "ratio to read); **one after the other**: each side's own run (bench/run.py on its database, its "
        "full report beside this one), where a neighbour's burst lands on one side only.",
        "",
        f"Load average (1, 5, 15 min) during the single side: {loads(single)}; during the Citus side: "
        f"{loads(citus)}; in turn: {loads({'load': load})}.",
        "",
        "| request | HTTP single / Citus | bytes single / Citus | in turn: single p50 | single p95 | Citus p50 | "
        "Citus p95 | **p95 ratio** | one after the other: single p95 | Citus p95 | ratio | sql p50 single / Citus "
        "| shards per statement (Citus) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    router = True
    for name, one in single["rows"].items():
        dist = citus["rows"].get(name)
        if dist is None:
            continue
        router = router and all(set(c) == {1} for c in dist["shards"])
        a, b = turns.get(name, ([], []))
        ratio = f"**{pct(b, 95) / pct(a, 95):.2f}**" if a else "—"
        lines.append(f"| {name} | {one['status']} / {dist['status']} | {one['size']:,} / {dist['size']:,} | "
                     f"{fmt(pct(a, 50))} | {fmt(pct(a, 95))} | {fmt(pct(b, 50))} | {fmt(pct(b, 95))} | {ratio} | "
                     f"{fmt(one['p95'])} | {fmt(dist['p95'])} | {dist['p95'] / one['p95']:.2f} | "
                     f"{fmt(one['sql50'])} / {fmt(dist['sql50'])} | {shards(dist['shards'])} |")
    lines += ["", "Every request's statements on distributed tables are one-shard router plans: "
                  + ("**yes**." if router else "**no** (see the rows above).")]
    return "\n".join(lines) + "\n"


def main() -> None:
    if os.environ.get("BENCH_CITUS") == "1" and not ON_CITUS:
        compare_with_citus()
    else:
        measure()


if __name__ == "__main__":
    main()
