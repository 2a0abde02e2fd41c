"""One request at a time, in-process, on the bench database: where its time and its SQL go.

    .venv/bin/python bench/inprocess.py PATH [PATH ...] [-n 300] [--profile] [--plans] [--target detail-pane]

`make bench` measures through gunicorn; this is for finding the cause of a figure. Each PATH
("{m}" stands for the large merchant's slug) is requested through Django's test client as the
bench user: with its API token under /api/, logged in otherwise (--target sends htmx's
HX-Request and HX-Target headers). It prints p50/p95 over -n requests; --profile adds the
cProfile of those requests, --plans runs EXPLAIN ANALYZE on every SELECT the request made and
prints planning + execution time, rows removed by filters, sequential scans and sorts.
The throttle's counters are cleared as it goes, so long runs are not answered 429.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_EMAIL, BIG_SLUG, django_setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--target", help="HX-Target of an htmx request, e.g. detail-pane")
    args = parser.parse_args()
    django_setup()

    import redis
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.services import api_token_create
    from merchants import tenancy
    from merchants.models import Merchant

    throttle = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    user = User.objects.get(email=BENCH_EMAIL)
    token = api_token_create(user=user)
    merchant = Merchant.objects.get(slug=BIG_SLUG)
    api = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    page = Client(HTTP_HOST="127.0.0.1")
    page.force_login(user)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": args.target} if args.target else {}

    for raw in args.paths:
        path = raw.replace("{m}", BIG_SLUG)
        client = api if path.startswith("/api/") else page
        sent = itertools.count()

        def get(client=client, path=path, sent=sent):
            if next(sent) % 500 == 0:
                throttle.flushdb()
            return client.get(path, **headers)

        response = None
        for _ in range(20):
            response = get()
        times = []
        for _ in range(args.n):
            started = time.perf_counter()
            get()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"{response.status_code} {path}: p50 {statistics.median(times):.2f} ms, "
              f"p95 {times[int(len(times) * 0.95)]:.2f} ms over {args.n}")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.n):
                get()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        if args.plans:
            with CaptureQueriesContext(connection) as captured:
                get()
            tenancy.set_tenant(merchant.pk)
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT") or "set_config(" in sql:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                spent = sum(float(t) for t in re.findall(r"(?:Planning|Execution) Time: ([0-9.]+)", plan))
                removed = sum(int(r) for r in re.findall(r"Rows Removed by Filter: (\d+)", plan))
                seq = ",".join(re.findall(r"Seq Scan on (\w+)", plan)) or "-"
                sorts = len(re.findall(r"Sort Method", plan))
                print(f"  {spent:6.2f} ms  removed {removed:6d}  seq {seq}  sorts {sorts}  {sql[:110]}")
            tenancy.clear_tenant()


if __name__ == "__main__":
    main()
