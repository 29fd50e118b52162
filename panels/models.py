"""Who and what: agencies, people, panels, children and their legal episodes, meetings."""

from __future__ import annotations

import uuid
from datetime import date, time

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from panels.enums import (
    AddressKind,
    AgencyKind,
    ChildMeetingKind,
    ChildMeetingPlace,
    ChildMeetingStatus,
    EpisodeKind,
    EstablishmentType,
    EteKind,
    Ethnicity,
    Gender,
    InviteeRole,
    LegalStatus,
    MappaNumber,
    MeetingStatus,
    MembershipRole,
    NetworkRole,
    PanelKind,
    PlanSetting,
    ReleaseAddressStatus,
    ResponseStatus,
    Rosh,
    SentenceType,
    TransferDecision,
    UserRole,
)


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    establishment_type = models.CharField(
        max_length=3, choices=EstablishmentType.choices, blank=True,
        help_text="Only for secure-estate establishments.",
    )
    email = models.EmailField(blank=True, help_text="The agency's named contact mailbox.")
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    # Where the agency is, roughly: for a youth justice service its area (read as the home of its children), for
    # an establishment the establishment. Only distances from home use it (panels.geography); town level is enough.
    latitude = models.DecimalField(
        max_digits=7, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Approximate location, in decimal degrees north (e.g. 53.80 for Leeds); town level is enough. "
                  "For a youth justice service, a point in its area: the reports read it as the children's home "
                  "when they work out how far from home a child is held. Give both latitude and longitude, or neither.",
    )
    longitude = models.DecimalField(
        max_digits=8, decimal_places=5, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Approximate location, in decimal degrees east; west of Greenwich is negative (e.g. -1.55 for "
                  "Leeds).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                name="agency_establishment_type_only_for_secure_estate",
                condition=Q(kind=AgencyKind.SECURE_ESTATE) | Q(establishment_type=""),
            ),
            models.CheckConstraint(
                name="agency_location_both_or_neither",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
            models.CheckConstraint(
                name="agency_location_in_range",
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.establishment_type and self.kind != AgencyKind.SECURE_ESTATE:
            raise ValidationError({"establishment_type": "Only secure-estate agencies have an establishment type."})
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError({missing: "Give both latitude and longitude, or neither."})


class User(AbstractUser):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True)
    role = models.CharField(max_length=20, choices=UserRole.choices, default=UserRole.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)
    line_manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    digest_emails = models.BooleanField(
        default=False, help_text="One email a day listing every action that needs attention, instead of one each.")

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Panel(models.Model):
    service = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="panels", help_text="The youth justice service that runs it."
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PanelKind.choices)
    description = models.TextField(blank=True)
    cadence = models.CharField(
        max_length=200, blank=True,
        help_text="An iCalendar RRULE, e.g. FREQ=MONTHLY;BYDAY=+1TH for the first Thursday of each month.",
    )
    start_time = models.TimeField(default=time(10, 0))
    default_duration_minutes = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    mailbox = models.EmailField(blank=True, help_text="Organiser address for invites.")
    rule_settings = models.JSONField(default=dict, blank=True)
    strategic_lead = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Who the chair escalates an action to when the panel cannot resolve it.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="panel_unique_name_per_service")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from panels.cadence import CadenceError, parse_cadence

        if self.cadence:
            try:
                parse_cadence(self.cadence)
            except CadenceError as exc:
                raise ValidationError({"cadence": str(exc)}) from exc


class PanelMembership(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)

    class Meta:
        ordering = ["panel", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="membership_unique_user_per_panel")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.panel}"


