"""Writes for panels and meetings. Each runs in a transaction and emits domain events after commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from panels.audit import audit_record
from panels.cadence import avoid_bank_holidays, cadence_dates
from panels.enums import InviteeRole, MeetingStatus, MembershipRole
from panels.events import (
    InviteesChanged,
    MeetingCreated,
    MeetingStatusChanged,
    MeetingUpdated,
    access_changed,
    event_emit,
)
from panels.models import Meeting, MeetingInvitee, Panel, User

# The allowed moves of a meeting's status.
TRANSITIONS: dict[str, set[str]] = {
    MeetingStatus.DRAFT: {MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED},
    MeetingStatus.SCHEDULED: {MeetingStatus.IN_PROGRESS, MeetingStatus.CANCELLED},
    MeetingStatus.IN_PROGRESS: {MeetingStatus.CLOSED},
    MeetingStatus.CLOSED: set(),
    MeetingStatus.CANCELLED: set(),
}



def meetings_generate(*, panel: Panel, start: date, end: date) -> list[Meeting]:
    """Create draft meetings for every cadence date in [start, end] that has none yet. Idempotent."""
    if not panel.cadence:
        raise ValidationError({"cadence": f"{panel.name} has no cadence to generate meetings from."})
    if end < start:
        raise ValidationError({"end": "The end date is before the start date."})
    if (end - start).days > 731:
        raise ValidationError({"end": "Generate at most two years of meetings at a time."})
    created = []
    with transaction.atomic():
        taken = set(panel.meetings.filter(
            starts_at__date__gte=start - timedelta(days=1), starts_at__date__lte=end + timedelta(days=1)
        ).values_list("starts_at", flat=True))
        taken_dates = {timezone.localtime(t).date() for t in taken}
        for day in avoid_bank_holidays(cadence_dates(panel.cadence, start=start, end=end)):
            if day in taken_dates:
                continue
            taken_dates.add(day)
            starts_at = timezone.make_aware(datetime.combine(day, panel.start_time))
            meeting = Meeting.objects.create(
                panel=panel, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=panel.default_duration_minutes),
                location=panel.location, video_link=panel.video_link,
            )
            invitees_sync_from_memberships(meeting=meeting)
            created.append(meeting)
        for meeting in created:
            event_emit(MeetingCreated(meeting_id=meeting.pk, panel_id=meeting.panel_id, status=meeting.status))
    return created


def invitees_sync_from_memberships(*, meeting: Meeting) -> int:
    """Invite every panel member who is not yet invited. Returns how many were added."""
    existing = set(meeting.invitees.values_list("email", flat=True))
    added = []
    for membership in meeting.panel.memberships.select_related("user", "user__agency"):
        user = membership.user
        if not user.email or user.email in existing or not user.is_active:
            continue
        added.append(MeetingInvitee(
            meeting=meeting, user=user, agency=user.agency, name=user.get_full_name() or user.username,
            email=user.email,
            role=InviteeRole.CHAIR if membership.role == MembershipRole.CHAIR else InviteeRole.REQUIRED,
            can_edit_minutes=membership.role != MembershipRole.PARTNER,
        ))
    MeetingInvitee.objects.bulk_create(added)
    access_changed([i.user_id for i in added], why="invited")
    return len(added)


def _transition(meeting: Meeting, to: str, *, actor: User | None, reason: str = "") -> Meeting:
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if to not in TRANSITIONS[locked.status]:
            raise ValidationError(
                {"status": f"A {locked.get_status_display().lower()} meeting cannot become "
                           f"{MeetingStatus(to).label.lower()}."}
            )
        previous = locked.status
        locked.status = to
        fields = ["status", "updated_at"]
        if to == MeetingStatus.CANCELLED:
            locked.cancelled_reason = reason
            fields += ["cancelled_reason"]
        locked.save(update_fields=fields)
        audit_record(actor=actor, action=f"meeting.{to}", meeting=locked, panel=locked.panel,
                     detail={"from": previous, "reason": reason} if reason else {"from": previous})
        event_emit(MeetingStatusChanged(meeting_id=locked.pk, panel_id=locked.panel_id, status=locked.status,
                                        previous=previous, actor_id=actor.pk if actor else None, reason=reason))
    meeting.refresh_from_db()
    return meeting


def meeting_schedule(*, meeting: Meeting, actor: User) -> Meeting:
    """Leave draft: from here on partners see it and invites go out."""
    return _transition(meeting, MeetingStatus.SCHEDULED, actor=actor)


def meeting_start(*, meeting: Meeting, actor: User) -> Meeting:
    return _transition(meeting, MeetingStatus.IN_PROGRESS, actor=actor)


def meeting_close(*, meeting: Meeting, actor: User) -> Meeting:
    return _transition(meeting, MeetingStatus.CLOSED, actor=actor)


def meeting_cancel(*, meeting: Meeting, actor: User, reason: str) -> Meeting:
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for cancelling the meeting."})
    return _transition(meeting, MeetingStatus.CANCELLED, actor=actor, reason=reason.strip())


def meeting_update(
    *, meeting: Meeting, actor: User, starts_at: datetime, ends_at: datetime, location: str, video_link: str
) -> Meeting:
    """Change time or place. Invitees of a sent meeting get one update (notifications.invites)."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The meeting must end after it starts."})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
            raise ValidationError({"status": "A closed or cancelled meeting cannot be changed."})
        if Meeting.objects.filter(panel_id=locked.panel_id, starts_at=starts_at).exclude(pk=locked.pk).exists():
            raise ValidationError({"starts_at": "This panel already has a meeting at that time."})
        changed = (locked.starts_at, locked.ends_at, locked.location, locked.video_link) != (
            starts_at, ends_at, location, video_link
        )
        if not changed:
            return locked
        moved_from = locked.starts_at
        locked.starts_at, locked.ends_at, locked.location, locked.video_link = starts_at, ends_at, location, video_link
        locked.save()
        audit_record(actor=actor, action="meeting.updated", meeting=locked, panel=locked.panel,
                     detail={"starts_at": starts_at.isoformat(), "location": location})
        # moved_from: agendas moves the slots with the meeting, in this transaction, before invites go out
        event_emit(MeetingUpdated(meeting_id=locked.pk, panel_id=locked.panel_id, status=locked.status,
                                  actor_id=actor.pk, moved_from=moved_from))
    return locked


