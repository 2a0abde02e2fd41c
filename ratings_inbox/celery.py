"""The Celery application `ratings_inbox`, configured from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ratings_inbox.settings.base")

app = Celery("ratings_inbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
