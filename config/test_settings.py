"""Test settings: the real settings with a fast hasher and a throwaway mailbox.

The runtime shape (SQLite + in-memory layer, or PostgreSQL + Redis) still follows DATABASE_URL and
REDIS_URL, so CI runs the same suite in both shapes.
"""

import os
from pathlib import Path
from typing import Any

# pytest-xdist: each worker process gets a var directory of its own (SQLite file, secret key, media, mailbox);
# its test database is named test_<name>_gwN by pytest-django, and its channel-layer keys carry its own prefix.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER:
    _base = Path(os.environ.get("CONVENE_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    os.environ["CONVENE_VAR_DIR"] = str(_base / _XDIST_WORKER)

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Most tests sign people in with force_login and no second factor; tests/security turns enforcement on.
TWO_FACTOR_ENFORCED = False
# django-axes refuses authenticate() without a request (Client.login); tests/security turns it on where it is tested.
AXES_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# WhiteNoise indexes every file its finders see (about 200, with a stat and headers each) whenever its middleware is
# built, which the test client does once per test: 34 ms a test, a seventh of the production shape's time. No test
# asks the test client for a static file; the browser tests (e2e/) are served with the real settings, finders on.
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Async tests run sync code in short-lived threads: a connection kept open there would be garbage-collected
# open (a ResourceWarning, an error here). The two-worker tests start real servers with the real settings.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Mail goes through the outbox (settings.EMAIL_BACKEND); its transport is Django's in-memory one here
# (``mail.outbox``). Tests with a real SMTP server point OUTBOX_TRANSPORT_BACKEND at it.
OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True  # no Celery worker in tests: delivery after commit runs in-process

# Production shape under pytest-xdist: the workers share one Redis, and channel-layer group names are built from
# database ids, which every worker's own test database hands out from 1 again; a prefix per worker keeps one
# worker's "meeting 1" from hearing another's (a prefix, not a database number: pub/sub ignores database numbers).
if _XDIST_WORKER:
    _layers: dict[str, dict[str, Any]] = CHANNEL_LAYERS  # noqa: F405
    for _layer in _layers.values():
        if _layer["BACKEND"].startswith("channels_redis."):
            _layer.setdefault("CONFIG", {})["prefix"] = f"asgi-{_XDIST_WORKER}"
