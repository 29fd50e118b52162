"""Free text the chair writes for everyone (a publish note) is checked for children before it is saved
(issue 15, point 10): a note naming a child held at one establishment was shown word for word to another.

``children_named`` finds the service's children a text names (by reference, full name or family name);
``named_children_warning`` says which, and who among the meeting's invitees would read the text, marking those
who may not see that child. Partners read notes as they are written: the chair decides, knowing who reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from panels import permissions
from panels.models import Child, Meeting
from panels.permissions import Viewer
from panels.selectors import current_establishments


@dataclass(frozen=True)
class NamedChild:
    child_id: int
    reference: str
    name: str
    hidden_from: tuple[str, ...]  # invitees (agency or name) who may not see this child


def _words(text: str) -> str:
    return " ".join(text.split())


def _mentions(needle: str, text: str, *, case: bool = False) -> bool:
    if len(needle) < 3:
        return False
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text, 0 if case else re.IGNORECASE) is not None


def children_named(text: str, *, service_id: int) -> list[Child]:
    """The service's children that ``text`` names: by reference or full name (any case), or by family name
    (written with its capital). One query."""
    text = _words(text)
    if not text:
        return []
    found = []
    for child in Child.objects.filter(service_id=service_id).only(
            "pk", "reference", "given_name", "preferred_name", "family_name"):
        names = [_words(f"{first} {child.family_name}") for first in (child.given_name, child.preferred_name) if first]
        if (_mentions(child.reference, text) or any(_mentions(n, text) for n in names)
                or _mentions(child.family_name, text, case=True)):
            found.append(child)
    return found


def named_children_warning(text: str, *, meeting: Meeting) -> tuple[list[NamedChild], list[str]]:
    """(the children the text names, with who may not see each; everyone invited who would read it)."""
    named = children_named(text, service_id=meeting.panel.service_id)
    if not named:
        return [], []
    invitees = list(meeting.invitees.select_related("user__agency", "agency").order_by("name"))
    readers = sorted({_reader(i) for i in invitees})
    establishments = current_establishments([c.pk for c in named])
    viewers = [(i, Viewer.of(i.user)) for i in invitees if i.user_id]
    result = []
    for child in named:
        hidden = sorted({
            _reader(invitee) for invitee, viewer in viewers
            if not permissions.can_view_child_in_meeting(viewer, service_id=meeting.panel.service_id,
                                                         establishment_id=establishments[child.pk],
                                                         can_view_meeting=True, child_id=child.pk)
        })
        result.append(NamedChild(child.pk, child.reference, child.display_name, tuple(hidden)))
    return result, readers


def _reader(invitee) -> str:
    agency = invitee.agency or (invitee.user.agency if invitee.user_id else None)
    return f"{invitee.name} ({agency.short_name or agency.name})" if agency else invitee.name


def warning_text(named: list[NamedChild], readers: list[str]) -> str:
    """One paragraph for the error summary and the field: which children, who would read it, who may not see them."""
    children = "; ".join(f"{c.reference} ({c.name})" for c in named)
    text = (f"The note names {children}. Every invitee would read it word for word: "
            f"{', '.join(readers) if readers else 'nobody is invited yet'}.")
    for c in named:
        if c.hidden_from:
            text += f" Not entitled to see {c.reference}: {', '.join(c.hidden_from)}."
    return text + " Take the child out of the note, or confirm that everyone listed may read it."
