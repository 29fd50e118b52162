"""The audit trail: one call for every read of a child's record and every change (who, what, when, where).

- ``audit_record``: one entry, about at most one child (its id and reference are kept even after the child is
  deleted).
- ``audit_children_read``: a read that returned several children (a list page, an export, the events of a
  meeting, a websocket room): one entry for the request, naming every child returned (``AuditEntryChild``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from panels.models import AuditEntry, AuditEntryChild


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_record(
    *, actor, action: str, child=None, meeting=None, panel=None, detail: dict[str, Any] | None = None,
    request=None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None, action=action, child=child,
        child_key=child.pk if child is not None else None,
        child_reference=child.reference if child is not None else "",
        meeting=meeting, panel=panel, detail=detail or {}, ip_address=client_ip(request),
    )


def audit_children_read(
    *, actor, action: str, children: Iterable, meeting=None, panel=None, detail: dict[str, Any] | None = None,
    request=None,
) -> AuditEntry:
    """One entry for a read that returned ``children`` (Child objects, items with ``child_id`` and ``reference``,
    or (id, reference) pairs), naming each. Two statements whatever the number of children. A read that
    returned one child links it as ``child`` too."""
    pairs: dict[int, str] = {}
    for child in children:
        if hasattr(child, "child_id"):
            key, reference = child.child_id, child.reference
        elif hasattr(child, "pk"):
            key, reference = child.pk, child.reference
        else:
            key, reference = child
        if key is not None:
            pairs.setdefault(key, reference or "")
    only = next(iter(pairs.items())) if len(pairs) == 1 else None
    entry = AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None, action=action,
        child_id=only[0] if only else None, child_key=only[0] if only else None,
        child_reference=only[1] if only else "", meeting=meeting, panel=panel,
        detail={**(detail or {}), "children": len(pairs)}, ip_address=client_ip(request),
    )
    AuditEntryChild.objects.bulk_create(
        [AuditEntryChild(entry=entry, child_key=key, child_reference=ref) for key, ref in pairs.items()])
    return entry
