"""SCALE-1: processes keep no state of their own; production refuses to start without its servers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import sessions_clear

ROOT = Path(__file__).resolve().parents[2]


def _manage_check(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "ratings_inbox.settings.base",
           "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "DATA_DIR": str(tmp_path),
           "DEBUG": "0", "ALLOWED_HOSTS": "example.com", **variables}
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_production_without_database_redis_or_key_stops_with_a_clear_message_scale1(tmp_path):
    result = _manage_check(tmp_path)
    assert result.returncode != 0
    assert ("ImproperlyConfigured: DATABASE_URL is not set; REDIS_URL is not set; SECRET_KEY is not set."
            in result.stderr), result.stderr
    assert "the embedded servers are for development only" in result.stderr
    assert list(tmp_path.iterdir()) == [], "no embedded server may start in production"


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_names_the_one_server_missing_scale1(tmp_path, missing):
    given = {"DATABASE_URL": "postgres://u@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0",
             "SECRET_KEY": "k" * 50}
    del given[missing]
    result = _manage_check(tmp_path, **given)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing} is not set. With DEBUG off" in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_expired_sessions_are_deleted_by_a_scheduled_task_scale1(db):
    now = timezone.now()
    Session.objects.create(session_key="expired-yesterday", session_data="", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="valid-tomorrow", session_data="", expire_date=now + dt.timedelta(days=1))
    sessions_clear()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["valid-tomorrow"]
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "accounts.tasks.sessions_clear")
    assert entry["schedule"] <= 86400
