"""Build, rebuild and publish meeting agendas; referrals; the chair's additions and removals.

The rules (``agendas.rules``) decide *who is due and why*; this module adds what only the live system
knows (referrals, the chair's decisions, reasons already discussed, what was published) and writes
the result. Everything a chair does is audited; publishing freezes a numbered version.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from agendas import selectors
from agendas.events import (
    AgendaPublished,
    AgendaRebuilt,
    ItemInvitationsChanged,
    ItemUpdated,
    ReferralCreated,
    ReferralDecided,
    SlotsAssigned,
)
from agendas.freetext import named_children_warning, warning_text
from agendas.merge import DecisionIn, MeetingInputs, Reason, ReferralIn, merge_meeting
from agendas.models import AgendaDecision, AgendaItem, AgendaVersion, ItemInvitation, Referral
from agendas.rules import PlacedReason, RuleSettings, place_for_panel, place_reason
from agendas.timing import CLOSING_MINUTES, OPENING_MINUTES
from agendas.workdays import WorkingCalendar
from panels.audit import audit_record
from panels.enums import MeetingStatus
from panels.events import access_changed, event_emit
from panels.models import Child, Meeting, MeetingInvitee, Panel, User


class AgendaConflict(Exception):
    """Someone else changed the item first (compare-and-set failed)."""

    def __init__(self, item: AgendaItem):
        super().__init__(f"The item for {item.child.reference} was changed by someone else; reload and retry.")
        self.item = item


@cache
def working_calendar() -> WorkingCalendar:
    """One England & Wales calendar for the process; it grows to any year a rule asks about (v2 §7)."""
    return WorkingCalendar.england()


def panel_rule_settings(panel: Panel) -> RuleSettings:
    settings, errors = RuleSettings.from_dict(panel.rule_settings or {})
    if errors:
        raise ValidationError({"rule_settings": errors})
    return settings


# --- extra reason providers ----------------------------------------------------------------------
# Apps to the right register providers. A reason provider (minutes: open actions) gives finished reasons
# for one meeting: provider(*, panel, meeting, child_ids) -> {child_id: [reason dict]}. A dated reason
# provider (minutes: the next review a panel set, REVIEW_DUE) gives ``rules.Reason``s that are placed on
# the panel's meetings like the rules' own: provider(*, panel, child_ids) -> {child_id: [Reason]}.
_providers: list = []
_dated_providers: list = []


def reason_provider_register(provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def dated_reason_provider_register(provider) -> None:
    if provider not in _dated_providers:
        _dated_providers.append(provider)


@dataclass
class ComputedItem:
    child_id: int
    reference: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    removed_reason: str = ""
    name: str = ""
    # read by the sort and again by the build: worked out once, from the reasons given (not changed after)
    late: bool = field(init=False, compare=False, repr=False)
    earliest_due: date | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        late, first_due = False, None
        for reason in self.reasons:
            late = late or reason["late"]
            due = reason.get("due")
            if due and (first_due is None or due < first_due):
                first_due = due
        self.late = bool(late)
        self.earliest_due = date.fromisoformat(first_due) if first_due else None

    def sort_key(self) -> tuple:
        due = self.earliest_due
        return (not self.late, due is None, due or date.max, self.reference)


def agenda_compute(*, meeting: Meeting, today: date | None = None) -> list[ComputedItem]:
    """Who is due at ``meeting`` and why, in agenda order. Reads only; a constant number of queries."""
    results = agendas_compute(panel=meeting.panel, today=today, meetings=[meeting])
    return results[meeting.pk]


def agendas_compute(
    *, panel: Panel, today: date | None = None, meetings: list[Meeting] | None = None, child_ids=None
) -> dict[int, list[ComputedItem]]:
    """Computed items for several not-yet-held meetings of one panel at once (the forward look).

    ``child_ids`` limits the computation to some children: placement of one child never depends on
    another, so a child's own forward look costs the same whatever the cohort size.
    """
    today = today or timezone.localdate()
    not_held = selectors.meetings_not_held(panel=panel, today=today)
    wanted = meetings if meetings is not None else not_held
    for meeting in wanted:
        if meeting.status not in selectors.NOT_HELD:
            raise ValidationError({"meeting": "Agendas are built only for meetings not yet held."})
    by_date = {m.local_date: m for m in not_held}
    for meeting in wanted:
        by_date.setdefault(meeting.local_date, meeting)
    dates = sorted(by_date)
    facts, names = selectors.cohort_facts(service_id=panel.service_id, child_ids=child_ids,
                                           kind=panel.kind)
    id_by_ref = {f.reference: child_id for child_id, f in facts.items()}
    wanted_dates = {m.local_date: m for m in wanted}
    placed = place_for_panel(facts.values(), kind=panel.kind, meeting_dates=dates,
                             settings=panel_rule_settings(panel), calendar=working_calendar(),
                             only=set(wanted_dates))
    satisfied = selectors.satisfied_reasons(panel=panel)
    # dated live reasons (REVIEW_DUE), placed on the same meetings by the same rules of section 2
    dated: dict[date, dict[int, list[Reason]]] = {}
    for provider in _dated_providers:
        for child_id, reasons in provider(panel=panel, child_ids=facts.keys()).items():
            for reason in reasons:
                for index, late in place_reason(reason, dates):
                    if dates[index] in wanted_dates:
                        dated.setdefault(dates[index], {}).setdefault(child_id, []).append(
                            Reason(reason.code, reason.kind, reason.due, late, reason.explanation))
    referrals = tuple(
        ReferralIn(r.child_id, f"Referred by {r.referred_by} on {r.created_at:%-d %b %Y}: {r.reason}")
        for r in selectors.accepted_referrals(panel=panel))
    decisions: dict[int, list[DecisionIn]] = {m.pk: [] for m in wanted}
    for decision in AgendaDecision.objects.filter(meeting__in=wanted, superseded=False).select_related("actor"):
        add = decision.action == AgendaDecision.Action.ADD
        decisions[decision.meeting_id].append(DecisionIn(
            decision.child_id, add, f"{'Added' if add else 'Removed'} by {decision.actor}: {decision.reason}"))
    out: dict[int, list[ComputedItem]] = {m.pk: [] for m in wanted}
    first_date = dates[0] if dates else None
    discussed = {child_id for child_id, _code, _due in satisfied}
    for result in placed:
        meeting = wanted_dates.get(result.date)
        if meeting is None:
            continue
        inputs = MeetingInputs(
            dated={child_id: tuple(reasons) for child_id, reasons in dated.get(result.date, {}).items()},
            referrals=referrals if meeting.local_date == first_date else (),
            provided=_provided(panel=panel, meeting=meeting, child_ids=facts.keys()),
            decisions=tuple(decisions.get(meeting.pk, ())),
        )
        # A child whom no live input touches (nothing discussed, dated, referred, provided or decided) is listed
        # with exactly the rules' reasons, already in code order: stored straight from them. Only the others go
        # through the merge (most of a large cohort is the first kind).
        touched = discussed | inputs.child_ids()
        items, placed_touched = [], {}
        for p in result.items:
            child_id = id_by_ref[p.child]
            if child_id in touched:
                placed_touched[child_id] = tuple(Reason(r.code, r.kind, r.due, r.late, r.explanation)
                                                 for r in p.reasons)
            else:
                items.append(ComputedItem(child_id, p.child, [_stored(r) for r in p.reasons], "",
                                          names.get(child_id, "")))
        merged = merge_meeting(replace(inputs, placed=placed_touched), children=facts.keys(), satisfied=satisfied)
        items += [ComputedItem(item.child_id, facts[item.child_id].reference, [r.stored() for r in item.reasons],
                               item.removed_reason, names.get(item.child_id, "")) for item in merged.values()]
        out[meeting.pk] = sorted(items, key=ComputedItem.sort_key)
    return out


def _stored(reason: PlacedReason) -> dict[str, Any]:
    """A rules' reason as kept on an agenda item: the same dict as ``merge.Reason(...).stored()``."""
    due = reason.due
    return {"code": reason.code, "kind": reason.kind, "due": due.isoformat() if due else None,
            "late": bool(reason.late), "explanation": reason.explanation}


