"""GOV.UK "are you sure" pages for the steps that cannot be undone or would surprise: the page says what will
happen and what cannot be undone, with a Confirm button and a way back.

Enforced on the server: a step that needs confirming acts only on a POST carrying ``confirm=yes`` (what the
page's button sends); a GET, or a POST without it, answers with the page and changes nothing. The page posts
back to the same address, carrying the fields that were posted (a form's input is not lost on the way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirm"


@dataclass(frozen=True)
class Confirmation:
    title: str  # the question, as the page's heading: "Open the meeting before it starts?"
    facts: list[str]  # why it is being asked: "It is due to start at 10:00 on Fri 4 Dec 2026."
    happens: list[str]  # what will happen
    warning: str  # what cannot be undone
    button: str  # "Open the meeting now"
    back_url: str
    caption: str = ""
    back_label: str = "Cancel"
    warning_button: bool = False
    carry: tuple[str, ...] = field(default=())  # posted fields the confirming form sends again


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def confirmation_page(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    fields = [(name, value) for name in confirmation.carry for value in request.POST.getlist(name)]
    response = render(request, "confirm.html", {"c": confirmation, "fields": fields, "action": request.path})
    response["Cache-Control"] = "no-store"
    return response


def ahead(when: datetime, now: datetime) -> str:
    """How far ahead ``when`` is, in words: "in 3 days", "in 2 hours", "in 25 minutes"."""
    seconds = (when - now).total_seconds()
    if seconds >= 2 * 86400:
        return f"in {int(seconds // 86400)} days"
    if seconds >= 2 * 3600:
        return f"in {int(seconds // 3600)} hours"
    minutes = max(1, int(seconds // 60))
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"
