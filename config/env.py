"""Typed readers for environment variables. They fail at start with a message naming the variable.

Only ``config/settings.py`` calls these: no other module reads ``os.environ``.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    if value is None:
        file_path = os.environ.get(f"{name}_FILE")
        if file_path:
            try:
                with open(file_path, encoding="utf-8") as fh:
                    return fh.read().strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, *, schemes: tuple[str, ...]) -> str:
    """A URL whose scheme must be one of ``schemes``; empty string when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    scheme = urlparse(raw).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} has scheme {scheme or '(none)'!r}; expected one of: {', '.join(schemes)}"
        )
    return raw
