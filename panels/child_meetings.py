"""The child's statutory meetings, as rules (pure: plain facts in, answers out; no ORM, no clock).

Issue 16, point 2. A statutory meeting is a meeting about one child, with the child, the family and the
network (domain.md §2b; agenda rules v2 §7): a panel's discussion does not meet it. Recording one as held sets
the child's matching ``*_held_on`` field, which ends the agenda reason (``agendas.rules.MEETING_CODES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from panels import resettlement
from panels.enums import ChildMeetingKind, NetworkRole

# The child's field each kind sets when recorded as held (cohort format v2). Reviews and pre-transfer meetings
# have no field: they are recorded, and end no agenda reason.
HELD_FIELDS: dict[str, str] = {
    ChildMeetingKind.INITIAL_PLANNING: "ipm_held_on",
    ChildMeetingKind.REMAND_PLANNING: "remand_planning_held_on",
    ChildMeetingKind.FIRST_PLANNING: "first_planning_held_on",
    ChildMeetingKind.PENULTIMATE: "penultimate_held_on",
    ChildMeetingKind.FINAL_REVIEW: "final_review_held_on",
    ChildMeetingKind.POST_RELEASE_REVIEW: "post_release_review_held_on",
    ChildMeetingKind.TRANSITION: "transition_meeting_held_on",
}
# The agenda rule (docs/agenda-rules.md) each kind's held date ends.
RULE_CODES: dict[str, str] = {
    ChildMeetingKind.INITIAL_PLANNING: "RS_INITIAL_PLANNING",
    ChildMeetingKind.REMAND_PLANNING: "RS_REMAND_PLANNING",
    ChildMeetingKind.FIRST_PLANNING: "RS_FIRST_PLANNING",
    ChildMeetingKind.PENULTIMATE: "RS_PENULTIMATE",
    ChildMeetingKind.FINAL_REVIEW: "RS_FINAL_REVIEW",
    ChildMeetingKind.POST_RELEASE_REVIEW: "RS_POST_RELEASE",
    ChildMeetingKind.TRANSITION: "Y2A_TRANSITION_MEETING",
}
KIND_OF_RULE = {code: kind for kind, code in RULE_CODES.items()}

OUTCOME_LIMIT = 5000  # characters of the outcome text
LOCATION_LIMIT = 200
REASON_LIMIT = 300
MAX_MINUTES = 8 * 60  # a meeting about one child is at most a working day

# Everyone in the network invited to every statutory meeting, beside the case manager (National Standards: the
# child, the family and the network; Enfield's plan header). The rest follow resettlement.network_suggestions.
ALWAYS_SUGGESTED: dict[str, str] = {
    NetworkRole.ESTABLISHMENT_CASEWORKER: "The establishment's caseworker takes part in the child's meetings "
                                          "in custody.",
    NetworkRole.PARENT_CARER: "Parents or carers are invited to the meetings about their child.",
}


def held_field_after(held_dates: Iterable[date | None], *, before: date | None) -> date | None:
    """What the child's ``*_held_on`` field says given the held dates of the meetings of one kind Convene
    recorded: the latest of them; with none left (a held meeting undone), what the field said before Convene
    first recorded one (a cohort import may have set it)."""
    dates = [d for d in held_dates if d is not None]
    return max(dates) if dates else before


def suggestions(members: Iterable[tuple[int, str]], *, kind: str, looked_after: bool | None,
                ehcp: bool | None) -> list[resettlement.Suggestion]:
    """The network members (id, role) to suggest inviting to a statutory meeting of ``kind``: the IRO for a
    looked-after child's post-release review, the SEN case manager at the initial planning meeting when the
    child has an EHCP, the probation officer at the transition meeting (resettlement.network_suggestions), and
    the establishment caseworker and the parents or carers at every one."""
    members = list(members)
    found = {s.member_id: s for s in resettlement.network_suggestions(
        members, looked_after=looked_after, ehcp=ehcp, meeting_kind=kind)}
    for member_id, role in members:
        if member_id not in found and role in ALWAYS_SUGGESTED:
            found[member_id] = resettlement.Suggestion(member_id, ALWAYS_SUGGESTED[role])
    return [found[member_id] for member_id, _ in members if member_id in found]


def names_in(text: str, identifiers: Iterable[str]) -> list[str]:
    """The child identifiers (names, reference) a text going into a calendar holds, case-insensitively; names
    shorter than 3 letters are ignored (they match everywhere)."""
    return [i for i in identifiers
            if len(i.strip()) >= 3 and re.search(rf"(?<!\w){re.escape(i.strip())}(?!\w)", text, re.IGNORECASE)]
