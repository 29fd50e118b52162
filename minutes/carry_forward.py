"""Open actions come back onto the next agenda of any panel that discusses the child (OPEN_ACTIONS).

A live query at build time, not a copy: once an action is done or cancelled, it stops appearing.
"""

from __future__ import annotations

from collections import defaultdict

from minutes.models import Action


def _fmt(day) -> str:
    return f"{day.day} {day:%b %Y}"


def open_actions_reasons(*, panel, meeting, child_ids) -> dict[int, list[dict]]:
    """For every child with open actions set at an earlier meeting (of any panel), one OPEN_ACTIONS reason."""
    rows = (Action.objects.filter(status__in=Action.OPEN_STATUSES, child_id__isnull=False,
                                  meeting__starts_at__lt=meeting.starts_at)
            .values_list("child_id", "due_date", "owner_agency__short_name", "owner_agency__name", "description",
                         "status", "owner__first_name", "owner__last_name")
            .order_by("due_date", "id"))
    by_child: dict[int, list] = defaultdict(list)
    details: dict[int, list[dict]] = defaultdict(list)
    wanted = set(child_ids)
    for child_id, due, short, name, description, status, first, last in rows:
        if child_id in wanted:
            by_child[child_id].append((due, short or name))
            owner = " ".join(p for p in (first, last) if p)
            details[child_id].append({"description": description, "owner": ", ".join(p for p in (owner, name) if p),
                                      "due": due.isoformat(), "status": status, "overdue": due < meeting.local_date})
    reasons = {}
    day = meeting.local_date
    for child_id, actions in by_child.items():
        actions.sort()
        overdue = sum(1 for due, _ in actions if due < day)
        agencies = ", ".join(sorted({agency for _, agency in actions}))
        text = f"{len(actions)} open action{'s' if len(actions) != 1 else ''} ({agencies})"
        if overdue:
            text += f", {overdue} due before this meeting"
        reasons[child_id] = [{"code": "OPEN_ACTIONS", "kind": "open_actions", "due": actions[0][0].isoformat(),
                              "late": bool(overdue), "explanation": text + f"; earliest due {_fmt(actions[0][0])}",
                              "actions": details[child_id][:20]}]
    return reasons
