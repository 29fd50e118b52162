"""The audit trail: one call for every read of a child's record and every change (who, what, when, where)."""

from __future__ import annotations

from typing import Any

from panels.models import AuditEntry


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_record(
    *, actor, action: str, child=None, meeting=None, panel=None, detail: dict[str, Any] | None = None,
    request=None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None, action=action, child=child,
        meeting=meeting, panel=panel, detail=detail or {}, ip_address=client_ip(request),
    )
