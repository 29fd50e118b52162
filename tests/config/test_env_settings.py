"""Settings read from the environment fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.settings_probe import probe

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    # a fresh process, forked by the one settings-probe interpreter (tests/settings_probe.py)
    return probe.run(["-c", "import django; django.setup()"],
                     {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "mysql://x@localhost/db"}, "DATABASE_URL has scheme 'mysql'"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL has scheme 'http'"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
        ({"SESSION_COOKIE_AGE": "ten"}, "SESSION_COOKIE_AGE='ten' is not a whole number"),
        ({"EMAIL_URL": "smtp://"}, "EMAIL_URL names no host"),
    ],
)
def test_bad_settings_fail_at_start_with_a_clear_message(env, message, tmp_path):
    result = _check({"CONVENE_VAR_DIR": str(tmp_path), **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_good_production_settings_start(tmp_path):
    result = _check({
        "CONVENE_VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@127.0.0.1:1/db",
        "REDIS_URL": "redis://127.0.0.1:1/0", "EMAIL_URL": "smtp://user:pw@mail.example:587?tls=1",
    })
    assert result.returncode == 0, result.stderr


def test_the_embedded_shape_runs_background_work_without_log_lines(tmp_path):
    """Issue 15: the in-process Celery task's 'Task … succeeded' lines and kombu's 'No hostname was supplied'
    buried the demo's logins; in the embedded shape a delivery run logs nothing."""
    code = ("import django; django.setup()\n"
            "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
            "from notifications.tasks import outbox_deliver_task; outbox_deliver_task.delay()\n")
    result = probe.run(["-c", code], {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
                                      "CONVENE_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "REDIS_URL": ""})
    assert result.returncode == 0, result.stderr
    assert "succeeded in" not in result.stderr and "No hostname was supplied" not in result.stderr
