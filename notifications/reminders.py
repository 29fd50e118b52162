"""The daily reminder job: walks every open action up its panel's ladder, records each step once and
sends what is new, one email per action or one digest a day per person.

Running it twice on the same day sends nothing twice: a step is recorded once per action and
recipient (a unique constraint), and a recorded step is handed to the outbox once, in the same
transaction that marks it sent. If the mail server is down, the outbox keeps the email and retries.

No email subject names a child; the body gives the child's case reference (never the name) and a
signed link to the action.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minutes.links import action_link_url
from minutes.models import Action
from minutes.services import actor_manages
from notifications.ladder import STEP_LABELS, Ladder, days_overdue, steps_due
from notifications.models import ActionNotice, OutboxMessage, ReminderPolicy
from notifications.outbox import outbox_deliver, outbox_enqueue
from panels.enums import MembershipRole
from panels.models import PanelMembership

logger = logging.getLogger(__name__)
CATCH_UP_DAYS = 31  # a step missed (the job did not run) is still recorded for this long after its day


@dataclass
class RunSummary:
    actions_checked: int = 0
    steps_recorded: int = 0
    superseded: int = 0
    nobody_to_tell: int = 0
    emails_queued: int = 0
    emails_sent: int = 0
    notices_sent: int = 0
    by_step: dict[str, int] = field(default_factory=dict)


def _candidates(today: date, ladders: dict[int, Ladder], default: Ladder):
    """Open actions whose ladder can have a step due today: one query, plain rows."""
    before = max(ladder.earliest_before for ladder in [default, *ladders.values()])
    after = max(ladder.latest_after for ladder in [default, *ladders.values()])
    window = Q(status__in=Action.OPEN_STATUSES, due_date__gte=today - timezone.timedelta(days=after + CATCH_UP_DAYS),
               due_date__lte=today + timezone.timedelta(days=before))
    return window, Action.objects.filter(window)


def _recipients(step: str, row: dict, chairs: dict[int, list[tuple[int, str]]]) -> list[tuple[int | None, str]]:
    owner = (row["owner_id"], row["owner__email"]) if row["owner_id"] and row["owner__email"] else None
    contact = (None, row["owner_agency__email"]) if row["owner_agency__email"] else None
    if step in ("reminder", "due", "overdue_owner"):
        found = [owner or contact]
    elif step == "overdue_manager":
        manager = ((row["owner__line_manager_id"], row["owner__line_manager__email"])
                   if row["owner__line_manager_id"] and row["owner__line_manager__email"] else None)
        found = [manager or contact]
    else:
        found = list(chairs.get(row["meeting__panel_id"], []))
    return [r for r in found if r is not None]


@transaction.atomic
def _record(today: date, summary: RunSummary) -> None:
    ladders = {p.panel_id: p.ladder for p in ReminderPolicy.objects.all()}
    default = Ladder()
    window, actions = _candidates(today, ladders, default)
    rows = list(actions.values("id", "due_date", "owner_id", "owner__email", "owner__line_manager_id",
                               "owner__line_manager__email", "owner_agency__email", "meeting__panel_id"))
    summary.actions_checked = len(rows)
    done: dict[int, set[tuple[str, date]]] = defaultdict(set)
    for action_id, step, step_date in ActionNotice.objects.filter(
            action__in=Action.objects.filter(window)).values_list("action_id", "step", "step_date"):
        done[action_id].add((step, step_date))
    chairs: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for panel_id, user_id, email in PanelMembership.objects.filter(
            role=MembershipRole.CHAIR, user__is_active=True).exclude(user__email="").values_list(
            "panel_id", "user_id", "user__email"):
        chairs[panel_id].append((user_id, email))
    notices = []
    for row in rows:
        ladder = ladders.get(row["meeting__panel_id"], default)
        schedule = dict(ladder.schedule(row["due_date"]))
        recorded = {step for step, on in done[row["id"]] if schedule.get(step) == on}  # this due date's ladder
        steps = steps_due(row["due_date"], today, ladder, recorded)
        if not steps:
            continue
        for step in steps:
            superseded = step != steps[-1]
            recipients = _recipients(step, row, chairs) or [(None, "")]
            for user_id, email in recipients:
                notices.append(ActionNotice(action_id=row["id"], step=step, step_date=schedule[step],
                                            recipient_id=user_id, recipient_email=email, superseded=superseded,
                                            note="" if email else "Nobody to tell: set an owner or the agency's "
                                                                  "contact mailbox."))
                summary.superseded += superseded
                summary.nobody_to_tell += not email
                summary.by_step[step] = summary.by_step.get(step, 0) + 1
    ActionNotice.objects.bulk_create(notices, ignore_conflicts=True)  # a concurrent run wins, nothing doubles
    summary.steps_recorded = len(notices)


def _line(notice: ActionNotice, today: date) -> str:
    action = notice.action
    child = f"case {action.child.reference}" if action.child else "the panel"
    overdue = days_overdue(action.due_date, today)
    state = f"OVERDUE by {overdue} day{'s' if overdue != 1 else ''}" if overdue else f"due {action.due_date:%-d %b %Y}"
    link = action_link_url(action_id=action.pk, user_id=notice.recipient_id, email=notice.recipient_email,
                           agency_id=notice.recipient.agency_id if notice.recipient else action.owner_agency_id)
    return (f"- {action.description}\n  {STEP_LABELS[notice.step]}. {state}. For {child}, "
            f"{action.meeting.panel.name}; owner {action.owner or action.owner_agency.name}.\n  Open it: {link}\n")


def _message(notices: list[ActionNotice], today: date) -> tuple[str, str]:
    if len(notices) == 1:
        notice = notices[0]
        overdue = days_overdue(notice.action.due_date, today)
        subject = ("Convene: an action you hold is overdue" if overdue and notice.step == "overdue_owner"
                   else "Convene: an action has been escalated to you" if notice.step.startswith("overdue_")
                   and notice.step != "overdue_owner"
                   else "Convene: an action is due today" if notice.step == "due"
                   else "Convene: an action is due soon")
    else:
        subject = f"Convene: {len(notices)} actions need your attention"
    body = ("Actions agreed at youth justice panels that need your attention:\n\n"
            + "\n".join(_line(n, today) for n in notices)
            + "\nEach link opens one action for 14 days. You can also sign in to Convene to see all your actions."
            + "\n\nOFFICIAL-SENSITIVE: this email is about children. Do not forward it.\n")
    return subject, body


def _queue(today: date, summary: RunSummary, only: list[int] | None = None) -> list[int]:
    """Write the emails for every recorded, unsent step to the outbox, in one transaction with marking the
    steps sent: a step is handed over exactly once, and the outbox delivers it however long SMTP is down."""
    pending = ActionNotice.objects.filter(sent_at=None, superseded=False).exclude(recipient_email="")
    if only is not None:
        pending = pending.filter(pk__in=only)
    with transaction.atomic():
        unsent = list(pending.select_for_update(of=("self",))
                      .select_related("action__child", "action__owner", "action__owner_agency",
                                      "action__meeting__panel", "recipient")
                      .order_by("recipient_email", "action__due_date", "id"))
        groups: list[list[ActionNotice]] = []
        by_email: dict[str, list[ActionNotice]] = defaultdict(list)
        for notice in unsent:
            digest = notice.recipient is None or notice.recipient.digest_emails  # agency mailboxes get a digest
            if digest:
                by_email[notice.recipient_email].append(notice)
            else:
                groups.append([notice])
        groups.extend(by_email.values())
        queued = []
        for group in groups:
            subject, body = _message(group, today)
            panels = {n.action.meeting.panel for n in group}
            queued.append(outbox_enqueue(
                kind=OutboxMessage.Kind.REMINDER, to=group[0].recipient_email, subject=subject, body_text=body,
                recipient=group[0].recipient, panel=panels.pop() if len(panels) == 1 else None).pk)
        ActionNotice.objects.filter(pk__in=[n.pk for n in unsent]).update(sent_at=timezone.now())
    summary.emails_queued += len(queued)
    summary.notices_sent += len(unsent)
    return queued


@transaction.atomic
def action_escalate_to_lead(*, action: Action, actor, note: str) -> ActionNotice:
    """The chair takes an overdue action to the panel's strategic lead; sent at once and shown on the action."""
    panel = action.meeting.panel
    errors = {}
    if not actor_manages(actor, action.meeting):
        errors["action"] = "Only the panel's chair or coordinator escalates an action."
    elif panel.strategic_lead is None or not panel.strategic_lead.email:
        errors["action"] = f"{panel.name} has no strategic lead with an email address: set one in the panel."
    if not action.is_open:
        errors["action"] = f"The action is {action.get_status_display().lower()}: there is nothing to escalate."
    if not note.strip():
        errors["note"] = "Say what you need the strategic lead to do."
    elif len(note) > 2000:
        errors["note"] = f"The note must be 2,000 characters or fewer (it has {len(note):,})."
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    notice, created = ActionNotice.objects.get_or_create(
        action=action, step="strategic_lead", step_date=today, recipient_email=panel.strategic_lead.email,
        defaults={"recipient": panel.strategic_lead, "created_by": actor, "note": note.strip()})
    if not created:
        raise ValidationError({"action": "Already escalated to the strategic lead today."})
    _queue(today, RunSummary(), only=[notice.pk])  # in this transaction; delivered after commit
    return notice


def reminders_run(*, today: date | None = None, send: bool = True) -> RunSummary:
    """Record every ladder step due by ``today``, queue the new ones in the outbox and try to deliver them
    now. Safe to run any number of times; what SMTP refuses, the outbox retries."""
    today = today or timezone.localdate()
    summary = RunSummary()
    _record(today, summary)
    if send:
        queued = _queue(today, summary)
        if queued:
            summary.emails_sent = outbox_deliver(only=queued).sent
    return summary
