"""Production settings: `check --deploy` is clean, and the browser-facing headers are set.

The production shape is read in a subprocess (settings are read once, from the environment)."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.settings_probe import probe

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "convene.example", "SITE_URL": "https://convene.example", "CONVENE_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    })
    env.update(extra)
    return env


def run(args, env) -> subprocess.CompletedProcess:
    """``python ARGS`` in a fresh process (forked by the one settings-probe interpreter: tests/settings_probe.py)."""
    return probe.run(args, env)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


SHOW = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({k: "
        "str(getattr(s, k, None)) for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'PASSWORD_HASHERS', 'SESSION_COOKIE_AGE', 'AXES_FAILURE_LIMIT', "
        "'AXES_COOLOFF_TIME', 'TWO_FACTOR_ENFORCED', 'AUDIT_RETENTION_DAYS']}))")


def show(env) -> dict[str, str]:
    result = run(["-c", SHOW], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_site_gets_secure_cookies_hsts_redirect_and_argon2(tmp_path):
    values = show(production_env(tmp_path))
    assert values["SESSION_COOKIE_SECURE"] == values["CSRF_COOKIE_SECURE"] == values["SECURE_SSL_REDIRECT"] == "True"
    assert int(values["SECURE_HSTS_SECONDS"]) >= 365 * 24 * 3600
    assert values["PASSWORD_HASHERS"].startswith("['django.contrib.auth.hashers.Argon2PasswordHasher'")
    assert values["TWO_FACTOR_ENFORCED"] == "True"


def test_the_embedded_demo_over_http_keeps_plain_cookies_and_no_redirect(tmp_path):
    env = production_env(tmp_path, SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS="127.0.0.1")
    values = show(env)
    assert values["SESSION_COOKIE_SECURE"] == values["SECURE_SSL_REDIRECT"] == "False"
    assert values["SECURE_HSTS_SECONDS"] == "0"


def test_limits_are_configurable_from_the_environment(tmp_path):
    values = show(production_env(tmp_path, SESSION_COOKIE_AGE="900", LOGIN_FAILURE_LIMIT="3",
                                 LOGIN_LOCKOUT_MINUTES="30", AUDIT_RETENTION_DAYS="400"))
    assert values["SESSION_COOKIE_AGE"] == "900"
    assert values["AXES_FAILURE_LIMIT"] == "3"
    assert values["AXES_COOLOFF_TIME"] == "0:30:00"
    assert values["AUDIT_RETENTION_DAYS"] == "400"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"LOGIN_LOCKOUT_BY": "username,cookie"}, "LOGIN_LOCKOUT_BY has 'cookie'"),
        ({"LOGIN_FAILURE_LIMIT": "0"}, "LOGIN_FAILURE_LIMIT=0 is outside 1..100"),
        ({"SESSION_COOKIE_AGE": "60"}, "SESSION_COOKIE_AGE=60 is outside 300..86400"),
        ({"AUDIT_RETENTION_DAYS": "soon"}, "AUDIT_RETENTION_DAYS='soon' is not a whole number"),
        ({"TWO_FACTOR_ENFORCED": "perhaps"}, "TWO_FACTOR_ENFORCED='perhaps' is not a boolean"),
    ],
)
def test_bad_security_settings_fail_at_start_naming_the_variable(tmp_path, extra, message):
    result = run(["-c", "import django; django.setup()"], production_env(tmp_path, **extra))
    assert result.returncode != 0
    assert message in result.stderr


HEADERS = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client().get('/accounts/login/', secure=True, HTTP_HOST='convene.example'); "
    "plain = Client().get('/accounts/login/', HTTP_HOST='convene.example'); "
    "print(json.dumps({'status': r.status_code, 'headers': dict(r.headers), 'plain': plain.status_code, "
    "'location': plain.headers.get('Location', '')}))"
)


def test_production_responses_carry_hsts_and_plain_http_is_redirected(tmp_path):
    result = run(["-c", HEADERS], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["status"] == 200
    hsts = data["headers"]["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=31536000; includeSubDomains; preload", hsts)
    assert data["plain"] == 301 and data["location"] == "https://convene.example/accounts/login/"
