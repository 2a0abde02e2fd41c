"""Settings for Celery workers that integration tests start: the test run's database, real SMTP."""

import os

from .base import EMAIL_URL, email_settings
from .test import *  # noqa: F403

for _alias in DATABASES.values():  # noqa: F405
    _alias["NAME"] = os.environ["DATABASE_NAME_OVERRIDE"]
globals().update(email_settings(EMAIL_URL))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
