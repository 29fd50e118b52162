"""Celery for background work in the production shape (REDIS_URL set): the broker is Redis.

    celery -A config worker --beat --loglevel=INFO

In the embedded shape there is no broker: run ``python manage.py send_reminders`` from cron instead.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("convene")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
