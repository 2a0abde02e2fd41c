"""Bench-only views (mounted at /bench/ when BENCH_VIEWS=1): the floors requests are compared with.

- hello: a constant JSON body; what gunicorn + Django cost with no database at all.
- floor/<name>: the framework floor of a measured request: the same SQL statements the
  request ran (captured by bench/run.py into BENCH_SQL_FILE), executed in order on
  Django's connection, the rows of every statement that returns data (all but the tenant
  settings' bookkeeping) returned as json.dumps. No DRF, no serializers, no templates: what
  is left above it is the application's own cost.
"""

from __future__ import annotations

import json
import os
import re

from django.db import connection, transaction
from django.http import Http404, HttpResponse

from merchants import tenancy

_SCENARIOS: dict[str, list[str]] | None = None
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.I)


def _scenarios() -> dict[str, list[str]]:
    global _SCENARIOS
    if _SCENARIOS is None:
        path = os.environ.get("BENCH_SQL_FILE")
        _SCENARIOS = json.load(open(path)) if path and os.path.exists(path) else {}
    return _SCENARIOS


def hello(request):
    return HttpResponse(b'{"hello":"world"}', content_type="application/json")


def floor(request, name: str):
    statements = _scenarios().get(name)
    if statements is None:
        raise Http404(name)
    results = []
    try:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None and "set_config(" not in sql:
                    results.append(cursor.fetchall())
    finally:
        tenancy.clear_tenant()
    # A write's statements (bulk actions) are rolled back with the request's transaction
    # (ATOMIC_REQUESTS), so that each floor request starts from the same rows.
    if any(WRITE.match(sql) for sql in statements):
        transaction.set_rollback(True)
    return HttpResponse(json.dumps(results, default=str), content_type="application/json")
