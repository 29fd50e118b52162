"""Standing (general) items that open and close every meeting, by panel kind (pure)."""

from __future__ import annotations

from panels.enums import PanelKind

OPENING = ("Welcome, introductions and apologies", "Information-sharing reminder and confidentiality",
           "Minutes and actions of the last meeting")
CLOSING = ("Any other business", "Date of the next meeting")

EXTRA_BY_KIND: dict[str, tuple[str, ...]] = {
    PanelKind.HIGH_RISK: ("Risk escalations since the last meeting",),
    PanelKind.EDUCATION: ("Children missing education or off roll",),
    PanelKind.Y2A: ("Transfer decisions to record (transfer or retain)",),
    PanelKind.RESETTLEMENT: ("Accommodation: children without a confirmed release address",),
    PanelKind.MAPPA: ("MAPPA referrals made and outcomes",),
    PanelKind.CUSTOM: (),
}


def standing_items(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(items before the children, items after them)."""
    return (*OPENING, *EXTRA_BY_KIND.get(kind, ())), CLOSING