def _provided(*, panel: Panel, meeting: Meeting, child_ids) -> dict[int, tuple[Reason, ...]]:
    """The finished reasons other apps give for this meeting (``reason_provider_register``)."""
    provided: dict[int, list[Reason]] = {}
    for provider in _providers:
        for child_id, extra in provider(panel=panel, meeting=meeting, child_ids=child_ids).items():
            provided.setdefault(child_id, []).extend(Reason.from_stored(r) for r in extra)
    return {child_id: tuple(reasons) for child_id, reasons in provided.items()}


def _published_child_ids(meeting: Meeting) -> set[int]:
    version = selectors.latest_version(meeting=meeting)
    return {entry["child_id"] for entry in version.items} if version else set()


@transaction.atomic
def agenda_build(*, meeting: Meeting, today: date | None = None, actor: User | None = None) -> QuerySet[AgendaItem]:
    """(Re)build the working agenda. Keeps slots, presenters and the chair's decisions; never silently
    drops a child who was on a published version (they are kept, flagged "no longer due")."""
    meeting = Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)
    computed = agenda_compute(meeting=meeting, today=today)
    # compare on plain rows; only the items that change become model instances
    columns = ("pk", "child_id", "reasons", "late", "earliest_due", "position", "state", "version")
    existing = {row["child_id"]: row for row in meeting.agenda_items.order_by().values(*columns)}
    published = _published_child_ids(meeting)
    to_create, to_update, to_delete = [], [], []
    position = 0
    seen = set()

    now = timezone.now()

    def changed(row: dict, values: dict) -> None:
        to_update.append(AgendaItem(pk=row["pk"], meeting=meeting, child_id=row["child_id"], updated_at=now,
                                    **{**{k: row[k] for k in columns[2:]}, **values, "version": row["version"] + 1}))

    for entry in computed:
        position += 1
        seen.add(entry.child_id)
        state = AgendaItem.State.REMOVED if entry.removed_reason else AgendaItem.State.LISTED
        row = existing.get(entry.child_id)
        values = {"reasons": entry.reasons, "late": entry.late, "earliest_due": entry.earliest_due,
                  "position": position, "state": state}
        if row is None:
            to_create.append(AgendaItem(meeting=meeting, child_id=entry.child_id, **values))
        elif any(row[k] != v for k, v in values.items()):
            changed(row, values)
    for child_id, row in existing.items():
        if child_id in seen:
            continue
        if child_id in published:
            position += 1
            if row["state"] != AgendaItem.State.NO_LONGER_DUE or row["position"] != position:
                changed(row, {"state": AgendaItem.State.NO_LONGER_DUE, "position": position})
        else:
            to_delete.append(row["pk"])
    AgendaItem.objects.bulk_create(to_create)
    AgendaItem.objects.bulk_update(to_update, ["reasons", "late", "earliest_due", "position", "state", "version",
                                               "updated_at"])
    AgendaItem.objects.filter(pk__in=to_delete).delete()
    if actor is not None:
        audit_record(actor=actor, action="agenda.rebuilt", meeting=meeting, panel=meeting.panel,
                     detail={"added": len(to_create), "changed": len(to_update), "dropped": len(to_delete)})
    event_emit(AgendaRebuilt(meeting_id=meeting.pk, status=meeting.status))
    return selectors.working_items(meeting=meeting)  # lazy: callers that only rebuild pay nothing


