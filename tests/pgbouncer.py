"""A private PgBouncer in transaction pooling mode in front of the test database (SCALE-3).

Debian's `pgbouncer` package (installed with apt-get when missing and run as root, as dev.py
installs Chromium). It listens on a free port of 127.0.0.1, hands each transaction whichever
server connection is free (pool_mode = transaction, as production's compose service), and
lets every role of the test database in without a password, as the PostgreSQL of the tests does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BINARY = "/usr/sbin/pgbouncer"


def ensure_installed() -> str:
    if not Path(BINARY).exists():
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            raise RuntimeError("These tests need PgBouncer: install Debian's `pgbouncer` package (apt-get).")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "pgbouncer"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    return BINARY


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgBouncer:
    """Started by `start()`, stopped by `stop()`; `port` is where clients connect."""

    def __init__(self, *, host: str, port: str, users: list[str], pool_size: int = 5):
        self.server = (host or "127.0.0.1", port or "5432")
        self.users = users
        self.pool_size = pool_size
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> PgBouncer:
        binary = ensure_installed()
        (self.dir / "users.txt").write_text("".join(f'"{user}" ""\n' for user in self.users))
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={self.server[0]} port={self.server[1]}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.dir / 'users.txt'}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {self.pool_size}\nmax_client_conn = 200\n"
            # Django's connection asks for a time zone; PgBouncer passes these parameters on.
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.dir / 'pgbouncer.log'}\nlog_connections = 0\nlog_disconnections = 0\n"
        )
        command = [binary, str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            # As the user that may open the server's socket directory (the embedded server's
            # is its own user's alone), or Debian's postgres over TCP.
            user = Path(self.server[0]).owner() if self.server[0].startswith("/") else "postgres"
            shutil.chown(self.dir, user)
            for path in self.dir.iterdir():
                shutil.chown(path, user)
            command = ["runuser", "-u", user, "--", *command]
        # Its output goes to the log file only: a pipe nobody reads would fill up and stop PgBouncer.
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.dir / "pgbouncer.log"
                raise RuntimeError(f"pgbouncer stopped: {log.read_text() if log.exists() else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("pgbouncer did not listen within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
