"""Who is due for discussion, why and by when: the default rules of docs/agenda-rules.md (version 2).

Pure: frozen dataclasses in, reasons out. No ORM, no clock: meeting dates, settings and the
working-day calendar are passed in. The live builder (``agendas.services``) and ``agenda_dryrun``
both call ``place_for_panel``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from agendas.workdays import WorkingCalendar, add_months

BEFORE, AFTER, RECURRING, WATCH = "before", "after", "recurring", "watch"

CODES_BY_KIND: dict[str, tuple[str, ...]] = {
    "high_risk": ("HR_PRE_RELEASE", "HR_ROSH"),
    "education": ("ED_SCHOOL_AGE", "ED_ETE_PLAN", "ED_RELEASE_ETE"),
    "y2a": ("Y2A_IN_ORDER", "Y2A_PLANNING_START", "Y2A_TRANSITION_MEETING", "Y2A_TRANSFER", "Y2A_POST_TRANSFER"),
    "resettlement": ("RS_IN_CUSTODY", "RS_INITIAL_PLANNING", "RS_REMAND_PLANNING", "RS_FIRST_PLANNING",
                     "RS_PENULTIMATE", "RS_FINAL_REVIEW", "RS_POST_RELEASE", "RS_ACCOMMODATION"),
    "mappa": ("MAPPA_REFERRAL", "MAPPA_MANAGED"),
    "custom": (),
}
ALL_CODES = frozenset(code for codes in CODES_BY_KIND.values() for code in codes)
# v2 §7: meetings about one child, with the child, the family and the network. A panel discussion does not
# meet them; they end when the meeting is recorded as held (the child's matching ``*_held_on`` field).
MEETING_CODES = frozenset({"RS_INITIAL_PLANNING", "RS_REMAND_PLANNING", "RS_FIRST_PLANNING", "RS_PENULTIMATE",
                           "RS_FINAL_REVIEW", "RS_POST_RELEASE", "Y2A_TRANSITION_MEETING"})
# v2 §7: the one-off codes that the child's discussion at a held meeting of the panel does satisfy (same code
# and due date). Every other dated code ends only with its record (``*_held_on``, ``ete_interview_on``,
# ``mappa_referred_on``) and a ``watch`` only when its condition ends.
SATISFIED_BY_DISCUSSION = frozenset({"HR_PRE_RELEASE", "ED_ETE_PLAN", "Y2A_PLANNING_START", "Y2A_TRANSFER",
                                     "Y2A_POST_TRANSFER", "REVIEW_DUE"})
RULE_TITLES: dict[str, str] = {
    "HR_PRE_RELEASE": "Pre-release risk review",
    "HR_ROSH": "High or very high risk of serious harm",
    "ED_SCHOOL_AGE": "School-age child in custody",
    "ED_ETE_PLAN": "Education, training and employment plan for release",
    "ED_RELEASE_ETE": "Education, training or employment interview after release",
    "Y2A_IN_ORDER": "Aged 17 during the order",
    "Y2A_PLANNING_START": "Transition planning starts (17½)",
    "Y2A_TRANSITION_MEETING": "Multi-agency transition meeting (17¾)",
    "Y2A_TRANSFER": "Transfer to probation before the 18th birthday",
    "Y2A_POST_TRANSFER": "Review after transfer to probation",
    "RS_IN_CUSTODY": "In custody",
    "RS_INITIAL_PLANNING": "Initial planning meeting after sentence",
    "RS_REMAND_PLANNING": "Remand planning meeting",
    "RS_FIRST_PLANNING": "First resettlement planning meeting",
    "RS_PENULTIMATE": "Penultimate resettlement meeting",
    "RS_FINAL_REVIEW": "Final release review",
    "RS_POST_RELEASE": "Post-release review",
    "RS_ACCOMMODATION": "Release address not yet confirmed",
    "MAPPA_REFERRAL": "MAPPA referral",
    "MAPPA_MANAGED": "Managed at MAPPA level 2 or 3",
}


@lru_cache(maxsize=8192)
def fmt(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


# --- inputs --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChildFacts:
    reference: str
    date_of_birth: date
    legal_status: str
    remand_date: date | None = None
    sentence_date: date | None = None
    custody_entry_date: date | None = None
    sentence_length_months: int | None = None
    release_date: date | None = None
    early_release_date: date | None = None
    actual_release_date: date | None = None
    order_end_date: date | None = None
    licence_end_date: date | None = None
    school_age: bool | None = None
    rosh: str | None = None
    mappa_level: str | None = None
    mappa_referred_on: date | None = None
    transfer_decision: str | None = None
    transfer_date: date | None = None
    sentence_type: str | None = None
    ipm_held_on: date | None = None
    remand_planning_held_on: date | None = None
    first_planning_held_on: date | None = None
    penultimate_held_on: date | None = None
    final_review_held_on: date | None = None
    post_release_review_held_on: date | None = None
    transition_meeting_held_on: date | None = None
    ete_interview_on: date | None = None
    release_address_status: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ChildFacts:
        return cls(*map(record.get, _CHILD_FACT_NAMES))

    @property
    def release(self) -> date | None:
        """The effective release date R."""
        return self.early_release_date or self.release_date

    @property
    def custody_entry(self) -> date | None:
        """E: custody_entry_date, else the earlier of remand and sentence dates for custody statuses."""
        if self.custody_entry_date:
            return self.custody_entry_date
        if self.legal_status in ("remand", "sentenced", "released"):
            remand, sentence = self.remand_date, self.sentence_date
            return min(remand, sentence) if remand and sentence else remand or sentence
        return None

    @property
    def not_yet_released(self) -> bool:
        return self.actual_release_date is None

    @property
    def eighteenth_birthday(self) -> date:
        return add_months(self.date_of_birth, 216)

    @property
    def order_end(self) -> date | None:
        return self.licence_end_date or self.order_end_date


_CHILD_FACT_NAMES = tuple(f.name for f in fields(ChildFacts))

# The facts each panel kind's rules read (``reasons_for_child``, ``recurring_windows``); the others may be left
# empty without changing a reason or its words (tests/agendas/test_rules_properties.py holds this), so the live
# builder reads only these columns.
_READ_BY_EVERY_KIND = frozenset({"reference", "legal_status", "sentence_date", "release_date", "early_release_date",
                                 "actual_release_date"})
FACTS_READ_BY_KIND: dict[str, frozenset[str]] = {
    "high_risk": _READ_BY_EVERY_KIND | {"rosh"},
    "education": _READ_BY_EVERY_KIND | {"date_of_birth", "school_age", "remand_date", "custody_entry_date",
                                        "sentence_type", "ete_interview_on"},
    "y2a": _READ_BY_EVERY_KIND | {"date_of_birth", "order_end_date", "licence_end_date", "transfer_decision",
                                  "transfer_date", "sentence_type", "transition_meeting_held_on"},
    "resettlement": _READ_BY_EVERY_KIND | {"remand_date", "custody_entry_date", "sentence_type", "ipm_held_on",
                                           "remand_planning_held_on", "first_planning_held_on",
                                           "penultimate_held_on", "final_review_held_on",
                                           "post_release_review_held_on", "release_address_status"},
    "mappa": _READ_BY_EVERY_KIND | {"sentence_length_months", "mappa_level", "mappa_referred_on"},
    "custom": _READ_BY_EVERY_KIND,
}


def school_leaving_date(date_of_birth: date) -> date:
    """The last Friday of June of the school year (1 Sep–31 Aug) in which the child turns 16."""
    sixteenth = add_months(date_of_birth, 192)
    year = sixteenth.year + 1 if sixteenth.month >= 9 else sixteenth.year
    last_june = date(year, 6, 30)
    return last_june - timedelta(days=(last_june.weekday() - 4) % 7)


@dataclass(frozen=True)
class RuleSettings:
    """Every default timescale, per panel. Numbers are whole weeks, months or working days."""

    hr_pre_release_weeks: int = 6
    ed_ete_plan_weeks: int = 6
    y2a_planning_start_from_months: int = 204
    y2a_planning_start_by_months: int = 210
    y2a_transition_by_months: int = 213
    y2a_post_transfer_from_weeks: int = 4
    y2a_post_transfer_by_weeks: int = 6
    rs_initial_planning_wd: int = 10
    rs_remand_planning_wd: int = 10
    rs_first_planning_wd: int = 20
    rs_penultimate_months: int = 1
    rs_final_review_wd: int = 10
    rs_post_release_wd: int = 20
    rs_accommodation_from_months: int = 3
    rs_accommodation_by_months: int = 1
    ed_release_ete_wd: int = 10
    mappa_referral_months: int = 6
    mappa_min_sentence_months: int = 12
    disabled_rules: tuple[str, ...] = ()

    _LABELS = {
        "hr_pre_release_weeks": "High Risk: weeks before release for the pre-release risk review",
        "ed_ete_plan_weeks": "Education: weeks before release for the ETE plan",
        "y2a_planning_start_from_months": "Y2A: age in months when transition planning may start (17 years = 204)",
        "y2a_planning_start_by_months": "Y2A: age in months by which transition planning starts (17½ = 210)",
        "y2a_transition_by_months": "Y2A: age in months by which the transition meeting is held (17¾ = 213)",
        "y2a_post_transfer_from_weeks": "Y2A: weeks after transfer from which the review may be held",
        "y2a_post_transfer_by_weeks": "Y2A: weeks after transfer by which the review is held",
        "rs_initial_planning_wd": "Resettlement: working days after sentence for the initial planning meeting",
        "rs_remand_planning_wd": "Resettlement: working days after remand for the remand planning meeting",
        "rs_first_planning_wd": "Resettlement: working days after entering custody for the first planning meeting",
        "rs_penultimate_months": "Resettlement: months before release for the penultimate meeting",
        "rs_final_review_wd": "Resettlement: working days before release for the final release review",
        "rs_post_release_wd": "Resettlement: working days after release for the post-release review",
        "rs_accommodation_from_months": (
            "Resettlement: months before release from which an unconfirmed release address is discussed"
        ),
        "rs_accommodation_by_months": (
            "Resettlement: months before release by which the release address is confirmed (late after)"
        ),
        "ed_release_ete_wd": "Education: working days after release for the education, training or employment "
                             "interview",
        "mappa_referral_months": "MAPPA: months before release for the referral",
        "mappa_min_sentence_months": (
            "MAPPA: shortest sentence (months) that is referred; 0 refers every custodial sentence"
        ),
    }
    _LIMITS = {"rs_initial_planning_wd": 260, "rs_remand_planning_wd": 260, "rs_first_planning_wd": 260,
               "rs_final_review_wd": 260, "rs_post_release_wd": 260, "ed_release_ete_wd": 260,
               "mappa_min_sentence_months": 600}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> tuple[RuleSettings | None, list[str]]:
        errors: list[str] = []
        names = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in names:
                errors.append(f"{key}: is not a rule setting")
                continue
            if key == "disabled_rules":
                if not isinstance(value, list | tuple) or not all(isinstance(c, str) for c in value):
                    errors.append(f"{key}: must be a list of rule codes")
                    continue
                unknown = sorted(set(value) - ALL_CODES)
                if unknown:
                    errors.append(f"{key}: unknown rule code(s) {', '.join(unknown)}")
                    continue
                values[key] = tuple(sorted(set(value)))
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(f"{key}: must be a whole number, not {value!r}")
                continue
            limit = cls._LIMITS.get(key, 240 if key.endswith("months") else 104)
            if not 0 <= value <= limit:
                errors.append(f"{key}: {value} is outside 0..{limit}")
                continue
            values[key] = value
        if errors:
            return None, errors
        settings = cls(**values)
        if settings.y2a_post_transfer_from_weeks > settings.y2a_post_transfer_by_weeks:
            errors.append("y2a_post_transfer_from_weeks: must not be after y2a_post_transfer_by_weeks")
        if not (settings.y2a_planning_start_from_months <= settings.y2a_planning_start_by_months
                <= settings.y2a_transition_by_months <= 216):
            errors.append("y2a_*_months: the Y2A ages must rise in order and end by 216 months (18)")
        if settings.rs_accommodation_by_months > settings.rs_accommodation_from_months:
            errors.append("rs_accommodation_by_months: must not be larger than rs_accommodation_from_months")
        return (None, errors) if errors else (settings, [])

    def to_dict(self) -> dict[str, Any]:
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v) for f in fields(self)}

    def describe(self) -> dict[str, str]:
        return dict(self._LABELS)

    def enabled(self, code: str) -> bool:
        return code not in self.disabled_rules


# --- outputs -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    """A dated reason. Its words are written only when it is placed on an agenda someone wants:
    ``template`` names its dates ({due}, {release}, …), formatted on demand."""

    code: str
    kind: str
    eligible: date | None
    due: date | None
    template: str = field(compare=False, repr=False)
    dates: dict[str, date] = field(default_factory=dict, compare=False, repr=False)

    @property
    def explanation(self) -> str:
        words = {name: fmt(day) for name, day in self.dates.items()}
        words["due"] = fmt(self.due)
        return self.template.format_map(words)


@dataclass(frozen=True)
class PlacedReason:
    """A reason on one meeting. Its words come from ``source`` (text, or the dated ``Reason``), written only
    when someone reads ``explanation``: the dry run never does, and a watch shares one ``Reason``."""

    code: str
    kind: str
    due: date | None
    late: bool
    source: str | Reason = field(compare=False, repr=False)

    @property
    def explanation(self) -> str:
        return self.source if isinstance(self.source, str) else self.source.explanation


@dataclass(frozen=True)
class AgendaItemResult:
    child: str  # the child's reference
    late: bool
    reasons: tuple[PlacedReason, ...]

    @property
    def earliest_due(self) -> date | None:
        dues = [r.due for r in self.reasons if r.due]
        return min(dues) if dues else None


@dataclass(frozen=True)
class MeetingResult:
    date: date
    items: tuple[AgendaItemResult, ...]


# --- timescales: every due date of a dated rule, in one place ---------------------------------------
# The agenda (``reasons_for_child``) and the oversight reports (``agendas.statutory``) both read them, so a
# timescale is written once. Each gives (eligible, due) from the child's dates, or None when a date it counts
# from is unknown; *when* a rule applies (legal status, a held meeting) is left to the caller.
Window = tuple[date, date]


def timescale(code: str, child: ChildFacts, *, settings: RuleSettings, calendar: WorkingCalendar) -> Window | None:
    """(eligible, due) of the dated rule ``code`` for ``child`` (section 3), or None when its dates are unknown."""
    return _TIMESCALES[code](child, settings, calendar)


def _before_release(weeks: int, c: ChildFacts, cal: WorkingCalendar) -> Window | None:
    S, R = c.sentence_date, c.release
    return (S, cal.previous_working_day_or_same(R - timedelta(weeks=weeks))) if S and R else None


def _after(day: date | None, wd: int, cal: WorkingCalendar) -> Window | None:
    return (day, cal.add_working_days(day, wd)) if day else None


def _y2a_post_transfer(c: ChildFacts, s: RuleSettings, cal: WorkingCalendar) -> Window:
    transfer = c.transfer_date or c.eighteenth_birthday
    return (transfer + timedelta(weeks=s.y2a_post_transfer_from_weeks),
            cal.previous_working_day_or_same(transfer + timedelta(weeks=s.y2a_post_transfer_by_weeks)))


def _months_before_release(months: int, c: ChildFacts, cal: WorkingCalendar) -> Window | None:
    S, R = c.sentence_date, c.release
    return (S, cal.previous_working_day_or_same(add_months(R, -months))) if S and R else None


def _accommodation(c: ChildFacts, s: RuleSettings, cal: WorkingCalendar) -> Window | None:
    R = c.release
    if R is None:
        return None
    return (add_months(R, -s.rs_accommodation_from_months),
            cal.previous_working_day_or_same(add_months(R, -s.rs_accommodation_by_months)))


def _final_review(c: ChildFacts, s: RuleSettings, cal: WorkingCalendar) -> Window | None:
    S, R = c.sentence_date, c.release
    return (S, cal.sub_working_days(R, s.rs_final_review_wd)) if S and R else None


_TIMESCALES: dict[str, Any] = {
    "HR_PRE_RELEASE": lambda c, s, cal: _before_release(s.hr_pre_release_weeks, c, cal),
    "ED_ETE_PLAN": lambda c, s, cal: _before_release(s.ed_ete_plan_weeks, c, cal),
    "ED_RELEASE_ETE": lambda c, s, cal: _after(c.actual_release_date, s.ed_release_ete_wd, cal),
    "Y2A_PLANNING_START": lambda c, s, cal: (
        add_months(c.date_of_birth, s.y2a_planning_start_from_months),
        cal.previous_working_day_or_same(add_months(c.date_of_birth, s.y2a_planning_start_by_months))),
    "Y2A_TRANSITION_MEETING": lambda c, s, cal: (
        add_months(c.date_of_birth, s.y2a_planning_start_by_months),
        cal.previous_working_day_or_same(add_months(c.date_of_birth, s.y2a_transition_by_months))),
    "Y2A_TRANSFER": lambda c, s, cal: (
        add_months(c.date_of_birth, s.y2a_transition_by_months),
        cal.previous_working_day_or_same(c.eighteenth_birthday)),
    "Y2A_POST_TRANSFER": _y2a_post_transfer,
    "RS_INITIAL_PLANNING": lambda c, s, cal: _after(c.sentence_date, s.rs_initial_planning_wd, cal),
    "RS_REMAND_PLANNING": lambda c, s, cal: _after(c.remand_date, s.rs_remand_planning_wd, cal),
    "RS_FIRST_PLANNING": lambda c, s, cal: _after(c.custody_entry, s.rs_first_planning_wd, cal),
    "RS_PENULTIMATE": lambda c, s, cal: _months_before_release(s.rs_penultimate_months, c, cal),
    "RS_FINAL_REVIEW": _final_review,
    "RS_POST_RELEASE": lambda c, s, cal: _after(c.actual_release_date, s.rs_post_release_wd, cal),
    "RS_ACCOMMODATION": _accommodation,
    "MAPPA_REFERRAL": lambda c, s, cal: _months_before_release(s.mappa_referral_months, c, cal),
}


def mappa_referral_required(child: ChildFacts, settings: RuleSettings) -> bool:
    """The sentence is long enough to be referred to MAPPA (``mappa_min_sentence_months``; 0: every one)."""
    minimum, length = settings.mappa_min_sentence_months, child.sentence_length_months
    return minimum == 0 or (length is not None and length >= minimum)


# --- the rules -----------------------------------------------------------------------------------
def reasons_for_child(
    child: ChildFacts, *, kind: str, settings: RuleSettings, calendar: WorkingCalendar
) -> list[Reason]:
    """The dated (``before``, ``after`` and ``watch``) reasons of one child for one panel kind."""
    if child.legal_status == "closed":
        return []
    out: list[Reason] = []
    disabled = settings.disabled_rules

    def add(code: str, kind_: str, template: str, **dates: date) -> None:
        if code in disabled:
            return
        window = _TIMESCALES[code](child, settings, calendar)
        if window is not None:
            out.append(Reason(code, kind_, window[0], window[1], template, dates))

    S, R, A = child.sentence_date, child.release, child.actual_release_date
    sentenced = child.legal_status == "sentenced"
    awaiting_release = sentenced and R is not None and child.not_yet_released
    pre_release = awaiting_release and S is not None

    if kind == "high_risk":
        if pre_release:
            add("HR_PRE_RELEASE", BEFORE, "Release on {release}: pre-release risk review due by {due}", release=R)
    elif kind == "education":
        if pre_release:
            add("ED_ETE_PLAN", BEFORE,
                "Release on {release}: education, training and employment plan due by {due}", release=R)
        if A and child.ete_interview_on is None:
            add("ED_RELEASE_ETE", AFTER,
                "Released on {released}: education, training or employment interview due by {due}", released=A)
    elif kind == "y2a" and turns_18_in_order(child):
        b18 = child.eighteenth_birthday
        add("Y2A_PLANNING_START", BEFORE, "Turns 18 on {b18}: transition planning to start by {due}", b18=b18)
        if child.transition_meeting_held_on is None:
            add("Y2A_TRANSITION_MEETING", BEFORE, "Turns 18 on {b18}: transition meeting due by {due}", b18=b18)
        if child.transfer_decision != "retain" and child.sentence_type != "referral_order":
            add("Y2A_TRANSFER", BEFORE, "Turns 18 on {b18}: transfer to probation complete by {due}", b18=b18)
        if child.transfer_decision == "transfer":
            add("Y2A_POST_TRANSFER", AFTER, "Transferred to probation on {transfer}: review due by {due}",
                transfer=child.transfer_date or b18)
    elif kind == "resettlement":
        if sentenced and S and child.ipm_held_on is None:
            add("RS_INITIAL_PLANNING", AFTER, "Sentenced on {sentenced}: initial planning meeting due by {due}",
                sentenced=S)
        if child.remand_date and child.remand_planning_held_on is None:
            add("RS_REMAND_PLANNING", AFTER, "Remanded on {remand}: remand planning meeting due by {due}",
                remand=child.remand_date)
        entry = child.custody_entry
        if entry and child.first_planning_held_on is None:
            add("RS_FIRST_PLANNING", AFTER,
                "Entered custody on {entry}: first resettlement planning meeting due by {due}", entry=entry)
        if pre_release and child.penultimate_held_on is None:
            add("RS_PENULTIMATE", BEFORE, "Release on {release}: penultimate meeting due by {due}", release=R)
        if pre_release and child.final_review_held_on is None:
            add("RS_FINAL_REVIEW", BEFORE, "Release on {release}: final release review due by {due}", release=R)
        if A and child.post_release_review_held_on is None:
            add("RS_POST_RELEASE", AFTER, "Released on {released}: post-release review due by {due}", released=A)
        if awaiting_release and child.release_address_status != "confirmed":
            add("RS_ACCOMMODATION", WATCH,
                "Release on {release}: release address not yet confirmed; due by {due}, when the director of "
                "children's services must be told", release=R)
    elif (kind == "mappa" and pre_release and child.mappa_referred_on is None
          and mappa_referral_required(child, settings)):
        add("MAPPA_REFERRAL", BEFORE, "Release on {release}: MAPPA referral due by {due}", release=R)
    return out


def turns_18_in_order(child: ChildFacts) -> bool:
    end = child.order_end
    return end is not None and child.eighteenth_birthday <= end


@dataclass(frozen=True)
class RecurringWindow:
    """A recurring reason holds at every meeting ``M`` with ``start <= M < end`` (None: unbounded)."""

    code: str
    start: date | None
    end: date | None
    explanation: str

    def holds_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def recurring_windows(child: ChildFacts, *, kind: str, settings: RuleSettings) -> list[RecurringWindow]:
    """The recurring reasons of one child as date windows: one mechanism for every recurring rule."""
    if child.legal_status == "closed":
        return []
    windows: list[RecurringWindow] = []

    def add(code: str, start: date | None, end: date | None, text: str) -> None:
        if settings.enabled(code) and (start is None or end is None or start < end):
            windows.append(RecurringWindow(code, start, end, text))

    if kind == "high_risk" and child.rosh in ("high", "very_high"):
        add("HR_ROSH", None, None,
            f"Risk of serious harm rated {child.rosh.replace('_', ' ')}: discussed at every meeting")
    elif kind == "mappa" and child.mappa_level in ("2", "3"):
        add("MAPPA_MANAGED", None, None, f"Managed at MAPPA level {child.mappa_level}: discussed at every meeting")
    elif kind == "y2a" and turns_18_in_order(child):
        add("Y2A_IN_ORDER", add_months(child.date_of_birth, 204), child.eighteenth_birthday,
            f"Aged 17 and turns 18 during the order (on {fmt(child.eighteenth_birthday)})")
    elif kind in ("resettlement", "education"):
        custody = _custody_window(child)
        if custody is None:
            return windows
        start, end = custody
        if kind == "resettlement":
            add("RS_IN_CUSTODY", start, end, f"In custody since {fmt(start)}: discussed at every meeting")
        elif child.school_age is not False:
            if child.school_age is None:
                leaving = school_leaving_date(child.date_of_birth)
                end = leaving if end is None else min(end, leaving)
            add("ED_SCHOOL_AGE", start, end, "Of compulsory school age and in custody: discussed at every meeting")
    return windows


def _custody_window(child: ChildFacts) -> tuple[date, date | None] | None:
    """In custody on M: custody status, E <= M, and no actual release on or before M; a remand to
    local-authority accommodation is not custody (v2 §1; ``sentence_type`` read literally)."""
    entry = child.custody_entry
    if child.legal_status not in ("remand", "sentenced") or entry is None or child.sentence_type == "remand_la":
        return None
    return entry, child.actual_release_date


def in_custody_on(child: ChildFacts, day: date) -> bool:
    """In custody on ``day`` (section 1), read from the snapshot like every rule."""
    window = _custody_window(child)
    return window is not None and window[0] <= day and (window[1] is None or day < window[1])


def recurring_codes_on(child: ChildFacts, *, kind: str, on: date, settings: RuleSettings) -> list[str]:
    """The recurring reasons whose condition holds for ``child`` on meeting date ``on``."""
    return [w.code for w in recurring_windows(child, kind=kind, settings=settings) if w.holds_on(on)]


def place_reason(reason: Reason, dates: Sequence[date]) -> list[tuple[int, bool]]:
    """Where a dated reason sits among the sorted meeting ``dates`` (section 2): (index, late) pairs.

    ``before`` and ``after``: one meeting or none; ``watch``: every meeting from ``eligible`` on.
    """
    if reason.kind == WATCH:
        first = bisect_left(dates, reason.eligible)
        return [(index, dates[index] > reason.due) for index in range(first, len(dates))]
    placed = _place(reason, dates)
    return [] if placed is None else [placed]


def _place(reason: Reason, dates: Sequence[date]) -> tuple[int, bool] | None:
    """Index of the meeting a ``before`` or ``after`` reason sits on, and whether it is late (section 2)."""
    if reason.kind == BEFORE:
        lo = bisect_left(dates, reason.eligible)
        hi = bisect_right(dates, reason.due)
        if hi > lo:
            return hi - 1, False
        index = max(lo, hi)  # first meeting after due and on or after eligible
        return (index, True) if index < len(dates) else None
    index = bisect_left(dates, reason.eligible)
    if index >= len(dates):
        return None
    return index, dates[index] > reason.due


def _code_of(reason: PlacedReason) -> str:
    return reason.code


def _key_of(pair: tuple) -> tuple:
    return pair[0]


def place_for_panel(
    children: Iterable[ChildFacts], *, kind: str, meeting_dates: Sequence[date], settings: RuleSettings,
    calendar: WorkingCalendar, only: Collection[date] | None = None,
) -> list[MeetingResult]:
    """Every child's reasons placed on the panel's meetings, as agendas in date order (sections 2–4).

    Placement always considers every meeting given; ``only`` limits which meetings' agendas are
    returned (the live builder needs one, the dry run all).
    """
    dates = sorted(set(meeting_dates))
    keep = [only is None or day in only for day in dates]
    buckets: list[dict[str, list[PlacedReason]]] = [{} for _ in dates]
    for child in children:
        for reason in reasons_for_child(child, kind=kind, settings=settings, calendar=calendar):
            if reason.kind == WATCH:
                placements = place_reason(reason, dates)
            else:
                placed = _place(reason, dates)
                placements = () if placed is None else (placed,)
            for index, late in placements:
                if keep[index]:
                    buckets[index].setdefault(child.reference, []).append(
                        PlacedReason(reason.code, reason.kind, reason.due, late, reason))
        for window in recurring_windows(child, kind=kind, settings=settings):
            first = 0 if window.start is None else bisect_left(dates, window.start)
            last = len(dates) if window.end is None else bisect_left(dates, window.end)
            reason = PlacedReason(window.code, RECURRING, None, False, window.explanation)
            for index in range(first, last):
                if keep[index]:
                    buckets[index].setdefault(child.reference, []).append(reason)
    results = []
    for day, bucket, wanted in zip(dates, buckets, keep, strict=True):
        if not wanted:
            continue
        keyed = []
        for ref, reasons in bucket.items():
            late, first_due = False, None  # one plain pass: most items have a single reason
            for r in reasons:
                late = late or r.late
                if r.due is not None and (first_due is None or r.due < first_due):
                    first_due = r.due
            if len(reasons) > 1:
                reasons.sort(key=_code_of)
            item = AgendaItemResult(ref, late, tuple(reasons))
            keyed.append(((not late, first_due is None, first_due or date.max, ref), item))
        keyed.sort(key=_key_of)
        items = [item for _, item in keyed]
        results.append(MeetingResult(day, tuple(items)))
    return results

