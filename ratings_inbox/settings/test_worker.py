"""Settings for Celery workers that integration tests start: the test run's database, real SMTP,
and strict tenancy (an idle connection sees no merchant, so every task must set its own)."""

import os

from .base import EMAIL_URL, email_settings
from .test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["DATABASE_NAME_OVERRIDE"]  # noqa: F405
globals().update(email_settings(EMAIL_URL))
TENANCY_IDLE_ALL_MERCHANTS = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
