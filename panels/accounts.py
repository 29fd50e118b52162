"""Accounts and the audit log: agency admins deactivating their users, reading and pruning the audit trail."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from panels.audit import audit_record
from panels.events import access_changed
from panels.models import AuditEntry, Child, User
from panels.permissions import Viewer, can_manage_users, can_view_audit
from panels.spreadsheets import csv_safe

# --- users of an agency ---------------------------------------------------------------------------


def agency_users_for_admin(*, admin: User) -> QuerySet[User]:
    """The users an agency admin manages: everyone in their own agency. Raises PermissionDenied otherwise."""
    viewer = Viewer.of(admin)
    if not can_manage_users(viewer, agency_id=admin.agency_id):
        raise PermissionDenied("Only a manager of the agency can manage its users.")
    return User.objects.filter(agency_id=admin.agency_id).order_by("-is_active", "last_name", "first_name", "username")


@transaction.atomic
def user_set_active(*, admin: User, user_id: int, active: bool, request=None) -> User:
    """Deactivate (or reactivate) a user of the admin's own agency. Audited. Deactivation ends their sessions
    at the next request (Django refuses inactive users) and closes their live sockets (minutes/handlers.py)."""
    user = agency_users_for_admin(admin=admin).select_for_update().filter(pk=user_id).first()
    if user is None:
        raise User.DoesNotExist("No such user in your agency")
    if user.pk == admin.pk:
        raise ValidationError("You cannot deactivate your own account: ask another manager of your agency.")
    if user.is_active == active:
        state = "active" if active else "deactivated"
        raise ValidationError(f"{user} is already {state}.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    access_changed([user.pk], why="reactivated" if active else "deactivated")
    audit_record(actor=admin, action="user.reactivated" if active else "user.deactivated", request=request,
                 detail={"user_id": user.pk, "username": user.username, "agency_id": user.agency_id})
    return user


# --- the audit log --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    child: Child | None = None
    actor: User | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self) -> dict:
        return {"child_id": self.child.pk if self.child else None, "actor_id": self.actor.pk if self.actor else None,
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries_for_user(*, user: User, filters: AuditFilter | None = None) -> QuerySet[AuditEntry]:
    """Entries about the viewer's service (its children, meetings and panels) or by its staff. Coordinators
    and managers of the service only: raises PermissionDenied for anyone else."""
    viewer = Viewer.of(user)
    if not can_view_audit(viewer):
        raise PermissionDenied("Only coordinators and managers of the service can read the audit log.")
    service_id = viewer.agency_id
    entries = AuditEntry.objects.filter(
        Q(child__service_id=service_id) | Q(panel__service_id=service_id) | Q(meeting__panel__service_id=service_id)
        | Q(actor__agency_id=service_id)
    ).select_related("actor__agency", "child", "meeting__panel", "panel")
    f = filters or AuditFilter()
    if f.child is not None:  # entries about the child, and list reads that returned it
        entries = entries.filter(Q(child_key=f.child.pk) | Q(children__child_key=f.child.pk)).distinct()
    if f.actor is not None:
        entries = entries.filter(actor=f.actor)
    if f.date_from is not None:
        entries = entries.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to is not None:
        entries = entries.filter(created_at__lt=_day_start(f.date_to + timedelta(days=1)))
    return entries.order_by("-created_at", "-id")


CSV_COLUMNS = ["when", "action", "actor", "actor_agency", "child_reference", "meeting", "panel", "ip_address",
               "detail"]




def audit_csv(entries) -> str:
    import json

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([csv_safe(str(v)) for v in (
            timezone.localtime(e.created_at).isoformat(timespec="seconds"), e.action,
            e.actor.username if e.actor else "", (e.actor.agency.name if e.actor and e.actor.agency else ""),
            e.child.reference if e.child else "", e.meeting_id or "", e.panel.name if e.panel else "",
            e.ip_address or "", json.dumps(e.detail, sort_keys=True, default=str),
        )])
    return out.getvalue()


SAR_COLUMNS = ["when", "what", "by", "their_agency", "child_reference", "how", "meeting", "panel", "ip_address"]


def subject_access_key(*, user: User, reference: str) -> tuple[int, str] | None:
    """The child a subject access request is about, in the auditor's service: (id, reference), also for a child
    deleted since (found through the entry that recorded the deletion)."""
    viewer = Viewer.of(user)
    if not can_view_audit(viewer):
        raise PermissionDenied("Only coordinators and managers of the service can read the audit log.")
    reference = reference.strip()
    if not reference:
        return None
    child = Child.objects.filter(service_id=viewer.agency_id, reference__iexact=reference).values_list(
        "pk", "reference").first()
    if child is not None:
        return child
    deleted = (AuditEntry.objects.filter(action="child.deleted", child_reference__iexact=reference,
                                         detail__service_id=viewer.agency_id)
               .values_list("child_key", "child_reference").first())
    return deleted


def subject_access_entries(*, key: int) -> QuerySet[AuditEntry]:
    """Every entry about one child, and every list read, export and socket read that returned it, oldest first.
    (The caller has checked, through ``subject_access_key``, that the child is of the auditor's service.)"""
    return (AuditEntry.objects.filter(Q(child_key=key) | Q(children__child_key=key)).distinct()
            .select_related("actor__agency", "meeting__panel", "panel").order_by("created_at", "id"))


def subject_access_csv(entries, *, reference: str) -> str:
    """What a data-protection subject access request needs: every read of (and change to) one child, by whom,
    when, how. Cells are neutralised against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SAR_COLUMNS)
    for e in entries:
        how = e.detail.get("via") or ("list" if e.child_key is None else "")
        writer.writerow([csv_safe(str(v)) for v in (
            timezone.localtime(e.created_at).isoformat(timespec="seconds"), e.action,
            e.actor.username if e.actor else "", (e.actor.agency.name if e.actor and e.actor.agency else ""),
            reference, how, e.meeting_id or "", (e.panel.name if e.panel else e.meeting.panel.name if e.meeting
                                                 else ""), e.ip_address or "",
        )])
    return out.getvalue()


def audit_prune(*, days: int, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete entries older than ``days`` (the retention period): the one deletion path of the audit log.
    The run itself is recorded."""
    if days < 1:
        raise ValueError("The retention period must be at least one day.")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = AuditEntry.objects.filter(created_at__lt=cutoff)
    if dry_run:
        return old.count()
    with transaction.atomic():
        deleted = old.prune()
        audit_record(actor=None, action="audit.pruned",
                     detail={"deleted": deleted, "retention_days": days, "cutoff": cutoff.isoformat()})
    return deleted
