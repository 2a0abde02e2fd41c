"""Settings for the test suite: fast hashing, in-memory e-mail, eager nothing."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
WHITENOISE_AUTOREFRESH = True
# Per run: counters kept in Redis (customer form posts per link, SEC-6) outlive a run, while
# the test database and its ids start afresh, so a later run would find an earlier run's counts.
CACHES["default"]["KEY_PREFIX"] = f"ri-test-{os.getpid()}"  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {  # noqa: F405
    "user": "100000/minute", "api_key": "100000/minute", "anon": "100000/minute"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Each concurrent test run (a developer's, CI's) may name its own test database; every alias
# (application, owner, sweeper) connects to it (tests/conftest.py creates it).
for _alias in DATABASES.values():  # noqa: F405
    _alias["TEST"] = {"NAME": "test_ratings_inbox" + os.environ.get("TEST_DB_SUFFIX", "")}
    _alias["CONN_MAX_AGE"] = 0