def _require_not_held(meeting: Meeting) -> None:
    if meeting.status not in selectors.NOT_HELD:
        raise ValidationError({"meeting": "This meeting has been held: its agenda can no longer change."})


def agenda_child_add(*, meeting: Meeting, child: Child, reason: str, actor: User) -> AgendaDecision:
    return _decide(meeting=meeting, child=child, reason=reason, actor=actor, action=AgendaDecision.Action.ADD)


def agenda_child_remove(*, meeting: Meeting, child: Child, reason: str, actor: User) -> AgendaDecision:
    return _decide(meeting=meeting, child=child, reason=reason, actor=actor, action=AgendaDecision.Action.REMOVE)


@transaction.atomic
def _decide(*, meeting: Meeting, child: Child, reason: str, actor: User, action: str) -> AgendaDecision:
    _require_not_held(meeting)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason: it is recorded in the audit log."})
    if child.service_id != meeting.panel.service_id:
        raise ValidationError({"child": "That child is not known to this panel's service."})
    AgendaDecision.objects.filter(meeting=meeting, child=child, superseded=False).update(superseded=True)
    decision = AgendaDecision.objects.create(meeting=meeting, child=child, action=action, reason=reason,
                                             actor=actor)
    audit_record(actor=actor, action=f"agenda.child_{'added' if action == 'add' else 'removed'}", child=child,
                 meeting=meeting, panel=meeting.panel, detail={"reason": reason})
    agenda_build(meeting=meeting)
    return decision


