"""Fixtures for tests that run real workers; imported by the autoreply, notifications and public conftests."""

from __future__ import annotations

import re

import pytest

from tests.notifications.harness import RedisServer, SmtpSink, Worker, point_celery_at


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def delivery(redis_server, smtp_sink, transactional_db, settings):
    """Tasks published here go to the private Redis; workers() starts workers on the test database."""
    from django.db import connection

    from ratings_inbox.celery import app

    redis_server.start() if redis_server.process is None else None
    redis_server.flush()
    smtp_sink.handler.reset()
    original = app.conf.broker_url
    point_celery_at(redis_server.broker_url)
    started: list[Worker] = []

    class Delivery:
        redis = redis_server
        smtp = smtp_sink
        workers = started

        def worker(self, *, beat=False, wait=True, **kwargs) -> Worker:
            worker = Worker(redis=redis_server, smtp=smtp_sink, database_name=connection.settings_dict["NAME"],
                            beat=beat, **kwargs)
            started.append(worker)
            return worker.wait_ready() if wait else worker

        def windows_ms(self) -> list[float]:
            found = []
            for worker in started:
                found += [float(x) for x in re.findall(r"window_ms=([0-9.]+)", worker.output())]
            return found

    yield Delivery()
    for worker in started:
        worker.stop()
    if redis_server.process is None:
        redis_server.start()
    point_celery_at(original)
    connection.close()
