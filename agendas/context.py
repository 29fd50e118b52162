"""Template helpers for agendas: a human title for every reason code."""

from __future__ import annotations

from agendas.rules import RULE_TITLES

LIVE_TITLES = {
    "REFERRAL": "Referred to the panel",
    "MANUAL": "Added by the chair",
    "OPEN_ACTIONS": "Open actions from earlier meetings",
}


def reason_title(code: str) -> str:
    return RULE_TITLES.get(code) or LIVE_TITLES.get(code) or code.replace("_", " ").capitalize()


def helpers(request) -> dict:
    return {"reason_title": reason_title}
