"""Test settings: the real settings with a fast hasher and a throwaway mailbox.

The runtime shape (SQLite + in-memory layer, or PostgreSQL + Redis) still follows DATABASE_URL and
REDIS_URL, so CI runs the same suite in both shapes.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Most tests sign people in with force_login and no second factor; tests/security turns enforcement on.
TWO_FACTOR_ENFORCED = False
# django-axes refuses authenticate() without a request (Client.login); tests/security turns it on where it is tested.
AXES_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
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