class Child(models.Model):
    """A child known to a youth justice service. Legal history lives on ``LegalEpisode``."""

    service = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="children")
    reference = models.CharField(max_length=40)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=10, choices=Gender.choices, null=True, blank=True)
    legal_status = models.CharField(max_length=10, choices=LegalStatus.choices)
    looked_after = models.BooleanField(null=True, blank=True)
    ehcp = models.BooleanField(null=True, blank=True)
    school_age = models.BooleanField(
        null=True, blank=True, help_text="Overrides the derived compulsory-school-age status when set."
    )
    rosh = models.CharField(max_length=10, choices=Rosh.choices, null=True, blank=True)
    mappa_category = models.CharField(max_length=1, choices=MappaNumber.choices, null=True, blank=True)
    mappa_level = models.CharField(max_length=1, choices=MappaNumber.choices, null=True, blank=True)
    mappa_referred_on = models.DateField(null=True, blank=True)
    victims = models.BooleanField(null=True, blank=True)
    transfer_decision = models.CharField(max_length=10, choices=TransferDecision.choices, null=True, blank=True)
    transfer_date = models.DateField(null=True, blank=True)
    # Cohort format v2: the statutory meetings about this child recorded as held. Each ends the matching
    # agenda reason (docs/agenda-rules.md v2 §7): a panel's discussion does not.
    ipm_held_on = models.DateField("initial planning meeting held on", null=True, blank=True)
    remand_planning_held_on = models.DateField("remand planning meeting held on", null=True, blank=True)
    first_planning_held_on = models.DateField("first resettlement planning meeting held on", null=True, blank=True)
    penultimate_held_on = models.DateField("penultimate resettlement meeting held on", null=True, blank=True)
    final_review_held_on = models.DateField("final release review held on", null=True, blank=True)
    post_release_review_held_on = models.DateField("post-release review held on", null=True, blank=True)
    transition_meeting_held_on = models.DateField("youth-to-adult transition meeting held on", null=True,
                                                  blank=True)
    ete_interview_on = models.DateField("education, training or employment interview after release on",
                                        null=True, blank=True)
    release_address_status = models.CharField(max_length=10, choices=ReleaseAddressStatus.choices, null=True,
                                              blank=True)
    ethnicity = models.CharField(max_length=10, choices=Ethnicity.choices, null=True, blank=True,
                                 help_text="Used only in reports (disproportionality), never by the agenda rules.")
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="caseload"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(fields=["service", "reference"], name="child_unique_reference_per_service")
        ]
        indexes = [models.Index(fields=["service", "legal_status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.display_name}"

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"


class LegalEpisode(models.Model):
    """A remand or a sentence. A child can have several; the current ones feed the rules."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="episodes")
    kind = models.CharField(max_length=10, choices=EpisodeKind.choices)
    is_current = models.BooleanField(default=True)
    sentence_type = models.CharField(max_length=20, choices=SentenceType.choices, null=True, blank=True)
    start_date = models.DateField(null=True, blank=True, help_text="Remand date or sentence date.")
    custody_entry_date = models.DateField(null=True, blank=True)
    sentence_length_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    release_date = models.DateField(null=True, blank=True, help_text="Expected (standard) release date.")
    early_release_date = models.DateField(null=True, blank=True)
    actual_release_date = models.DateField(null=True, blank=True)
    order_end_date = models.DateField(null=True, blank=True)
    licence_end_date = models.DateField(null=True, blank=True)
    establishment = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="episodes_held",
        limit_choices_to={"kind": "secure_estate"},
    )
    establishment_type = models.CharField(max_length=3, choices=EstablishmentType.choices, null=True, blank=True)

    class Meta:
        ordering = ["child", "start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind"], condition=Q(is_current=True), name="episode_one_current_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.child.reference} from {self.start_date or 'unknown date'}"

class Meeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT)
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cancelled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(name="meeting_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.UniqueConstraint(fields=["panel", "starts_at"], name="meeting_unique_start_per_panel"),
        ]
        indexes = [models.Index(fields=["panel", "status", "starts_at"])]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.panel} – {timezone.localtime(self.starts_at):%a %-d %b %Y %H:%M}"

    @property
    def local_date(self) -> date:
        from django.utils import timezone

        return timezone.localtime(self.starts_at).date()

    @property
    def ical_uid(self) -> str:
        return f"meeting-{self.uid}@{settings.SITE_DOMAIN}"


class MeetingInvitee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=InviteeRole.choices, default=InviteeRole.REQUIRED)
    response = models.CharField(max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.NEEDS_ACTION)
    can_edit_minutes = models.BooleanField(default=False)
    delegate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="deputies",
        help_text="Set when this person was sent as a deputy by another invitee.")
    response_comment = models.CharField(max_length=500, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "email"], name="invitee_unique_email_per_meeting")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class CohortImport(models.Model):
    """One upload of a cohort file: validated whole, applied whole or not at all."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        VALIDATING = "validating", "Checking rows"
        APPLYING = "applying", "Applying"
        VALIDATED = "validated", "Checked (dry run)"
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    service = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cohort_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    source = models.TextField(help_text="The file as uploaded (kept for the import history).")
    dry_run = models.BooleanField(default=False)
    ignore_columns = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    notices = models.JSONField(default=list, blank=True,
                               help_text="What the importer should know about a file that was accepted.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a run last took the job.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.VALIDATED, self.Status.APPLIED, self.Status.REJECTED, self.Status.FAILED}

    @property
    def problem_total(self) -> int:
        """Every problem found (the list itself stops at the first 1,000 and a summary line)."""
        if self.problems and isinstance(self.problems[-1], dict) and self.problems[-1].get("summary"):
            return self.problems[-1]["total"]
        return len(self.problems)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class AuditEntryQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("The audit log is append-only: entries leave only through prune() (retention).")

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only: entries are never updated.")

    def prune(self) -> int:
        """Delete these entries: only panels.accounts.audit_prune calls this, for the retention period."""
        deleted, _ = super().delete()
        return deleted


class AuditEntry(models.Model):
    """Append-only: who read or changed what, when, from where. Never updated or deleted by the app, except the
    retention run (``manage.py prune_audit``). The links to a child, meeting or panel are set to null when those
    are deleted (the database does that, not the app); the child's id and reference stay (``child_key``,
    ``child_reference``), and the deletion itself is an entry naming the child (issue 14)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=60, db_index=True)
    child = models.ForeignKey(Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    child_key = models.PositiveBigIntegerField(null=True, blank=True, db_index=True,
                                               help_text="The child's id, kept after the child is deleted.")
    child_reference = models.CharField(max_length=40, blank=True, help_text="The child's reference when recorded.")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    panel = models.ForeignKey(Panel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only: entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only: entries leave only through the retention run.")


# --- the child's resettlement record (issue 16, points 3, 5, 6) ------------------------------------------------
class NetworkMember(models.Model):
    """Someone in the child's network: a user of Convene, or a contact without a login (a parent, a mentor).
    Contacts without a login are only ever sent calendar invites (by email); they never sign in."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="network")
    role = models.CharField(max_length=30, choices=NetworkRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="network_roles")
    name = models.CharField(max_length=200, blank=True, help_text="For a contact without a login.")
    email = models.EmailField(blank=True, help_text="For a contact without a login: where invites go.")
    phone = models.CharField(max_length=40, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attends_remotely = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child", "role", "id"]
        constraints = [
            models.CheckConstraint(name="network_member_is_user_or_named",
                                   condition=Q(user__isnull=False) | ~Q(name="")),
            models.UniqueConstraint(fields=["child", "role", "user"], condition=Q(user__isnull=False),
                                    name="network_member_unique_user_role"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.get_role_display()}"

    @property
    def display_name(self) -> str:
        return (self.user.get_full_name() or self.user.username) if self.user is not None else self.name

    @property
    def contact_email(self) -> str:
        return self.user.email if self.user is not None else self.email

    @property
    def contact_agency(self):
        return self.user.agency if self.user_id else self.agency

    @property
    def is_family(self) -> bool:
        from panels.enums import FAMILY_ROLES

        return self.role in FAMILY_ROLES


class Pathway(models.Model):
    """One resettlement pathway of a service's set (Enfield's 9 and Camden's 7 are presets; editable)."""

    service = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="pathways")
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Retired pathways stay on old plans and actions.")

    class Meta:
        ordering = ["service", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="pathway_unique_name_per_service")]

    def __str__(self) -> str:
        return self.name


class ChildResettlement(models.Model):
    """Record data about a child kept outside the cohort file: the child's own words and the Y2A reason."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="resettlement")
    who_are_you = models.TextField(blank=True)
    who_do_you_want_to_be = models.TextField(blank=True)
    strengths_and_goals = models.TextField(blank=True)
    how_will_you_get_there = models.TextField(blank=True)
    transfer_reason = models.TextField(
        blank=True, help_text="Why the case is retained by (or transferred from) the youth justice service.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Resettlement record of {self.child_id}"


class PlanRow(models.Model):
    """One line of the resettlement plan: a goal in one pathway, in custody or in the community."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="plan_rows")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="plan_rows")
    setting = models.CharField(max_length=10, choices=PlanSetting.choices)
    goal = models.TextField()
    how = models.TextField(blank=True)
    who_member = models.ForeignKey(NetworkMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    who_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    who_agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_when = models.DateField(null=True, blank=True)
    progress = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["child", "pathway__position", "setting", "id"]

    def __str__(self) -> str:
        return f"{self.pathway} ({self.setting}): {self.goal[:40]}"

    @property
    def who(self) -> str:
        if self.who_member is not None:
            return str(self.who_member.display_name)
        if self.who_user_id:
            return str(self.who_user)
        return self.who_agency.name if self.who_agency is not None else ""

    @property
    def has_owner(self) -> bool:
        return bool(self.who_member_id or self.who_user_id or self.who_agency_id)


class ChildMeeting(models.Model):
    """A statutory meeting about one child (issue 16, point 2): planned, then held, cancelled or not held.

    Recording it as held sets the child's matching ``*_held_on`` field (``panels.child_meetings.HELD_FIELDS``),
    which ends the agenda reason. A planned meeting is a calendar event for its invitees (``notifications.
    child_invites``): nothing about the child goes into it."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="statutory_meetings")
    kind = models.CharField(max_length=20, choices=ChildMeetingKind.choices)
    status = models.CharField(max_length=10, choices=ChildMeetingStatus.choices, default=ChildMeetingStatus.PLANNED)
    starts_at = models.DateTimeField(help_text="Planned start.")
    ends_at = models.DateTimeField(help_text="Planned end.")
    held_on = models.DateField(null=True, blank=True, help_text="The day it was actually held.")
    place = models.CharField(max_length=13, choices=ChildMeetingPlace.choices)
    location = models.CharField(max_length=200, blank=True, help_text="Where exactly (never the child's name).")
    video_link = models.URLField(blank=True)
    child_attended = models.BooleanField(null=True, blank=True, help_text="Did the child take part?")
    family_attended = models.BooleanField(null=True, blank=True, help_text="Did parents or carers take part?")
    outcome = models.TextField(blank=True, help_text="What was decided (at most 5,000 characters).")
    cancelled_reason = models.CharField(max_length=300, blank=True)
    held_field_before = models.DateField(
        null=True, blank=True,
        help_text="The child's matching *_held_on date before this meeting was first recorded as held.")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["child", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="child_meeting_ends_after_start",
                                   condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="child_meeting_held_has_date",
                                   condition=~Q(status=ChildMeetingStatus.HELD) | Q(held_on__isnull=False)),
        ]
        indexes = [models.Index(fields=["child", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    @property
    def ical_uid(self) -> str:
        return f"child-meeting-{self.uid}@{settings.SITE_DOMAIN}"


class ChildMeetingParticipant(models.Model):
    """Someone invited to (or recorded at) a statutory meeting: a network member, a user, or a contact without
    a login. ``invited`` people with an email address get the calendar invites; contacts without a login get
    nothing else."""

    child_meeting = models.ForeignKey(ChildMeeting, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(NetworkMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="child_meeting_invitations")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=120, blank=True, help_text="What they are to the child (e.g. IRO).")
    invited = models.BooleanField(default=True, help_text="Sent calendar invites.")
    attended = models.BooleanField(null=True, blank=True)
    response = models.CharField(max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.NEEDS_ACTION)

    class Meta:
        ordering = ["child_meeting", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["child_meeting", "email"], condition=~Q(email=""),
                                               name="child_meeting_participant_email_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name
# --- release address and ETE (issue 16, point 4) -------------------------------------------------------------------
class ReleaseAddressChange(models.Model):
    """One change of the child's release-address status, dated (proposed on, assessed on, confirmed on, fell through
    on). ``Child.release_address_status`` is always the status of the latest change (``panels.release_services``
    keeps them in step, in one transaction). The address is sensitive: only a kind and a short summary are kept, shown
    only to those who may see the child's record, never in a calendar entry, an email or an agenda."""

    class Source(models.TextChoices):
        PAGE = "page", "Child page"
        IMPORT = "import", "Cohort import"
        EARLIER = "earlier", "Recorded before the history was kept"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="address_changes")
    status = models.CharField(max_length=10, choices=ReleaseAddressStatus.choices, null=True, blank=True,
                              help_text="The status from this date on (empty: not known).")
    fell_through = models.BooleanField(default=False, help_text="The address recorded before fell through.")
    on = models.DateField("date of the change")
    kind = models.CharField(max_length=20, choices=AddressKind.choices, blank=True)
    summary = models.CharField(max_length=200, blank=True,
                               help_text="The address in a few words, e.g. \"mother's flat, Edmonton\".")
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PAGE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child", "on", "id"]
        indexes = [models.Index(fields=["child", "on"])]
        constraints = [
            models.CheckConstraint(name="address_fell_through_means_none",
                                   condition=Q(fell_through=False) | Q(status=ReleaseAddressStatus.NONE)),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.status or 'unknown'} on {self.on}"


class ReleaseEte(models.Model):
    """The education, training or employment planned for the child's release. The interview date is the child's
    ``ete_interview_on`` (a cohort field: it ends ``ED_RELEASE_ETE``)."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="release_ete")
    kind = models.CharField(max_length=12, choices=EteKind.choices, blank=True)
    provider = models.CharField(max_length=200, blank=True, help_text="The school, college, trainer or employer.")
    hours_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)])
    starts_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ETE on release of {self.child_id}"


class AuditEntryChild(models.Model):
    """One child a list read returned (a page of the children list, an export, a websocket room, the events of a
    meeting): one entry per request, one of these per child, so a subject access request finds every read of a
    child (issue 14). Kept after the child is deleted; leaves only with its entry (retention)."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.CASCADE, related_name="children")
    child_key = models.PositiveBigIntegerField(db_index=True)
    child_reference = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["entry", "child_key"]
        constraints = [models.UniqueConstraint(fields=["entry", "child_key"], name="audit_child_once_per_entry")]

    def __str__(self) -> str:
        return f"{self.child_reference or self.child_key} in {self.entry_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only: entries are never updated.")
        super().save(*args, **kwargs)