@transaction.atomic
def agenda_item_update(
    *, item: AgendaItem, actor: User, expected_version: int, slot_start: time | None, slot_minutes: int | None,
    presenter: User | None,
) -> AgendaItem:
    """Set a child's time slot and presenter, refusing a stale write (compare-and-set on ``version``)."""
    _require_not_held(item.meeting)
    if (slot_start is None) != (slot_minutes is None):
        raise ValidationError({"slot_minutes": "Give both a start time and a length, or neither."})
    if slot_minutes is not None and not 5 <= slot_minutes <= 240:
        raise ValidationError({"slot_minutes": "A slot lasts between 5 and 240 minutes."})
    if slot_start is not None:
        meeting = item.meeting
        start = timezone.localtime(meeting.starts_at)
        end = timezone.localtime(meeting.ends_at)
        slot_begin = datetime.combine(start.date(), slot_start, tzinfo=start.tzinfo)
        if slot_begin < start or slot_begin + timedelta(minutes=slot_minutes) > end:
            raise ValidationError({"slot_start": f"The slot must fall within the meeting, "
                                                 f"{start:%H:%M} to {end:%H:%M}."})
    updated = AgendaItem.objects.filter(pk=item.pk, version=expected_version).update(
        slot_start=slot_start, slot_minutes=slot_minutes, presenter=presenter, version=F("version") + 1,
        updated_at=timezone.now(),
    )
    item.refresh_from_db()
    if not updated:
        raise AgendaConflict(item)
    audit_record(actor=actor, action="agenda.slot_set", child=item.child, meeting=item.meeting,
                 detail={"slot_start": slot_start.isoformat() if slot_start else None, "slot_minutes": slot_minutes})
    event_emit(ItemUpdated(meeting_id=item.meeting_id, item_id=item.pk, version=item.version))
    return item




