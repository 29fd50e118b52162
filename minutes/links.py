"""Signed, expiring, single-purpose links to one action, for people who act on it from an email.

The token names the action, the person (or agency mailbox) it was sent to and that person's agency; it
opens that action only (view, update status, ask for a new date), for ``LINK_DAYS`` days. A token for
another action, a tampered token or an expired one is refused; so is a link whose person has since been
deactivated, left the agency or lost their part in the action, and any link to a closed action
(``minutes.selectors.action_get_for_link``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "convene.minutes.action-link"
LINK_DAYS = 14


@dataclass(frozen=True)
class ActionLink:
    action_id: int
    user_id: int | None
    email: str
    agency_id: int | None = None  # the person's agency (or the owner agency, for its mailbox) when sent


class LinkRefused(Exception):
    """The link is expired, tampered with, or for another action; ``reason`` says which, for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def action_link_token(*, action_id: int, user_id: int | None, email: str, agency_id: int | None = None) -> str:
    return signing.dumps({"a": action_id, "u": user_id, "e": email, "g": agency_id}, salt=SALT, compress=True)


def action_link_url(*, action_id: int, user_id: int | None, email: str, agency_id: int | None = None) -> str:
    token = action_link_token(action_id=action_id, user_id=user_id, email=email, agency_id=agency_id)
    return settings.SITE_URL + reverse("action_link", args=[action_id, token])


def action_link_read(*, token: str, action_id: int) -> ActionLink:
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise LinkRefused("This link has expired. Ask the panel's coordinator for a new one, or sign in.") from exc
    except signing.BadSignature as exc:
        raise LinkRefused("This link is not valid.") from exc
    if data.get("a") != action_id:
        raise LinkRefused("This link is not valid.")
    return ActionLink(action_id=action_id, user_id=data.get("u"), email=data.get("e", ""), agency_id=data.get("g"))
