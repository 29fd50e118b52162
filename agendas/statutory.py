"""The statutory requirements of one child (agenda rules, version 2) with their due dates and when each was met.

Pure: ``ChildFacts`` in, ``Requirement`` rows out; no ORM, no clock (``today`` is passed in). The due dates
come from ``agendas.rules.timescale``, the very code that places the reasons on agendas, so a timescale is
written once. The agenda asks "is this still to do?" (it drops a requirement once its ``*_held_on`` date is
recorded); this module asks "was it ever required, by when, and when was it met?", so it keeps the met
ones and reads the dates the agenda reads:

| requirement | rule code | due | met on |
|---|---|---|---|
| initial planning meeting | ``RS_INITIAL_PLANNING`` | S + 10 WD | ``ipm_held_on`` |
| remand planning meeting | ``RS_REMAND_PLANNING`` | remand + 10 WD | ``remand_planning_held_on`` |
| first planning meeting | ``RS_FIRST_PLANNING`` | E + 20 WD | ``first_planning_held_on`` |
| penultimate meeting | ``RS_PENULTIMATE`` | R − 1 month | ``penultimate_held_on`` |
| final release review | ``RS_FINAL_REVIEW`` | R − 10 WD | ``final_review_held_on`` |
| post-release review | ``RS_POST_RELEASE`` | A + 20 WD | ``post_release_review_held_on`` |
| MAPPA referral | ``MAPPA_REFERRAL`` | R − 6 months | ``mappa_referred_on`` |
| transition meeting | ``Y2A_TRANSITION_MEETING`` | DOB + 17 y 9 m | ``transition_meeting_held_on`` |
| ETE interview after release | ``ED_RELEASE_ETE`` | A + 10 WD | ``ete_interview_on`` |
| release address confirmed | ``RS_ACCOMMODATION`` | R − 1 month | ``StatutoryFacts.address_confirmed_on`` |

When each applies (once required, a requirement stays in the history whatever the child's status now):
the sentence requirements (initial planning, penultimate, final review, MAPPA referral, release address)
need a custodial sentence (``legal_status`` sentenced or released, or closed after a custodial sentence;
never a community order). They stay required after the release: a child released without a final review
has that review open (never met), which is what a timeliness report must show. Remand planning, first
planning, post-release review and the ETE interview follow their dates (remand, custody entry ``E``,
actual release ``A``); the transition meeting applies when the child turns 18 during the order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from agendas.rules import (
    RULE_TITLES,
    ChildFacts,
    RuleSettings,
    mappa_referral_required,
    timescale,
    turns_18_in_order,
)
from agendas.workdays import WorkingCalendar

# The requirements, in the order the reports list them, with the panel kind whose settings hold the timescale.
REQUIREMENTS: tuple[tuple[str, str], ...] = (
    ("RS_INITIAL_PLANNING", "resettlement"),
    ("RS_REMAND_PLANNING", "resettlement"),
    ("RS_FIRST_PLANNING", "resettlement"),
    ("RS_PENULTIMATE", "resettlement"),
    ("RS_FINAL_REVIEW", "resettlement"),
    ("RS_POST_RELEASE", "resettlement"),
    ("MAPPA_REFERRAL", "mappa"),
    ("Y2A_TRANSITION_MEETING", "y2a"),
    ("ED_RELEASE_ETE", "education"),
    ("RS_ACCOMMODATION", "resettlement"),
)
REQUIREMENT_CODES = tuple(code for code, _ in REQUIREMENTS)
TITLES: dict[str, str] = {
    **{code: RULE_TITLES[code] for code in REQUIREMENT_CODES},
    "Y2A_TRANSITION_MEETING": "Transition meeting (17¾)",
    "ED_RELEASE_ETE": "ETE interview within 10 working days of release",
    "RS_ACCOMMODATION": "Release address confirmed a month before release",
}
MET_FIELD: dict[str, str] = {
    "RS_INITIAL_PLANNING": "ipm_held_on",
    "RS_REMAND_PLANNING": "remand_planning_held_on",
    "RS_FIRST_PLANNING": "first_planning_held_on",
    "RS_PENULTIMATE": "penultimate_held_on",
    "RS_FINAL_REVIEW": "final_review_held_on",
    "RS_POST_RELEASE": "post_release_review_held_on",
    "MAPPA_REFERRAL": "mappa_referred_on",
    "Y2A_TRANSITION_MEETING": "transition_meeting_held_on",
    "ED_RELEASE_ETE": "ete_interview_on",
    "RS_ACCOMMODATION": "address_confirmed_on",
}
COMMUNITY_SENTENCES = frozenset({"yro", "referral_order", "remand_la", "remand_yda"})

MET_ON_TIME, MET_LATE, OVERDUE, NOT_YET_DUE = "met_on_time", "met_late", "overdue", "not_yet_due"


@dataclass(frozen=True)
class StatutoryFacts:
    """The rule facts plus what the reports need that the rules do not read.

    ``address_confirmed_on``: the day the release address was confirmed. ADAPTER: the address history
    (branch ``address-ete``) gives this date; until it is merged, ``agendas.oversight.selectors`` fills it
    from ``address_confirmed_on_adapter`` there (the one place to wire).
    """

    child: ChildFacts
    address_confirmed_on: date | None = None


@dataclass(frozen=True)
class Requirement:
    code: str
    due: date
    met_on: date | None

    @property
    def title(self) -> str:
        return TITLES[self.code]

    def status(self, today: date) -> str:
        if self.met_on is not None:
            return MET_ON_TIME if self.met_on <= self.due else MET_LATE
        return OVERDUE if today > self.due else NOT_YET_DUE

    def days_late(self, today: date) -> int | None:
        """Calendar days past due: when it was met late, or (still open) as of ``today``; None when on time."""
        end = self.met_on if self.met_on is not None else today
        return (end - self.due).days if end > self.due else None


def custodial_sentence(child: ChildFacts) -> bool:
    """Sentenced to custody (now or in the past): the sentence requirements apply."""
    if child.sentence_date is None:
        return False
    if child.legal_status in ("sentenced", "released"):
        return True
    return child.legal_status == "closed" and child.sentence_type not in COMMUNITY_SENTENCES


def _applies(code: str, child: ChildFacts, settings: RuleSettings) -> bool:
    if code in ("RS_INITIAL_PLANNING", "RS_PENULTIMATE", "RS_FINAL_REVIEW", "RS_ACCOMMODATION"):
        return custodial_sentence(child)
    if code == "MAPPA_REFERRAL":
        return custodial_sentence(child) and mappa_referral_required(child, settings)
    if code == "Y2A_TRANSITION_MEETING":
        return turns_18_in_order(child)
    return True  # remand, first planning, post-release and ETE: their dates (remand, E, A) say it all


def statutory_requirements(
    facts: StatutoryFacts, *, calendar: WorkingCalendar, settings: Mapping[str, RuleSettings] | None = None,
) -> list[Requirement]:
    """Every statutory requirement of the child, in ``REQUIREMENTS`` order, with its due date and met date.

    ``settings``: the panel settings by panel kind (a service's resettlement panel, its MAPPA liaison ...);
    a kind not given uses the defaults. ``disabled_rules`` does not apply: a statutory timescale is owed
    whether or not a panel lists it.
    """
    child = facts.child
    default = RuleSettings()
    out: list[Requirement] = []
    for code, kind in REQUIREMENTS:
        rule_settings = (settings or {}).get(kind, default)
        if not _applies(code, child, rule_settings):
            continue
        window = timescale(code, child, settings=rule_settings, calendar=calendar)
        if window is None:
            continue
        met_on = facts.address_confirmed_on if code == "RS_ACCOMMODATION" else getattr(child, MET_FIELD[code])
        out.append(Requirement(code, window[1], met_on))
    return out