# --- invitees --------------------------------------------------------------------------------------
def _invitees_changed(meeting: Meeting) -> None:
    event_emit(InviteesChanged(meeting_id=meeting.pk, panel_id=meeting.panel_id, status=meeting.status))


def invitee_add(
    *, meeting: Meeting, actor: User, name: str, email: str, agency=None, role: str = InviteeRole.REQUIRED,
    can_edit_minutes: bool = False, user: User | None = None, announce: bool = True,
    delegate_of: MeetingInvitee | None = None,
) -> MeetingInvitee:
    """Invite a person to a meeting (a scheduled meeting sends them an invite at once).

    ``announce=False`` leaves telling the others to the caller, which narrows the invitation first
    (to one child's slot) and then announces it, so no whole-meeting invite goes out in between."""
    from django.core.validators import validate_email

    errors: dict[str, str] = {}
    name, email = name.strip(), email.strip().lower()
    if user is not None:
        name, email, agency = name or user.get_full_name() or user.username, email or user.email.lower(), user.agency
    if not name:
        errors["name"] = "Give the person's name."
    elif len(name) > 200:
        errors["name"] = "Keep the name under 200 characters."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Give an email address, like name@agency.gov.uk."
    if role not in InviteeRole.values:
        errors["role"] = "Choose chair, required, optional or for information."
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        errors["meeting"] = "A closed or cancelled meeting takes no new invitees."
    if not errors and meeting.invitees.filter(email__iexact=email).exists():
        errors["email"] = f"{email} is already invited to this meeting."
    if errors:
        raise ValidationError(errors)
    if user is None:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is not None and agency is None:
            agency = user.agency
    with transaction.atomic():
        invitee = MeetingInvitee.objects.create(meeting=meeting, user=user, agency=agency, name=name, email=email,
                                                role=role, can_edit_minutes=can_edit_minutes, delegate_of=delegate_of)
        audit_record(actor=actor, action="meeting.invitee_added", meeting=meeting, panel=meeting.panel,
                     detail={"email": email, "role": role,
                             **({"deputy_for": delegate_of.email} if delegate_of else {})})
        access_changed([invitee.user_id], why="invited")
        if announce:
            _invitees_changed(meeting)
    return invitee


def invitee_remove(*, invitee: MeetingInvitee, actor: User) -> None:
    """Withdraw an invitation: that person alone is sent a cancellation; their calendar entry goes. Their
    deputies go with them (a deputy never holds more than who sent them, issue 14)."""
    meeting = invitee.meeting
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise ValidationError({"meeting": "The invitees of a closed or cancelled meeting cannot change."})
    with transaction.atomic():
        access_changed([invitee.user_id, *invitee.deputies.values_list("user_id", flat=True)], why="uninvited")
        for deputy in invitee.deputies.all():
            audit_record(actor=actor, action="meeting.invitee_removed", meeting=meeting, panel=meeting.panel,
                         detail={"email": deputy.email, "deputy_for": invitee.email})
            deputy.delete()
        audit_record(actor=actor, action="meeting.invitee_removed", meeting=meeting, panel=meeting.panel,
                     detail={"email": invitee.email})
        invitee.delete()
        _invitees_changed(meeting)
