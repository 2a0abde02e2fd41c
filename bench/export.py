"""Throughput and memory of the CSV export (CASE-10) on a large merchant: rows/s and peak memory.

    .venv/bin/python bench/export.py                  # the bench database's large merchant (make bench-data)
    BENCH_DATABASE_URL=postgres://…/ri_export_bench .venv/bin/python bench/export.py --fill 300000
                                                      # or a throwaway database: N ratings made by SQL

The export is requested in-process through Django's test client as the merchant's admin (API
token), and its stream consumed as a server would. Three passes, in this order:
  1. the whole response, timed (rows/s, MB/s) with the process's peak RSS before and after, and
     the CPU time of this process and of its PostgreSQL backend: on a loaded machine the wall
     rate measures the load, and their sum what an idle machine would do;
  2. the rows alone (ratings.selectors.rating_export_rows, no CSV), to tell SQL from writing;
  3. the whole response again under tracemalloc: the peak of memory allocated while streaming
     (tracemalloc slows Python down, so this pass is not timed).
Flat memory shows as an RSS that does not grow with the export and a traced peak of about
one page's chunk, not the file's size.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIG_SLUG, django_setup, manage  # noqa: E402

FILL_SLUG = "export-bench"
FIRST_NAMES = ["María", "José", "Ana", "Luis", "Sofía", "Andrés", "Lucía", "Martín", "Iñaki", "Camila"]
LAST_NAMES = ["Núñez", "Pérez", "Gómez", "Muñoz", "Ruiz", "Peña", "Díaz", "Ortiz", "Zúñiga", "Castaño"]
COMMENTS = ["Excelente atención, volveré pronto.", "La comida llegó fría y tardaron mucho.",
            "Muy buen servicio; el mesero fue \"muy\" amable.", "=precios altos", "-- no volvería"]


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend of this connection has used (a local server, Linux /proc);
    with the process's own CPU time, the export's work whatever the machine's load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(count: int) -> None:
    """A merchant FILL_SLUG with 20 branches, 30,000 customers and `count` ratings (a third with a
    comment, detractors with cases in every state), written by INSERT … SELECT; once."""
    from django.db import connection, transaction

    from merchants import tenancy
    from merchants.models import Membership, Merchant
    from merchants.services import merchant_create

    def sql_array(values):
        return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"

    with tenancy.all_merchants(), transaction.atomic():
        if Merchant.objects.filter(slug=FILL_SLUG).exists():
            return
        started = time.perf_counter()
        merchant = merchant_create(slug=FILL_SLUG, name="Export Bench", admin_email=f"admin@{FILL_SLUG}.local",
                                   admin_password="bench-password-1", timezone_name="America/Bogota",
                                   currency="COP", language="es")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("INSERT INTO merchants_branch (merchant_id, name, address, is_active) SELECT %s, 'Sede ' || g, '', true"
                           " FROM generate_series(2, 20) g", [merchant.pk])
            cursor.execute(
                "INSERT INTO customers_customer (merchant_id, external_id, full_name, name_key, email, email_opt_out,"
                " points_balance, created_at)"
                f" SELECT %s, 'c' || g, n, lower(translate(n, 'áéíóúñÁÉÍÓÚÑ', 'aeiounAEIOUN')), 'c' || g || '@example.com',"
                " false, 0, now() FROM (SELECT g,"
                f" ({sql_array(FIRST_NAMES)})[1 + mod(g, 10)] || ' ' || ({sql_array(LAST_NAMES)})[1 + mod(g / 10, 10)]"
                " || ' ' || g AS n FROM generate_series(1, 30000) g) names",
                [merchant.pk])
            # The n-th branch and customer by a numbered join (hash joins, one pass each).
            cursor.execute(
                "INSERT INTO customers_visit (merchant_id, branch_id, customer_id, visited_at, invoice_number,"
                " invoice_total, currency, created_at)"
                " SELECT %s, b.id, c.id, now() - g * interval '1 minute' - interval '1 hour', 'F-' || g, 45900,"
                " 'COP', now() - g * interval '1 minute' FROM generate_series(1, %s) g"
                " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM merchants_branch"
                "       WHERE merchant_id = %s) b ON b.n = mod(g, 20)"
                " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM customers_customer"
                "       WHERE merchant_id = %s) c ON c.n = mod(g::bigint * 7919, 30000)",
                [merchant.pk, count, merchant.pk, merchant.pk])
            admin_id = Membership.objects.get(merchant=merchant).user_id
            cursor.execute(
                "INSERT INTO ratings_rating (merchant_id, visit_id, customer_id, branch_id, customer_name_key, score,"
                " comment, is_read, created_at, messages_count, replies_count, status, priority, owner_id,"
                " first_response_at, resolved_at, last_activity_at, needs_reply, followup_score)"
                " SELECT v.merchant_id, v.id, v.customer_id, v.branch_id, c.name_key, s.score,"
                f" CASE WHEN mod(v.id, 3) = 0 THEN ({sql_array(COMMENTS)})[1 + mod(v.id, 5)] END,"
                " mod(v.id, 4) <> 0, v.created_at, 0, 0,"
                " CASE WHEN s.score > 6 THEN 'none' WHEN mod(v.id, 3) = 0 THEN 'resolved' WHEN mod(v.id, 3) = 1 THEN 'open'"
                "  ELSE 'new' END,"
                " CASE WHEN s.score > 6 THEN NULL WHEN s.score <= 3 THEN 'high' ELSE 'medium' END,"
                " CASE WHEN s.score <= 6 AND mod(v.id, 5) = 0 THEN %s END,"
                " CASE WHEN s.score <= 6 AND mod(v.id, 3) <> 2 THEN v.created_at + interval '3 hours' END,"
                " CASE WHEN s.score <= 6 AND mod(v.id, 3) = 0 THEN v.created_at + interval '1 day' END,"
                " v.created_at, false, CASE WHEN s.score <= 6 AND mod(v.id, 3) = 0 THEN 1 + mod(v.id, 10) END"
                " FROM customers_visit v JOIN customers_customer c ON c.id = v.customer_id,"
                " LATERAL (SELECT 1 + mod(v.id * 31, 10) AS score) s WHERE v.merchant_id = %s",
                [admin_id, merchant.pk])
        print(f"filled {FILL_SLUG}: {count:,} ratings in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        for table in ("ratings_rating", "customers_visit", "customers_customer"):
            cursor.execute(f"ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fill", type=int, metavar="N", help="make a merchant of N ratings here (once) and use it")
    parser.add_argument("--ordering", default="-created_at")
    args = parser.parse_args()
    if args.fill:
        manage("bootstrap_db")
        manage("migrate", "--verbosity", "0")
    django_setup()
    if args.fill:
        fill(args.fill)

    from django.test import Client

    from accounts.services import api_token_create
    from merchants import tenancy
    from merchants.access import Access
    from merchants.models import Membership, Merchant
    from ratings.selectors import RatingFilters, rating_export_rows

    slug = FILL_SLUG if args.fill else BIG_SLUG
    with tenancy.all_merchants():
        merchant = Merchant.objects.get(slug=slug)
        admin = Membership.objects.filter(merchant=merchant, role="admin").select_related("user").first().user
        token = api_token_create(user=admin)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    url = f"/api/v1/merchants/{slug}/ratings/export.csv?ordering={args.ordering}"

    def export() -> tuple[int, int]:
        response = client.get(url)
        assert response.status_code == 200, response.content
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\r\n")
        return lines - 1, size

    client.get(url + "&q=%231").getvalue()  # warm-up: the first request imports and builds what it needs
    rss_before = rss_mb()
    started, cpu_started, db_started = time.perf_counter(), time.process_time(), backend_cpu()
    rows, size = export()
    seconds, cpu, db = time.perf_counter() - started, time.process_time() - cpu_started, backend_cpu() - db_started
    rss_after = rss_mb()
    print(f"{slug}, ordering {args.ordering}: {rows:,} rows, {size / 2**20:.1f} MB of CSV; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"export:    {seconds:6.2f} s  {rows / seconds:9,.0f} rows/s  {size / 2**20 / seconds:5.1f} MB/s"
          f"\n           CPU: this process {cpu:.2f} s + PostgreSQL {db:.2f} s = {rows / (cpu + db):,.0f} rows/s"
          " of CPU (the wall rate on an idle machine, the two taking turns)")
    print(f"peak RSS:  {rss_before:6.1f} MB before, {rss_after:.1f} MB after (+{rss_after - rss_before:.1f})")

    with tenancy.tenant(merchant.pk, user_id=admin.pk):
        started, cpu_started = time.perf_counter(), time.process_time()
        read = sum(1 for _ in rating_export_rows(access=Access.system(merchant), filters=RatingFilters(),
                                                 ordering=args.ordering))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"rows only: {seconds:6.2f} s  {read / seconds:9,.0f} rows/s (the selector, no CSV; this process's CPU:"
          f" {cpu:.2f} s)")

    tracemalloc.start()
    export()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"traced peak while streaming: {peak / 2**20:.1f} MB (the file: {size / 2**20:.1f} MB);"
          f" peak RSS now {rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
