"""The Jinja2 environment for every page: GOV.UK Frontend macros, static/url helpers, UK date filters."""

from __future__ import annotations

from datetime import date, datetime

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date_uk(value: date | datetime | str | None) -> str:
    """4 Dec 2026."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    value = _local(value)
    return f"{value.day} {value:%b %Y}"


def datetime_uk(value: datetime | None) -> str:
    """Thu 3 Dec 2026, 10:00 (Europe/London)."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value:%a} {value.day} {value:%b %Y, %H:%M}"


def time_uk(value) -> str:
    if value is None:
        return ""
    return f"{_local(value):%H:%M}"


def action_standing(status: str, due, today: date | None = None):
    """Templates' door to minutes.standing: one status and RAG vocabulary for actions on every page."""
    from minutes.standing import action_standing as standing

    return standing(status=status, due=due, today=today or timezone.localdate())


def reason_title(code: str) -> str:
    """Templates' door to the one plain-language title of an agenda reason (never its code)."""
    from agendas.context import reason_title as title

    return title(code)


def limit_hint(limit: int) -> str:
    """Templates' door to the one wording of a field's stated limit (panels.forms)."""
    from panels.forms import limit_hint as hint

    return hint(limit)


def environment(**options) -> Environment:
    django_loader = options.pop("loader", None)
    loaders = [PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    if django_loader is not None:
        loaders.insert(0, django_loader)
    options.setdefault("extensions", []).append("jinja2.ext.do")
    options.pop("autoescape", None)  # always escape, whatever the backend passes
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, trim_blocks=True, lstrip_blocks=True, **options)
    env.globals.update({"static": static, "url": url, "action_standing": action_standing,
                        "reason_title": reason_title, "limit_hint": limit_hint})
    env.filters.update({"date_uk": date_uk, "datetime_uk": datetime_uk, "time_uk": time_uk})
    return env
