"""Template helpers for agendas: a human title for every reason code."""

from __future__ import annotations

from agendas.rules import RULE_TITLES

LIVE_TITLES = {
    "REFERRAL": "Referred to the panel",
    "MANUAL": "Added by the chair",
    "OPEN_ACTIONS": "Open actions from this panel's earlier meetings",
    "REVIEW_DUE": "Review date set by the panel",
}


def reason_title(code: str) -> str:
    """Plain words for a reason code: people never see the codes themselves."""
    return RULE_TITLES.get(code) or LIVE_TITLES.get(code) or "Other reason"


def helpers(request) -> dict:
    return {"reason_title": reason_title}
