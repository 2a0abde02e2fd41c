"""SLA-3 at scale (issue 15): the alert sweep's SQL over 300,000 ratings and 20,000 open cases,
and 10,000 due alerts across 100 merchants drained by a worker at concurrency 2.

    DATABASE_URL=postgres://…/ri_alerts_bench (with the DATABASE_*_ROLE variables)
    .venv/bin/python manage.py bootstrap_db && .venv/bin/python manage.py migrate
    .venv/bin/python bench/alerts.py [--ratings 300000] [--drain 10000]

Runs on DATABASE_URL's database with DJANGO_SETTINGS_MODULE (a throwaway database: it adds
merchants to it, once, by SQL).
1. sweep: the merchant `alerts-bench` with N ratings (one a minute back from now, 20 branches,
   30,000 customers), 60 % detractors with cases as ratings.cases leaves them (at risk after 18
   hours, due after 24), the 20,000 most recent open (half of them answered), the rest resolved;
   each case at the alert stage it reached (as migration 0015 sets it), except those that turned
   at risk since "the last sweep" (the last 6 hours' unanswered ones). Measures
   alerts.tasks.sla_due as the sweeper: EXPLAIN ANALYZE execution time over 30 runs, the plan
   (an Index Scan of rating_sla_alert_next), and the call's wall time.
2. drain: 100 merchants with 100 cases each, breached a minute ago and owned by the admin:
   10,000 breach alerts. A worker (`celery worker -B --pool=prefork -c 2`, the sweeps every
   second) on a private Redis and an SMTP sink records and sends them; the time from the
   worker's start to the last message accepted by the SMTP server, the CPU of the worker's
   processes (start-up, main process, pool) and of the sink (this process), the load average.
3. --profile N (instead of 2): the same drain in this process for the first N / 100 merchants, with a
   discarding SMTP server in a process of its own: the alerts sweep (recording), then each
   merchant's e-mails sent in batches of EMAIL_BATCH_SIZE; this thread's CPU per e-mail for each
   step, then the same again under cProfile on this thread's CPU clock (waits do not count; the
   profiler's own cost inflates the figures about threefold) with the functions that took it.
The latest output: docs/bench/alerts.txt; the figures and what they led to: docs/bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SWEEP_SLUG = "alerts-bench"
DRAIN_MERCHANTS = 100
OPEN_CASES = 20_000


def _merchant(slug: str, name: str):
    from merchants.models import Merchant
    from merchants.services import merchant_create

    existing = Merchant.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, False
    return merchant_create(slug=slug, name=name, admin_email=f"admin@{slug}.local", admin_password="bench-password-1",
                           timezone_name="America/Bogota", currency="COP", language="es"), True


def _ratings_sql(count_param: str, case_sql: str) -> str:
    """Customers, visits and ratings of the current merchant by INSERT … SELECT (RLS checks each)."""
    return f"""
        INSERT INTO ratings_rating (merchant_id, visit_id, customer_id, branch_id, customer_name_key, score,
            is_read, created_at, messages_count, replies_count, last_activity_at, needs_reply, {case_sql[0]})
        SELECT v.merchant_id, v.id, v.customer_id, v.branch_id, c.name_key, s.score, true, v.created_at, 0, 0,
            v.created_at, false, {case_sql[1]}
          FROM customers_visit v JOIN customers_customer c ON c.id = v.customer_id,
               LATERAL (SELECT {count_param} AS score) s
         WHERE v.merchant_id = %s"""


def _people(cursor, merchant_id: int, customers: int, visits: int, minutes_back: str) -> None:
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("INSERT INTO merchants_branch (merchant_id, name, address, is_active)"
                   " SELECT %s, 'Sede ' || g, '', true FROM generate_series(2, 20) g", [merchant_id])
    cursor.execute(
        "INSERT INTO customers_customer (merchant_id, external_id, full_name, name_key, email, email_opt_out,"
        " points_balance, created_at) SELECT %s, 'c' || g, 'Cliente ' || g, 'cliente ' || g, NULL, false, 0, now()"
        " FROM generate_series(1, %s) g", [merchant_id, customers])
    cursor.execute(
        "INSERT INTO customers_visit (merchant_id, branch_id, customer_id, visited_at, invoice_number,"
        " invoice_total, currency, created_at)"
        f" SELECT %s, b.id, c.id, {minutes_back} - interval '1 hour', 'F-' || g, 45900, 'COP', {minutes_back}"
        " FROM generate_series(1, %s) g"
        " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM merchants_branch"
        "       WHERE merchant_id = %s) b ON b.n = mod(g, (SELECT count(*) FROM merchants_branch WHERE merchant_id = %s))"
        " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM customers_customer"
        "       WHERE merchant_id = %s) c ON c.n = mod(g::bigint * 7919, %s)",
        [merchant_id, visits, merchant_id, merchant_id, merchant_id, customers])


def fill_sweep(count: int):
    from django.db import connection, transaction

    from merchants import tenancy

    merchant, created = _merchant(SWEEP_SLUG, "Alerts Bench")
    if not created:
        return merchant
    started = time.perf_counter()
    with tenancy.tenant(merchant.pk), transaction.atomic(), connection.cursor() as cursor:
        _people(cursor, merchant.pk, 30_000, count, "now() - g * interval '1 minute'")
        cases = ("status, priority, case_opened_at, at_risk_at, due_at, due_order, resolved_at, sla_alerted",
                 "CASE WHEN s.score > 6 THEN 'none' ELSE 'resolved' END,"
                 " CASE WHEN s.score > 6 THEN NULL WHEN s.score <= 3 THEN 'high' ELSE 'medium' END,"
                 " CASE WHEN s.score <= 6 THEN v.created_at END,"
                 " CASE WHEN s.score <= 6 THEN v.created_at + interval '18 hours' END,"
                 " CASE WHEN s.score <= 6 THEN v.created_at + interval '24 hours' END,"
                 " CASE WHEN s.score <= 6 THEN v.created_at + interval '24 hours' ELSE '9999-12-31' END,"
                 " CASE WHEN s.score <= 6 THEN v.created_at + interval '2 days' END, 2")
        cursor.execute(_ratings_sql("1 + mod(v.id * 31, 10)", cases), [merchant.pk])
        # The 20,000 most recent detractors open, half answered within 3 hours; the stage reached.
        cursor.execute(
            "UPDATE ratings_rating r SET resolved_at = NULL,"
            " status = CASE WHEN mod(r.id, 2) = 0 THEN 'open' ELSE 'new' END,"
            " first_response_at = CASE WHEN mod(r.id, 2) = 0 THEN r.created_at + interval '3 hours' END,"
            " sla_alerted = CASE WHEN mod(r.id, 2) = 0 THEN 2 WHEN r.due_at <= now() THEN 2"
            "                    WHEN r.at_risk_at <= now() THEN 1 ELSE 0 END"
            " FROM (SELECT id FROM ratings_rating WHERE merchant_id = %s AND score <= 6"
            "       ORDER BY created_at DESC LIMIT %s) recent WHERE r.merchant_id = %s AND r.id = recent.id",
            [merchant.pk, OPEN_CASES, merchant.pk])
    with connection.cursor() as cursor:
        for table in ("ratings_rating", "customers_visit", "customers_customer"):
            cursor.execute(f"ANALYZE {table}")
    print(f"filled {SWEEP_SLUG}: {count:,} ratings in {time.perf_counter() - started:.0f} s")
    return merchant


def measure_sweep(merchant) -> None:
    from django.conf import settings
    from django.db import connection, connections
    from django.utils import timezone

    from alerts.tasks import sla_due, sla_due_rows
    from merchants import platform, tenancy
    from ratings.models import OPEN_STATUSES, SLA_ALERT_PENDING, Rating

    with tenancy.tenant(merchant.pk):
        # Those that turned at risk since the last sweep: the unanswered ones of 18-24 hours ago.
        turned = Rating.objects.filter(merchant=merchant, status__in=OPEN_STATUSES, first_response_at__isnull=True,
                                       at_risk_at__lte=timezone.now(), due_at__gt=timezone.now()
                                       ).update(sla_alerted=0)
        total = Rating.objects.filter(merchant=merchant).count()
        open_cases = Rating.objects.filter(merchant=merchant, status__in=OPEN_STATUSES).count()
        pending = Rating.objects.filter(SLA_ALERT_PENDING, merchant=merchant).count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ratings_rating")
    now = timezone.now()
    sql, params = sla_due_rows(now, settings.SWEEP_WINDOW).query.sql_with_params()
    times, plan = [], ""
    with connections[platform.SWEEPER].cursor() as cursor:
        for _ in range(30):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
            times.append(float(lines[-1].split(":")[1].split()[0]))
            plan = "\n".join(lines)
    walls = []
    for _ in range(30):
        started = time.perf_counter()
        found = sla_due(now, settings.SWEEP_WINDOW)
        walls.append((time.perf_counter() - started) * 1000)
    print(f"\nSWEEP ratings={total:,} open_cases={open_cases:,} pending_in_index={pending:,} due_now={turned}"
          f" found={len(found)}")
    print(f"SWEEP sql_ms p50={statistics.median(times):.3f} max={max(times):.3f} (EXPLAIN ANALYZE, 30 runs, sweeper)"
          f" call_ms p50={statistics.median(walls):.2f} max={max(walls):.2f}")
    print(plan)
    assert "rating_sla_alert_next" in plan and "Seq Scan" not in plan, "the sweep must read its index"
    with tenancy.tenant(merchant.pk):  # as the sweep leaves them: nothing of this merchant for the drain
        Rating.objects.filter(SLA_ALERT_PENDING, merchant=merchant, at_risk_at__lte=timezone.now()).update(
            sla_alerted=1)


def fill_drain(per_merchant: int) -> list:
    from django.db import connection, transaction

    from merchants import tenancy
    from merchants.models import Membership

    merchants = []
    for n in range(DRAIN_MERCHANTS):
        merchant, created = _merchant(f"alerts-drain-{n}", f"Drain {n}")
        merchants.append(merchant)
        if not created:
            continue
        with tenancy.tenant(merchant.pk), transaction.atomic(), connection.cursor() as cursor:
            Membership.objects.filter(merchant=merchant).update(notify_new_detractor="off")
            admin_id = Membership.objects.get(merchant=merchant).user_id
            _people(cursor, merchant.pk, per_merchant, per_merchant,
                    "now() - interval '1 day' - g * interval '1 second'")
            cases = ("status, priority, owner_id, case_opened_at, at_risk_at, due_at, due_order, sla_alerted",
                     f"'new', 'high', {int(admin_id)}, v.created_at, v.created_at + interval '18 hours',"
                     " v.created_at + interval '24 hours', v.created_at + interval '24 hours', 1")
            cursor.execute(_ratings_sql("2", cases), [merchant.pk])
    return merchants


def reset_drain(merchants) -> int:
    """Every drain case back to "breached a minute ago, breach not yet alerted", no e-mails."""
    from merchants import tenancy
    from notifications.models import OutgoingEmail
    from ratings.models import Rating

    due = 0
    for merchant in merchants:
        with tenancy.tenant(merchant.pk):
            OutgoingEmail.objects.filter(merchant=merchant).delete()
            due += Rating.objects.filter(merchant=merchant).update(sla_alerted=1, first_response_at=None,
                                                                   status="new")
    return due


def _group_cpu_seconds(pgid: int) -> tuple[float, float]:
    """user + system CPU of every live process of the worker's group: the main process (consumer
    and beat) and its pool children (with those that ended)."""
    main = pool = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        if int(fields[2]) == pgid:  # pgrp
            own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            children = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
            if pid == pgid:
                main, pool = main + own, pool + children
            else:
                pool += own + children
    return main, pool


def drain(merchants) -> None:
    import logging

    from django.conf import settings
    from django.db import connection

    from tests.notifications.harness import RedisServer, SmtpSink, wait_for

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the sink's per-command log
    expected = reset_drain(merchants)
    connection.close()
    redis, sink = RedisServer(), SmtpSink()
    redis.start()
    sink.start()
    log = redis.dir / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ratings_inbox.settings.test_worker",
           "DATABASE_NAME_OVERRIDE": settings.DATABASES["default"]["NAME"], "REDIS_URL": redis.url,
           "EMAIL_URL": sink.url, "SWEEP_INTERVAL_SECONDS": "1", "SWEEP_GRACE_SECONDS": "5",
           "DIGEST_SWEEP_SECONDS": "3600", "PYTHONUNBUFFERED": "1"}
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "ratings_inbox", "worker", "--pool=prefork", "-c", "2",
               "-B", "-s", str(redis.dir / "beat"), "-n", f"drain-{os.getpid()}@%h", "-l", "WARNING",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with open(log, "w") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        started, bench_cpu = time.monotonic(), time.process_time()
        def delivered() -> int:
            with sink.handler.lock:
                return sum(1 for m in sink.handler.messages if "@alerts-drain-" in m["To"])

        wait_for(lambda: delivered() >= 1 or worker.poll() is not None, 120, 0.05, "the first alert")
        first, start_cpu = time.monotonic() - started, sum(_group_cpu_seconds(worker.pid))
        wait_for(lambda: delivered() >= expected or worker.poll() is not None, 1200, 0.5,
                 f"{expected} alerts at the SMTP server")
        seconds = time.monotonic() - started
        main_cpu, pool_cpu = _group_cpu_seconds(worker.pid)
        cpu = main_cpu + pool_cpu
        sink_cpu = time.process_time() - bench_cpu
        load = os.getloadavg()[0]
        time.sleep(3)
        with sink.handler.lock:
            counts = Counter(m["Message-ID"].strip() for m in sink.handler.messages if "@alerts-drain-" in m["To"])
        duplicates = sum(n - 1 for n in counts.values() if n > 1)
        print(f"\nDRAIN alerts={expected:,} merchants={len(merchants)} delivered={len(counts):,}"
              f" duplicates={duplicates} seconds={seconds:.1f} rate={expected / seconds:.0f}/s"
              f" worker_cpu_s={cpu:.1f} load_avg_1m={load:.1f}"
              f" (worker prefork -c 2 with beat, from start to the last message accepted)")
        print(f"DRAIN first_alert_s={first:.1f} cpu_until_first_s={start_cpu:.1f} (start-up, first sweep)"
              f" main_process_cpu_s={main_cpu:.1f} (consumer and beat) pool_cpu_s={pool_cpu:.1f}"
              f" per_alert_after_first_ms={(cpu - start_cpu) * 1000 / expected:.2f}"
              f" smtp_sink_cpu_s={sink_cpu:.1f} (this process: aiosmtpd parsing every message, one thread)")
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(30)
        sink.stop()
        redis.stop()


def _top(profile: cProfile.Profile, lines: int) -> None:
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)


def profile_drain(merchants, per_merchant: int, alerts: int) -> None:
    """Records and sends the alerts of the first alerts / 100 merchants in this process (step 3)."""
    import logging
    import socket

    from django.conf import settings
    from django.db import connection

    from alerts.tasks import sla_alerts_sweep
    from merchants import tenancy
    from notifications.models import OutgoingEmail
    from notifications.tasks import email_deliver_many
    from ratings_inbox.settings.base import email_settings
    from tests.notifications.harness import free_port, point_celery_at, wait_for

    chosen = merchants[: max(alerts // per_merchant, 1)]
    expected = reset_drain(chosen)
    point_celery_at("memory://")  # the hand-offs after commit go nowhere: this process sends
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], start_new_session=True)
    wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 10, 0.05, "the SMTP sink")
    for name, value in email_settings(f"smtp://127.0.0.1:{port}").items():
        setattr(settings, name, value)
    logging.getLogger("notifications.tasks").setLevel(logging.WARNING)  # as the bench's worker logs

    def record() -> int:
        return sla_alerts_sweep(window=expected)

    def send() -> int:
        sent = 0
        for merchant in chosen:
            with tenancy.tenant(merchant.pk):
                ids = list(OutgoingEmail.objects.filter(merchant=merchant, status="queued")
                           .order_by("id").values_list("pk", flat=True))
                for start in range(0, len(ids), settings.EMAIL_BATCH_SIZE):
                    sent += email_deliver_many(merchant.pk, ids[start:start + settings.EMAIL_BATCH_SIZE])["sent"]
        return sent

    try:
        for profiled in (False, True):  # first the CPU alone, then again (the same alerts) under cProfile
            reset_drain(chosen)
            for step in (record, send):
                profile = cProfile.Profile(time.thread_time)
                cpu, wall = time.thread_time(), time.perf_counter()
                if profiled:
                    profile.enable()
                done = step()
                profile.disable()
                cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
                print(f"\nPROFILE {step.__name__}{' (under cProfile)' if profiled else ''} e-mails={done:,}"
                      f" merchants={len(chosen)} cpu_ms_per_email={cpu * 1000 / max(done, 1):.2f}"
                      f" wall_ms_per_email={wall * 1000 / max(done, 1):.2f} load_avg_1m={os.getloadavg()[0]:.1f}")
                if profiled:
                    _top(profile, 30)
    finally:
        os.killpg(sink.pid, 15)
        sink.wait(10)
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ratings", type=int, default=300_000)
    parser.add_argument("--drain", type=int, default=10_000, help="due alerts, over 100 merchants (0: skip)")
    parser.add_argument("--profile", type=int, default=0,
                        help="due alerts recorded and sent in this process under cProfile (instead of the drain)")
    args = parser.parse_args()
    import django

    django.setup()
    measure_sweep(fill_sweep(args.ratings))
    if args.profile:
        per_merchant = args.drain // DRAIN_MERCHANTS
        profile_drain(fill_drain(per_merchant), per_merchant, args.profile)
    elif args.drain:
        drain(fill_drain(args.drain // DRAIN_MERCHANTS))


if __name__ == "__main__":
    main()
