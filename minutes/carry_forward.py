"""What a panel set at its earlier meetings comes back onto its own agendas (docs/agenda-rules.md v2 §3).

- ``OPEN_ACTIONS``: the child's open actions set at an earlier meeting **of this panel**. A live query at
  build time, not a copy: once an action is done or cancelled, it stops appearing. An overdue action never
  makes the item late (late is about statutory timescales); the agenda shows each action's own status.
  Actions set by other panels are on the child's page and timeline, not on this agenda.
- ``REVIEW_DUE``: the next-review date the panel set for the child at an earlier (held) meeting; a
  ``before`` reason, eligible from the day it was set, due on the review date, placed by the rules.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from agendas.rules import BEFORE, Reason
from agendas.selectors import HELD
from minutes.models import Action, NextReview


def _fmt(day) -> str:
    return f"{day.day} {day:%b %Y}"


def open_actions_reasons(*, panel, meeting, child_ids) -> dict[int, list[dict]]:
    """For every child with open actions set at an earlier meeting of this panel, one OPEN_ACTIONS reason."""
    rows = (Action.objects.filter(status__in=Action.OPEN_STATUSES, child_id__isnull=False, meeting__panel=panel,
                                  meeting__starts_at__lt=meeting.starts_at)
            .values_list("child_id", "due_date", "owner_agency__short_name", "owner_agency__name", "description",
                         "status", "owner__first_name", "owner__last_name")
            .order_by("due_date", "id"))
    by_child: dict[int, list] = defaultdict(list)
    details: dict[int, list[dict]] = defaultdict(list)
    wanted = set(child_ids)
    labels = dict(Action.Status.choices)
    for child_id, due, short, name, description, status, first, last in rows:
        if child_id in wanted:
            by_child[child_id].append((due, short or name))
            owner = " ".join(p for p in (first, last) if p)
            details[child_id].append({"description": description, "owner": ", ".join(p for p in (owner, name) if p),
                                      "due": due.isoformat(), "status": status, "status_label": labels[status],
                                      "overdue": due < meeting.local_date})
    reasons = {}
    day = meeting.local_date
    for child_id, actions in by_child.items():
        actions.sort()
        overdue = sum(1 for due, _ in actions if due < day)
        agencies = ", ".join(sorted({agency for _, agency in actions}))
        text = f"{len(actions)} open action{'s' if len(actions) != 1 else ''} ({agencies})"
        if overdue:
            text += f", {overdue} overdue"
        # no "due" and never late: the actions' own dates and statuses are listed with them
        reasons[child_id] = [{"code": "OPEN_ACTIONS", "kind": "open_actions", "due": None, "late": False,
                              "explanation": text + f"; earliest due {_fmt(actions[0][0])}",
                              "actions": details[child_id][:20]}]
    return reasons


def review_due_reasons(*, panel, child_ids) -> dict[int, list[Reason]]:
    """For every child whose next review this panel set at a held meeting, one REVIEW_DUE reason (the latest
    meeting's date replaces earlier ones). One query, whatever the number of meetings and children."""
    rows = (NextReview.objects.filter(meeting__panel=panel, meeting__status__in=HELD)
            .values_list("child_id", "review_by", "meeting__starts_at").order_by("meeting__starts_at", "id"))
    wanted = set(child_ids)
    latest = {child_id: (review_by, starts_at) for child_id, review_by, starts_at in rows if child_id in wanted}
    reasons = {}
    for child_id, (review_by, starts_at) in latest.items():
        set_on = timezone.localtime(starts_at).date()
        reasons[child_id] = [Reason("REVIEW_DUE", BEFORE, set_on, review_by,
                                    "The panel set the next review on {set_on}: due by {due}", {"set_on": set_on})]
    return reasons
