"""Settings for the test suite: fast hashing, in-memory e-mail, eager nothing."""

import os

# A key for tests only, set before base.py reads it: the suite runs with DEBUG off, as in
# production, and `python3 dev.py test` sets nothing (PRODUCT.md SEC-4).
os.environ.setdefault("SECRET_KEY", "test-only-key-never-used-in-production-7c1e9b2a4f6d8e0a3b5c")

from .base import *  # noqa: E402, F403
from .base import security_settings  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
globals().update(security_settings(debug=DEBUG))
# The test client and the live server speak plain HTTP: no redirect to HTTPS, and cookies the
# browser tests' Chromium will send back over it.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
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
