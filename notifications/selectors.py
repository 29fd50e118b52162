"""Reads of notifications' own records for other apps' pages (the callers have already checked need to know)."""

from __future__ import annotations

from notifications.models import RequirementNotice


def escalations_for_child(*, child_id: int) -> list[RequirementNotice]:
    """What the escalation ladder of missed statutory timescales did for a child, newest first (one query)."""
    return list(RequirementNotice.objects.filter(child_id=child_id).select_related("recipient", "panel")
                .order_by("-step_date", "-id"))
