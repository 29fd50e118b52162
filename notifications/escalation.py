"""The daily escalation of missed statutory timescales (issue 17 point 5; issue 16 point 4 for the release
address): every statutory requirement of a child past its due date with nothing recorded climbs its panel's
``StatutoryLadder`` (case manager, their line manager, the panel's strategic lead), one step at a time.

The same mechanism as the actions' ladder (``notifications.reminders``), in three moves:

1. **record**: the steps due today become ``RequirementNotice`` rows (``bulk_create(ignore_conflicts)`` on a
   unique constraint per child, requirement, due date and step: a second run, or a second worker at the same
   time, records nothing twice). When several steps are due at once (the job did not run for a while), each is
   recorded but only the highest is sent. Steps older than ``CATCH_UP_DAYS`` are not recorded at all, so a
   fresh install does not email about timescales missed long ago.
2. **hand over**: under a row lock (``select_for_update``), each recorded step not yet handled is audited
   with the child (``child.statutory_escalated``), told in-app and emailed through the outbox, and marked
   handled in the same transaction: once, whichever worker gets there.
3. the outbox delivers (and retries).

Which panel: the requirement's panel is the one whose agenda carries the child for it by rule: the panel of
the child's latest agenda item whose reasons include the requirement's code; else the child's latest agenda
item on a panel of the requirement's kind; else the service's first active panel of that kind (see
``agendas.statutory.REQUIREMENTS``). Its settings and its strategic lead apply; with no such panel the default
settings apply and the strategic lead step has nobody to tell (recorded as such, shown on the child page).

Need to know: each recipient is checked against the child page's own rule (``can_view_child``); one who may
not see the child gets an email that names neither the child nor the reference and links to nothing: it says
which requirement, how late, on which panel and whose caseload. No subject names a child.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agendas.models import AgendaItem
from agendas.statutory import REQUIREMENTS
from notifications.ladder import STATUTORY_RECIPIENTS, STATUTORY_STEP_LABELS, StatutoryLadder, steps_due
from notifications.models import Notification, OutboxMessage, ReminderPolicy, RequirementNotice
from notifications.outbox import outbox_deliver, outbox_enqueue
from notifications.requirements import Missed, missed_requirements
from panels.enums import MembershipRole
from panels.models import AuditEntry, Child, Panel, PanelMembership, User
from panels.permissions import Viewer, can_view_child

logger = logging.getLogger(__name__)
CATCH_UP_DAYS = 31  # like the actions' ladder: a step missed (the job did not run) is still recorded this long



@dataclass
class EscalationSummary:
    requirements_missed: int = 0
    steps_recorded: int = 0
    superseded: int = 0
    nobody_to_tell: int = 0
    emails_queued: int = 0
    emails_sent: int = 0
    by_step: dict[str, int] = field(default_factory=dict)


# --- which panel ----------------------------------------------------------------------------------------
def _panels_for(children: dict[int, Child]) -> tuple[dict[int, list[tuple[int, str, list[str]]]], dict]:
    """Per child, its agenda items newest first as (panel id, panel kind, codes); and the services' active
    panels of each kind (lowest id first). Two queries."""
    items: dict[int, list[tuple[int, str, list[str]]]] = defaultdict(list)
    for child_id, panel_id, kind, reasons in (
            AgendaItem.objects.filter(child_id__in=list(children), meeting__panel__is_active=True)
            .exclude(state=AgendaItem.State.REMOVED).order_by("-meeting__starts_at", "-id")
            .values_list("child_id", "meeting__panel_id", "meeting__panel__kind", "reasons")):
        items[child_id].append((panel_id, kind, [r.get("code") for r in reasons or []]))
    by_kind: dict[tuple[int, str], int] = {}
    services = {c.service_id for c in children.values()}
    for panel_id, service_id, kind in (Panel.objects.filter(service_id__in=services, is_active=True)
                                       .order_by("id").values_list("id", "service_id", "kind")):
        by_kind.setdefault((service_id, kind), panel_id)
    return items, by_kind


def requirement_panel(code: str, *, service_id: int, items: list[tuple[int, str, list[str]]],
                      by_kind: dict[tuple[int, str], int]) -> int | None:
    """The panel whose settings apply to one missed requirement (see the module's docstring)."""
    kind = dict(REQUIREMENTS).get(code)
    for panel_id, _, codes in items:
        if code in codes:
            return panel_id
    for panel_id, panel_kind, _ in items:
        if panel_kind == kind:
            return panel_id
    return by_kind.get((service_id, kind)) if kind else None


# --- 1. record --------------------------------------------------------------------------------------------
def _recipient(step: str, child: Child, panel: Panel | None) -> User | None:
    if step == "case_manager":
        return child.case_manager
    if step == "line_manager":
        return child.case_manager.line_manager if child.case_manager else None
    return panel.strategic_lead if panel is not None else None


def _nobody(step: str, child: Child, panel: Panel | None) -> str:
    if step == "case_manager":
        return "Nobody to tell: the child has no case manager with an email address."
    if step == "line_manager":
        return "Nobody to tell: the case manager has no line manager with an email address."
    if panel is None:
        return "Nobody to tell: no panel oversees this requirement for the child."
    return f"Nobody to tell: {panel.name} has no strategic lead with an email address."


def _may_see(user: User | None, child: Child) -> bool:
    return user is not None and can_view_child(Viewer.of(user), service_id=child.service_id,
                                               case_manager_id=child.case_manager_id)


@transaction.atomic
def _record(today: date, summary: EscalationSummary) -> None:
    missed: dict[int, list[Missed]] = missed_requirements(today=today)
    summary.requirements_missed = sum(len(v) for v in missed.values())
    if not missed:
        return
    children = {c.pk: c for c in Child.objects.filter(pk__in=list(missed)).select_related(
        "case_manager__agency", "case_manager__line_manager__agency")}
    items, by_kind = _panels_for(children)
    panels = {p.pk: p for p in Panel.objects.filter(
        pk__in={pid for rows in items.values() for pid, _, _ in rows} | set(by_kind.values()))
        .select_related("strategic_lead__agency")}
    ladders = {p.panel_id: p.statutory_ladder for p in ReminderPolicy.objects.filter(panel_id__in=list(panels))}
    default = StatutoryLadder()
    done: dict[tuple[int, str, date], set[str]] = defaultdict(set)
    for child_id, code, due, step in RequirementNotice.objects.filter(child_id__in=list(children)).values_list(
            "child_id", "code", "due_date", "step"):
        done[(child_id, code, due)].add(step)
    notices = []
    for child_id, requirements in missed.items():
        child = children[child_id]
        for requirement in requirements:
            panel_id = requirement_panel(requirement.code, service_id=child.service_id,
                                         items=items.get(child_id, []), by_kind=by_kind)
            panel = panels.get(panel_id) if panel_id else None
            ladder = ladders.get(panel_id, default) if panel_id else default
            schedule = dict(ladder.schedule(requirement.due))
            steps = [s for s in steps_due(requirement.due, today, ladder, done[(child_id, requirement.code,
                                                                               requirement.due)])
                     if schedule[s] >= today - timedelta(days=CATCH_UP_DAYS)]
            for step in steps:
                user = _recipient(step, child, panel)
                email = user.email if user is not None and user.is_active and user.email else ""
                superseded = step != steps[-1]
                notices.append(RequirementNotice(
                    child=child, panel=panel, code=requirement.code, label=requirement.label[:200],
                    due_date=requirement.due, step=step, step_date=schedule[step],
                    recipient=user if email else None, recipient_email=email,
                    may_see_child=bool(email) and _may_see(user, child), superseded=superseded,
                    note="" if email else _nobody(step, child, panel)))
                summary.superseded += superseded
                summary.nobody_to_tell += not email
                summary.by_step[step] = summary.by_step.get(step, 0) + 1
    RequirementNotice.objects.bulk_create(notices, ignore_conflicts=True)  # a concurrent run wins
    summary.steps_recorded = len(notices)


# --- 2. hand over -----------------------------------------------------------------------------------------
def _line(notice: RequirementNotice, today: date) -> str:
    late = (today - notice.due_date).days
    where = notice.panel.name if notice.panel else "no panel"
    manager = notice.child.case_manager
    whose = f"case manager {manager}" if manager else "no case manager"
    head = (f"- {notice.label}: due {notice.due_date:%-d %b %Y}, {late} day{'s' if late != 1 else ''} late, "
            f"nothing recorded.\n  {STATUTORY_STEP_LABELS[notice.step]}.")
    if notice.may_see_child:
        url = settings.SITE_URL + reverse("child_detail", args=[notice.child_id])
        return f"{head} Case {notice.child.reference}, {where}; {whose}.\n  Open it: {url}\n"
    return (f"{head} A child on the caseload of {manager or 'nobody'}, {where}.\n  You cannot see this child's "
            f"record in Convene: ask the case manager or the panel's chair.\n")


def _message(notices: list[RequirementNotice], today: date) -> tuple[str, str]:
    subject = ("Convene: a statutory timescale has been missed" if len(notices) == 1
               else f"Convene: {len(notices)} missed statutory timescales need your attention")
    body = ("Statutory timescales for children in custody or on release that have passed with nothing recorded "
            "(a meeting held, an address confirmed, an interview or a referral):\n\n"
            + "\n".join(_line(n, today) for n in notices)
            + "\nWhen it is done, record it on the child's record: the escalation then stops."
            + "\n\nOFFICIAL-SENSITIVE: this email is about children. Do not forward it.\n")
    return subject, body


def _in_app(notice: RequirementNotice, chairs: dict[int, list[User]]) -> list[Notification]:
    where = notice.panel.name if notice.panel else "a panel"
    url = reverse("child_detail", args=[notice.child_id]) if notice.may_see_child else ""
    found = []
    if notice.recipient is not None:
        found.append(Notification(user=notice.recipient, kind=OutboxMessage.Kind.ESCALATION, url=url,
                                  title=f"A missed statutory timescale ({where}) was escalated to you"))
    if notice.step == "strategic_lead" and notice.panel_id is not None:
        for chair in chairs.get(notice.panel_id, []):  # the chair's inbox shows what went above them
            if chair.pk == notice.recipient_id:
                continue
            see = _may_see(chair, notice.child)
            found.append(Notification(
                user=chair, kind=OutboxMessage.Kind.ESCALATION,
                url=reverse("child_detail", args=[notice.child_id]) if see else "",
                title=f"A missed statutory timescale ({where}) was escalated to "
                      f"{STATUTORY_RECIPIENTS[notice.step]}"))
    return found


def _hand_over(today: date, summary: EscalationSummary) -> list[int]:
    with transaction.atomic():
        unhandled = list(RequirementNotice.objects.filter(handled_at=None).select_for_update(of=("self",))
                         .select_related("child__case_manager", "panel", "recipient").order_by("recipient_email",
                                                                                                 "due_date", "id"))
        panel_ids = {n.panel_id for n in unhandled if n.step == "strategic_lead" and n.panel_id}
        chairs: dict[int, list[User]] = defaultdict(list)
        for membership in PanelMembership.objects.filter(
                panel_id__in=panel_ids, role=MembershipRole.CHAIR, user__is_active=True).select_related(
                "user__agency"):
            chairs[membership.panel_id].append(membership.user)
        by_email: dict[str, list[RequirementNotice]] = defaultdict(list)
        entries, notes = [], []
        for notice in unhandled:
            entries.append(AuditEntry(
                actor=None, action="child.statutory_escalated", child=notice.child, child_key=notice.child_id,
                child_reference=notice.child.reference, panel=notice.panel,
                detail={"requirement": notice.code, "due": notice.due_date.isoformat(), "step": notice.step,
                        "to": notice.recipient_email, "sent": bool(notice.recipient_email) and not notice.superseded,
                        "names_child": notice.may_see_child, "note": notice.note}))
            if notice.recipient_email and not notice.superseded:
                by_email[notice.recipient_email].append(notice)
                notes += _in_app(notice, chairs)
        AuditEntry.objects.bulk_create(entries)  # append-only: inserted, never saved twice
        Notification.objects.bulk_create(notes)
        queued = []
        for email, group in by_email.items():
            subject, body = _message(group, today)
            panels = {n.panel for n in group}
            queued.append(outbox_enqueue(kind=OutboxMessage.Kind.ESCALATION, to=email, subject=subject,
                                         body_text=body, recipient=group[0].recipient,
                                         panel=panels.pop() if len(panels) == 1 else None).pk)
        now = timezone.now()
        RequirementNotice.objects.filter(pk__in=[n.pk for n in unhandled]).update(handled_at=now)
        RequirementNotice.objects.filter(pk__in=[n.pk for g in by_email.values() for n in g]).update(emailed=True)
    summary.emails_queued = len(queued)
    return queued


def escalation_run(*, today: date | None = None, send: bool = True) -> EscalationSummary:
    """Record every step due by ``today``, audit and queue the new ones, try to deliver them now. Safe to run
    any number of times, and in two workers at once."""
    today = today or timezone.localdate()
    summary = EscalationSummary()
    _record(today, summary)
    if send:
        queued = _hand_over(today, summary)
        if queued:
            summary.emails_sent = outbox_deliver(only=queued).sent
    return summary
