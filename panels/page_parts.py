"""Parts of panels' pages that apps to the right fill in, without panels importing them.

An app registers a function at start-up (``meeting_page_part``); the meeting page calls every one and
merges what they return into its context. Like ``panels.events``: the dependency points left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MeetingPart = Callable[..., dict[str, Any]]
_meeting_parts: list[MeetingPart] = []


def meeting_page_part(part: MeetingPart) -> None:
    """Register ``part(meeting=, access=, user=) -> dict`` for the meeting page. Idempotent."""
    if part not in _meeting_parts:
        _meeting_parts.append(part)


def meeting_page_context(*, meeting, access, user) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in _meeting_parts:
        context.update(part(meeting=meeting, access=access, user=user))
    return context


ChildPart = Callable[..., dict[str, Any]]
_child_parts: list[ChildPart] = []


def child_page_part(part: ChildPart) -> None:
    """Register ``part(child=, record=, today=) -> dict`` for the child's pages (the child page, the release page):
    e.g. agendas says by when the rules want the release address confirmed. Idempotent."""
    if part not in _child_parts:
        _child_parts.append(part)


def child_page_context(*, child, record, today) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in _child_parts:
        context.update(part(child=child, record=record, today=today))
    return context
