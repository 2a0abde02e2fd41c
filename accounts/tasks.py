"""Periodic upkeep of the login sessions (SCALE-1)."""

from __future__ import annotations

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(ignore_result=True)
def sessions_clear() -> None:
    """Deletes expired sessions (beat, hourly): the web processes keep nothing of them on their disk,
    and the session table does not grow with every login that was never logged out."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