@transaction.atomic
def agenda_assign_slots(*, meeting: Meeting, actor: User, minutes_per_child: int = 15) -> int:
    """Give every listed child without a slot the next free slot after the opening items, shortening
    slots (to no less than 5 minutes) so that they fit before the closing items."""
    _require_not_held(meeting)
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at) - timedelta(minutes=CLOSING_MINUTES)
    cursor = start + timedelta(minutes=OPENING_MINUTES)
    items = list(meeting.agenda_items.filter(state=AgendaItem.State.LISTED).order_by("position"))
    for item in items:
        if item.slot_start is not None:
            cursor = max(cursor, datetime.combine(start.date(), item.slot_start, tzinfo=start.tzinfo)
                         + timedelta(minutes=item.slot_minutes or 0))
    waiting = [item for item in items if item.slot_start is None]
    if waiting:
        room = int((end - cursor).total_seconds() // 60)
        minutes_per_child = max(5, min(minutes_per_child, room // len(waiting)))
    changed = []
    for item in items:
        if item.slot_start is None:
            item.slot_start, item.slot_minutes = cursor.time(), minutes_per_child
            item.version += 1
            cursor += timedelta(minutes=minutes_per_child)
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["slot_start", "slot_minutes", "version"])
    if changed:
        audit_record(actor=actor, action="agenda.slots_assigned", meeting=meeting, detail={"count": len(changed)})
        event_emit(SlotsAssigned(meeting_id=meeting.pk, status=meeting.status))
    return len(changed)


def _snapshot(items: list[AgendaItem]) -> list[dict[str, Any]]:
    return [
        {"child_id": i.child_id, "reference": i.child.reference, "state": i.state, "position": n,
         "reasons": i.reasons, "late": i.late,
         "slot_start": i.slot_start.strftime("%H:%M") if i.slot_start else None, "slot_minutes": i.slot_minutes,
         "presenter": str(i.presenter) if i.presenter else None}
        for n, i in enumerate(items, start=1)
    ]


def _changes(previous: list[dict], current: list[dict]) -> dict[str, list]:
    before = {e["child_id"]: e for e in previous}
    after = {e["child_id"]: e for e in current}
    def place(entry: dict) -> str:  # the slot time when there is one, else the place in the running order
        return entry["slot_start"] or f"#{entry['position']}"

    moved = []
    for child_id, entry in after.items():
        old = before.get(child_id)
        if old and place(old) != place(entry):  # never "from 11:15 to 11:15"
            moved.append({"reference": entry["reference"], "from": place(old), "to": place(entry)})
    return {
        "added": sorted(after[c]["reference"] for c in after.keys() - before.keys()),
        "removed": sorted(before[c]["reference"] for c in before.keys() - after.keys()),
        "moved": sorted(moved, key=lambda m: m["reference"]),
    }


@transaction.atomic
def agenda_publish(*, meeting: Meeting, actor: User, note: str = "", note_checked: bool = False) -> AgendaVersion:
    """Freeze the working agenda as the next numbered version; partners see only published versions.

    A note naming a child is refused (ValidationError on ``note`` saying which child and who would read it)
    unless the chair has confirmed it with ``note_checked``: every invitee reads the note word for word."""
    if note.strip() and not note_checked:
        named, readers = named_children_warning(note, meeting=meeting)
        if named:
            raise ValidationError({"note": warning_text(named, readers)})
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_not_held(meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"meeting": "A cancelled meeting has no agenda to publish."})
    items = [i for i in selectors.working_items(meeting=meeting) if i.state != AgendaItem.State.REMOVED]
    previous = selectors.latest_version(meeting=meeting)
    snapshot = _snapshot(items)
    changes = _changes(previous.items if previous else [], snapshot)
    if previous and not any(changes.values()) and previous.items == snapshot:
        raise ValidationError({"meeting": f"Nothing has changed since version {previous.number}."})
    version = AgendaVersion.objects.create(
        meeting=meeting, number=(previous.number + 1) if previous else 1, published_by=actor, items=snapshot,
        changes=changes if previous else {"added": [e["reference"] for e in snapshot], "removed": [], "moved": []},
        note=note.strip()[:500],
    )
    audit_record(actor=actor, action="agenda.published", meeting=meeting, panel=meeting.panel,
                 detail={"version": version.number, **version.changes})
    event_emit(AgendaPublished(meeting_id=meeting.pk, version=version.number, status=meeting.status))
    return version


# --- referrals -----------------------------------------------------------------------------------
REFERRAL_REASON_MAX = 2000


@transaction.atomic
def referral_create(*, panel: Panel, child: Child, reason: str, actor: User) -> Referral:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the panel should discuss this child."})
    if len(reason) > REFERRAL_REASON_MAX:  # the reason is copied into the audit log too
        raise ValidationError({"reason": f"Keep the reason under {REFERRAL_REASON_MAX} characters."})
    if child.service_id != panel.service_id:
        raise ValidationError({"panel": "That panel belongs to another service."})
    if Referral.objects.filter(panel=panel, child=child, status=Referral.Status.PENDING).exists():
        raise ValidationError({"panel": f"{child.reference} already has a referral to {panel.name} waiting."})
    referral = Referral.objects.create(panel=panel, child=child, reason=reason, referred_by=actor)
    audit_record(actor=actor, action="referral.created", child=child, panel=panel, detail={"reason": reason})
    event_emit(ReferralCreated(referral_id=referral.pk, panel_id=panel.pk))
    return referral


@transaction.atomic
def referral_decide(*, referral: Referral, actor: User, accept: bool, note: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Referral.Status.PENDING:
        raise ValidationError({"status": f"This referral was already {referral.get_status_display().lower()}."})
    if not accept and not note.strip():
        raise ValidationError({"note": "Say why the referral is declined: the case manager is told."})
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
    referral.decided_by, referral.decided_at, referral.decision_note = actor, timezone.now(), note.strip()
    referral.save()
    audit_record(actor=actor, action=f"referral.{referral.status}", child=referral.child, panel=referral.panel,
                 detail={"note": referral.decision_note})
    event_emit(ReferralDecided(referral_id=referral.pk, panel_id=referral.panel_id, status=referral.status))
    return referral


def referrals_close_heard(*, meeting_id: int, panel_id: int) -> int:
    """The panel's accepted referrals of the children listed at this meeting were heard there: they leave the
    next agendas (called when the meeting starts). Returns how many were closed."""
    heard = AgendaItem.objects.filter(meeting_id=meeting_id, state=AgendaItem.State.LISTED).values("child_id")
    return Referral.objects.filter(
        panel_id=panel_id, status=Referral.Status.ACCEPTED, discussed_at__isnull=True, child_id__in=heard
    ).update(discussed_at_id=meeting_id)


def panel_rule_settings_update(*, panel: Panel, settings: RuleSettings, actor: User) -> Panel:
    """Save a panel's rule settings (validated) and rebuild the agendas still to come."""
    before = panel.rule_settings or {}
    after = settings.to_dict()
    defaults = RuleSettings().to_dict()
    # store only what differs from the defaults, so a change of default reaches every panel
    panel.rule_settings = {k: v for k, v in after.items() if v != defaults.get(k)}
    panel.save(update_fields=["rule_settings"])
    audit_record(actor=actor, action="panel.rule_settings_changed", panel=panel,
                 detail={"before": before, "after": panel.rule_settings})
    agendas_rebuild_upcoming(panel=panel)
    return panel


def agendas_rebuild_upcoming(*, panel: Panel, today: date | None = None) -> int:
    """Rebuild every not-yet-held agenda of a panel (after a cohort import or a settings change)."""
    meetings = selectors.meetings_not_held(panel=panel, today=today or timezone.localdate())
    for meeting in meetings:
        agenda_build(meeting=meeting, today=today)
    return len(meetings)


def agendas_refresh_child(*, service_id: int, child_id: int, today: date | None = None) -> int:
    """After one child's record changed (a statutory meeting held, the release address or ETE, the Y2A
    decision), rebuild only the upcoming agendas on which that child's item changes. Placement of one child
    never depends on another (``agendas_compute``'s ``child_ids``), so the child's items are computed alone, in
    one computation per panel, and compared with the stored ones; a meeting is rebuilt whole (the others'
    positions, "no longer due") only where they differ. The result is what ``agendas_rebuild_upcoming`` of
    every panel gives (tests/agendas/test_child_refresh.py). Returns how many agendas were rebuilt."""
    today = today or timezone.localdate()
    rebuilt = 0
    for panel in Panel.objects.filter(service_id=service_id, is_active=True).order_by("pk"):
        meetings = selectors.meetings_not_held(panel=panel, today=today)
        if not meetings:
            continue
        computed = agendas_compute(panel=panel, today=today, meetings=meetings, child_ids=[child_id])
        stored = {row["meeting_id"]: row for row in AgendaItem.objects.filter(
            meeting__in=meetings, child_id=child_id).values("meeting_id", "reasons", "late", "earliest_due", "state")}
        for meeting in meetings:
            entry = next(iter(computed.get(meeting.pk, ())), None)
            if _item_would_change(entry, stored.get(meeting.pk)):
                agenda_build(meeting=meeting, today=today)
                rebuilt += 1
    return rebuilt


def _item_would_change(entry: ComputedItem | None, row: dict[str, Any] | None) -> bool:
    """Would ``agenda_build`` change this child's stored item (``row``) given what was computed (``entry``)?"""
    if entry is None:  # not due: a stored item goes, or stays as "no longer due" once published
        return row is not None and row["state"] != AgendaItem.State.NO_LONGER_DUE
    if row is None:
        return True
    state = AgendaItem.State.REMOVED if entry.removed_reason else AgendaItem.State.LISTED
    return (row["state"] != state or row["reasons"] != entry.reasons or row["late"] != entry.late
            or row["earliest_due"] != entry.earliest_due)


# --- people invited for one child's slot ---------------------------------------------------------------
@transaction.atomic
def item_invitation_add(*, item: AgendaItem, actor: User, invitee: MeetingInvitee | None = None, name: str = "",
                        email: str = "", agency=None) -> ItemInvitation:
    """Invite someone for this child's slot only: a new person, or an invitee narrowed to this slot."""
    from panels.services import invitee_add

    meeting = item.meeting
    _require_not_held(meeting)
    if item.state == AgendaItem.State.REMOVED:
        raise ValidationError({"item": "This child has been removed from the agenda."})
    if invitee is None:
        existing = meeting.invitees.filter(email__iexact=email.strip()).first() if email.strip() else None
        invitee = existing or invitee_add(meeting=meeting, actor=actor, name=name, email=email, agency=agency,
                                          announce=False)
    elif invitee.meeting_id != meeting.pk:
        raise ValidationError({"invitee": "That person is not invited to this meeting."})
    if ItemInvitation.objects.filter(item=item, invitee=invitee).exists():
        raise ValidationError({"email": f"{invitee.email} is already invited for this slot."})
    link = ItemInvitation.objects.create(item=item, invitee=invitee)
    access_changed([invitee.user_id], why="invited for a slot")
    audit_record(actor=actor, action="agenda.slot_invitee_added", child=item.child, meeting=meeting,
                 detail={"email": invitee.email})
    event_emit(ItemInvitationsChanged(meeting_id=meeting.pk, status=meeting.status))
    return link


@transaction.atomic
def item_invitation_remove(*, link: ItemInvitation, actor: User) -> None:
    """Withdraw a slot invitation; a person left with no slot is no longer invited at all."""
    item, invitee = link.item, link.invitee
    _require_not_held(item.meeting)
    link.delete()
    access_changed([invitee.user_id], why="slot invitation withdrawn")
    audit_record(actor=actor, action="agenda.slot_invitee_removed", child=item.child, meeting=item.meeting,
                 detail={"email": invitee.email})
    if not invitee.item_invitations.exists():
        invitee.delete()
    event_emit(ItemInvitationsChanged(meeting_id=item.meeting_id, status=item.meeting.status))


@transaction.atomic
def slots_move_with_meeting(*, meeting_id: int, moved_from: datetime) -> int:
    """Slots keep their place in the meeting, not their clock time: each keeps its distance (in London
    wall-clock time) from the meeting's start. Runs in the move's transaction, before the invites."""
    from panels.models import Meeting

    meeting = Meeting.objects.get(pk=meeting_id)
    old_wall = timezone.localtime(moved_from).replace(tzinfo=None)
    new_wall = timezone.localtime(meeting.starts_at).replace(tzinfo=None)
    if old_wall == new_wall:
        return 0
    moved = 0
    for item in AgendaItem.objects.select_for_update().filter(meeting=meeting, slot_start__isnull=False):
        offset = datetime.combine(old_wall.date(), item.slot_start) - old_wall
        slot = (new_wall + offset).time().replace(second=0, microsecond=0)
        moved += AgendaItem.objects.filter(pk=item.pk).update(slot_start=slot, version=F("version") + 1)
    return moved
