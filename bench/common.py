"""Shared by the bench scripts: which database the bench uses and how to reach it.

The bench never touches the development database `ratings_inbox` nor the test databases:
it works in its own database `ratings_bench` (BENCH_DB_NAME names another, so that two people
sharing a server do not rebuild each other's) on the same server (the embedded PostgreSQL
in DATA_DIR, or the server named by BENCH_DATABASE_URL / DATABASE_URL), made by
bootstrap_db and migrated by the owner role like any other.

BENCH_CITUS=1 adds the same database on the Citus cluster of ../shared/citus/cluster
(CITUS_CLUSTER names another script): `citus_env()` is what a process working on that copy
runs with (BENCH_TARGET=citus).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DB_NAME", "ratings_bench")
BENCH_EMAIL = "bench@bench.local"
BENCH_PASSWORD = "bench-password-1"
BIG_SLUG = "bench-grande"
# The members of the large merchant who own its cases (bench/generate.py); the bench logs in as
# the first, and bench/run.py's other users are bench<i>@bench.local too.
OWNER_EMAILS = [BENCH_EMAIL] + [f"bench{i}@bench.local" for i in range(1, 6)]
# This process works on the bench database of the Citus cluster (set by citus_env()).
ON_CITUS = os.environ.get("BENCH_TARGET") == "citus"


def citus_env() -> dict:
    """The environment of a bench process on the Citus copy: the cluster started (built the first
    time), the bench database on its coordinator, the roles created from the coordinator's
    database that has the extension (so that Citus creates them on the workers too)."""
    sys.path.insert(0, str(ROOT))
    from tests.scale import citus

    coordinator = citus.start()
    url = f"postgres://{quote(coordinator['USER'])}@{coordinator['HOST']}:{coordinator['PORT']}/{BENCH_DB}"
    return {"BENCH_TARGET": "citus", "BENCH_DATABASE_URL": url, "DATABASE_MAINTENANCE_DB": coordinator["NAME"]}


def bench_database_url() -> str:
    """The owner (superuser) URL of the bench database."""
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL")
    if base:
        parsed = urlparse(base)
        return urlunparse(parsed._replace(path="/" + BENCH_DB))
    sys.path.insert(0, str(ROOT))
    from ratings_inbox import embedded

    data_dir = Path(os.environ.get("DATA_DIR") or ROOT / "var").resolve()
    params = embedded.ensure_postgres(data_dir)
    return f"postgres://{params['USER']}@/{BENCH_DB}?host={quote(params['HOST'], safe='/')}&port={params['PORT']}"


def bench_redis_url() -> str:
    """The embedded Redis (or REDIS_URL's server) on its own database number, 3, so the bench's
    throttle counters and cache never mix with the development app's (database 0)."""
    explicit = os.environ.get("BENCH_REDIS_URL")
    if explicit:
        return explicit
    base = os.environ.get("REDIS_URL")
    if not base:
        sys.path.insert(0, str(ROOT))
        from ratings_inbox import embedded

        base = embedded.ensure_redis(Path(os.environ.get("DATA_DIR") or ROOT / "var").resolve())
    if "?db=" in base:
        return base.split("?db=")[0] + "?db=3"
    parsed = urlparse(base)
    return urlunparse(parsed._replace(path="/3"))


def bench_env() -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = bench_database_url()
    env["REDIS_URL"] = bench_redis_url()
    env.setdefault("DJANGO_SETTINGS_MODULE", "ratings_inbox.settings.base")
    env.setdefault("XDG_RUNTIME_DIR", "/tmp")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env["DEBUG"] = "0"
    env.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-use-0123456789")
    # gunicorn serves the bench over plain HTTP on loopback (SEC-4's secure defaults assume TLS).
    for variable in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env.setdefault(variable, "0")
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def django_setup() -> None:
    """Configure Django for the bench database in this process."""
    os.environ.update(bench_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True, cwd=ROOT, env=bench_env())
