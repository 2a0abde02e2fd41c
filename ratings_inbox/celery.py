"""The Celery application `ratings_inbox`, configured from Django settings (CELERY_*)."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratings_inbox.settings.base")

app = Celery("ratings_inbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def requeue(task) -> None:
    """Queues a sweep again at once (its batch was full); with the broker down, the next beat
    tick continues where it stopped."""
    try:
        task.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the next beat tick continues
        logger.warning("broker unavailable; %s continues at the next tick", task.name)
