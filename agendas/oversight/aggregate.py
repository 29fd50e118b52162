"""The oversight figures (docs/oversight.md), pure: ``ChildRow`` in, tables out; no ORM, no clock.

Every report is a table of groups; every figure in it is a list of children (``Figure.children``), so a
page can link each number to the children behind it and a download can count them. ``by`` names the
breakdown: the report's own groupings (requirement, month, panel, establishment, case manager, legal status)
or a diversity factor (gender, ethnicity, looked-after status, EHCP, age band: HMIP's "breakdown of diversity
factors"), or distance from home (HMIP's bands, ``panels.geography``). ``suppress`` hides counts under 5 in
everything that leaves the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from agendas.rules import ChildFacts, in_custody_on
from agendas.statutory import (
    MET_LATE,
    MET_ON_TIME,
    REQUIREMENT_CODES,
    TITLES,
    Requirement,
)
from agendas.workdays import add_months
from panels.geography import DISTANCE_BANDS, NOT_KNOWN, distance_band

SMALL = 5  # counts from 1 to SMALL - 1 are suppressed outside the service
DIVERSITY = {"gender": "Gender", "ethnicity": "Ethnicity", "looked_after": "Looked-after status",
             "ehcp": "Education, health and care plan", "age_band": "Age band"}
GENDER_LABELS = {"female": "Female", "male": "Male", "other": "Other"}
ETHNICITY_LABELS = {"asian": "Asian, Asian British or Asian Welsh",
                    "black": "Black, Black British, Black Welsh, Caribbean or African",
                    "mixed": "Mixed or Multiple ethnic groups", "white": "White", "other": "Other ethnic group",
                    "not_stated": "Not stated"}
NOT_RECORDED = "Not recorded"
LEGAL_STATUS_LABELS = {"remand": "Remand", "sentenced": "Sentenced"}


@dataclass(frozen=True)
class ChildRow:
    """One child as the reports need them: rule facts, statutory requirements and the report-only fields."""

    id: int
    reference: str
    name: str
    facts: ChildFacts
    requirements: tuple[Requirement, ...] = ()
    gender: str | None = None
    ethnicity: str | None = None
    looked_after: bool | None = None
    ehcp: bool | None = None
    establishment: str | None = None
    case_manager: str | None = None
    address_confirmed_on: date | None = None
    ete_kind: str | None = None  # the ETE planned for release (ReleaseEte): education, training, employment
    ete_starts_on: date | None = None
    probation_officer: str | None = None
    transfer_reason: str = ""
    pathways_planned: int = 0
    pathways: int = 0
    distance_miles: int | None = None  # from the service's location to the establishment's (panels.geography)

    @property
    def distance_band(self) -> str:
        """The HMIP band of the distance from home (a key of ``panels.geography.DISTANCE_BANDS``)."""
        return distance_band(self.distance_miles)

    @property
    def distance_label(self) -> str:
        """The distance as a list shows it: "About 170 miles (over 100 miles)", "Under a mile (up to 50 miles)",
        or "Not known"."""
        if self.distance_miles is None:
            return DISTANCE_BANDS[self.distance_band]
        miles = {0: "Under a mile", 1: "About 1 mile"}.get(self.distance_miles, f"About {self.distance_miles} miles")
        return f"{miles} ({DISTANCE_BANDS[self.distance_band].lower()})"

    @property
    def legal_status(self) -> str:
        return self.facts.legal_status

    def requirement(self, code: str) -> Requirement | None:
        return next((r for r in self.requirements if r.code == code), None)

    @property
    def ete_in_place(self) -> bool:
        """ETE planned for release, starting by the day the ETE interview is due (10 working days after)."""
        req = self.requirement("ED_RELEASE_ETE")
        return bool(self.ete_kind and self.ete_starts_on and req is not None and self.ete_starts_on <= req.due)

    def next_due(self, today: date) -> Requirement | None:
        """The earliest statutory requirement still open (overdue ones first, they are earliest)."""
        open_ = [r for r in self.requirements if r.met_on is None and r.due >= add_months(today, -12)]
        return min(open_, key=lambda r: r.due, default=None)


@dataclass
class Figure:
    """A count and the children behind it (ids, in order, without repeats)."""

    children: list[int] = field(default_factory=list)

    def add(self, child_id: int) -> None:
        if not self.children or self.children[-1] != child_id:
            self.children.append(child_id)

    @property
    def count(self) -> int:
        return len(self.children)


def age_band(date_of_birth: date, on: date) -> str:
    years = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    if years < 15:
        return "10 to 14"
    return "18 and over" if years >= 18 else str(years)


def _yes_no(value: bool | None, yes: str, no: str) -> str:
    return NOT_RECORDED if value is None else (yes if value else no)


def diversity_value(by: str, row: ChildRow, today: date) -> str:
    if by == "gender":
        return GENDER_LABELS.get(row.gender or "", NOT_RECORDED)
    if by == "ethnicity":
        return ETHNICITY_LABELS.get(row.ethnicity or "", NOT_RECORDED)
    if by == "looked_after":
        return _yes_no(row.looked_after, "Looked after", "Not looked after")
    if by == "ehcp":
        return _yes_no(row.ehcp, "Has an EHCP", "No EHCP")
    if by == "age_band":
        return age_band(row.facts.date_of_birth, today)
    raise ValueError(f"Unknown breakdown {by!r}")


DISTANCE = {"distance": "Distance from home"}
DISTANCE_ORDER = {key: n for n, key in enumerate(DISTANCE_BANDS)}


def distance_key(row: ChildRow) -> tuple[str, str]:
    """A row's distance band as a group's key and label."""
    return row.distance_band, DISTANCE_BANDS[row.distance_band]


def _group_order(by: str, key: str, label: str) -> tuple[int, str]:
    """Groups by distance run nearest first; all others by ``label`` (their key or label, as each report sorts)."""
    return (DISTANCE_ORDER.get(key, len(DISTANCE_ORDER)), label) if by == "distance" else (0, label)


def suppress(count: int) -> int | str:
    """A count as it may leave the service: 1 to 4 become "fewer than 5" (0 stays 0: nobody to identify)."""
    return f"fewer than {SMALL}" if 0 < count < SMALL else count


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# --- timeliness ------------------------------------------------------------------------------------------
TIMELINESS_BY = {"requirement": "Requirement", "month": "Month due", "panel": "Panel",
                 "establishment": "Establishment", "case_manager": "Case manager", **DIVERSITY}
STATUS_LABELS = {"due": "Due", MET_ON_TIME: "Met on time", MET_LATE: "Met late", "open": "Still open"}


@dataclass
class TimelinessGroup:
    key: str
    label: str
    due: Figure = field(default_factory=Figure)
    met_on_time: Figure = field(default_factory=Figure)
    met_late: Figure = field(default_factory=Figure)
    open: Figure = field(default_factory=Figure)
    days_late: list[int] = field(default_factory=list)

    def figure(self, status: str) -> Figure:
        return {"due": self.due, MET_ON_TIME: self.met_on_time, MET_LATE: self.met_late, "open": self.open}[status]

    @property
    def median_days_late(self) -> float | None:
        return median(self.days_late) if self.days_late else None

    @property
    def worst_days_late(self) -> int | None:
        return max(self.days_late) if self.days_late else None

    @property
    def percent_on_time(self) -> int | None:
        return percent(self.met_on_time.count, self.due.count)


def _timeliness_key(by: str, row: ChildRow, req: Requirement, today: date,
                    panel_of: Callable[[str], str]) -> tuple[str, str]:
    if by == "requirement":
        return req.code, TITLES[req.code]
    if by == "month":
        return f"{req.due:%Y-%m}", f"{req.due:%B %Y}"
    if by == "panel":
        name = panel_of(req.code)
        return name, name
    if by == "establishment":
        name = row.establishment or "No establishment recorded"
        return name, name
    if by == "case_manager":
        name = row.case_manager or "No case manager"
        return name, name
    label = diversity_value(by, row, today)
    return label, label


def timeliness(rows: Iterable[ChildRow], *, start: date, end: date, today: date, by: str = "requirement",
               code: str | None = None, panel_of: Callable[[str], str] = lambda code: "") -> list[TimelinessGroup]:
    """Statutory requirements due from ``start`` to ``end`` (inclusive), grouped ``by``: how many were due,
    met on time, met late (with the days late) and are still open (not met; as of ``today``)."""
    if by not in TIMELINESS_BY:
        raise ValueError(f"Unknown breakdown {by!r}")
    groups: dict[str, TimelinessGroup] = {}
    for row in rows:
        for req in row.requirements:
            if not start <= req.due <= end or (code and req.code != code):
                continue
            key, label = _timeliness_key(by, row, req, today, panel_of)
            group = groups.get(key)
            if group is None:
                group = groups[key] = TimelinessGroup(key, label)
            status = req.status(today)
            group.due.add(row.id)
            if status == MET_ON_TIME:
                group.met_on_time.add(row.id)
            elif status == MET_LATE:
                group.met_late.add(row.id)
                group.days_late.append(req.days_late(today) or 0)
            else:
                group.open.add(row.id)
    order = {c: n for n, c in enumerate(REQUIREMENT_CODES)}
    return sorted(groups.values(), key=lambda g: (order.get(g.key, 99), g.key))


def timeliness_total(groups: Sequence[TimelinessGroup]) -> TimelinessGroup:
    total = TimelinessGroup("all", "All")
    for group in groups:
        for status in ("due", MET_ON_TIME, MET_LATE, "open"):
            total.figure(status).children.extend(group.figure(status).children)
        total.days_late.extend(group.days_late)
    return total


def monthly_on_time(rows: Sequence[ChildRow], *, months: Sequence[date], today: date) -> list[TimelinessGroup]:
    """One total per month (first days given, in order): the trend of timeliness, in one pass over the rows."""
    if not months:
        return []
    end = min(add_months(months[-1], 1) - timedelta(days=1), today)
    by_month = {g.key: g for g in timeliness(rows, start=months[0], end=end, today=today, by="month")}
    out = []
    for first in months:
        group = by_month.get(f"{first:%Y-%m}") or TimelinessGroup(f"{first:%Y-%m}", "")
        group.label = f"{first:%b %Y}"
        out.append(group)
    return out


# --- release outcomes --------------------------------------------------------------------------------------
RELEASE_BY = {"month": "Month of release", "establishment": "Establishment", "case_manager": "Case manager",
              **DISTANCE, **DIVERSITY}
RELEASE_FIGURES = {
    "released": "Released",
    "address": "Address confirmed by the day of release",
    "ete_interview": "ETE interview within 10 working days",
    "ete_in_place": "ETE in place at release",
    "post_release": "Post-release review within 20 working days",
    "friday": "Released on a Friday",
}


@dataclass
class ReleaseGroup:
    key: str
    label: str
    figures: dict[str, Figure] = field(default_factory=lambda: {name: Figure() for name in RELEASE_FIGURES})

    def figure(self, name: str) -> Figure:
        return self.figures[name]


def address_confirmed_by_release(row: ChildRow) -> bool:
    released = row.facts.actual_release_date
    if released is None:
        return False
    return row.address_confirmed_on is not None and row.address_confirmed_on <= released


def _met_on_time(row: ChildRow, code: str, today: date) -> bool:
    req = row.requirement(code)
    return req is not None and req.status(today) == MET_ON_TIME


def release_outcomes(rows: Iterable[ChildRow], *, start: date, end: date, today: date,
                     by: str = "month") -> list[ReleaseGroup]:
    if by not in RELEASE_BY:
        raise ValueError(f"Unknown breakdown {by!r}")
    groups: dict[str, ReleaseGroup] = {}
    for row in rows:
        released = row.facts.actual_release_date
        if released is None or not start <= released <= end:
            continue
        if by == "month":
            key, label = f"{released:%Y-%m}", f"{released:%B %Y}"
        elif by in ("establishment", "case_manager"):
            key = label = getattr(row, by) or NOT_RECORDED
        elif by == "distance":
            key, label = distance_key(row)
        else:
            key = label = diversity_value(by, row, today)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ReleaseGroup(key, label)
        checks = {
            "released": True,
            "address": address_confirmed_by_release(row),
            "ete_interview": _met_on_time(row, "ED_RELEASE_ETE", today),
            "ete_in_place": row.ete_in_place,
            "post_release": _met_on_time(row, "RS_POST_RELEASE", today),
            "friday": released.weekday() == 4,
        }
        for name, holds in checks.items():
            if holds:
                group.figures[name].add(row.id)
    return sorted(groups.values(), key=lambda g: _group_order(by, g.key, g.key))


@dataclass(frozen=True)
class DistanceShare:
    key: str
    label: str
    figure: Figure
    percent: int | None  # of all the children released
    percent_known: int | None  # of those whose distance is known (as HMIP's figures); None for "not known"


def distance_shares(rows: Iterable[ChildRow], *, start: date, end: date) -> list[DistanceShare]:
    """The children released from ``start`` to ``end`` (inclusive) by distance from home: every HMIP band,
    nearest first (an empty band too), with its share of all the children released and of those whose distance
    is known."""
    bands = {key: Figure() for key in DISTANCE_BANDS}
    for row in rows:
        released = row.facts.actual_release_date
        if released is not None and start <= released <= end:
            bands[row.distance_band].add(row.id)
    total = sum(figure.count for figure in bands.values())
    known = total - bands[NOT_KNOWN].count
    return [DistanceShare(key, DISTANCE_BANDS[key], figure, percent(figure.count, total),
                          None if key == NOT_KNOWN else percent(figure.count, known))
            for key, figure in bands.items()]


# --- custody now, and the youth-to-adult pipeline ----------------------------------------------------------
CUSTODY_BY = {"establishment": "Establishment", "legal_status": "Legal status", **DISTANCE, **DIVERSITY}


@dataclass
class CustodyGroup:
    key: str
    label: str
    remand: Figure = field(default_factory=Figure)
    sentenced: Figure = field(default_factory=Figure)
    all: Figure = field(default_factory=Figure)

    def figure(self, name: str) -> Figure:
        return {"remand": self.remand, "sentenced": self.sentenced, "all": self.all}[name]


def in_custody(rows: Iterable[ChildRow], *, today: date) -> list[ChildRow]:
    return [row for row in rows if in_custody_on(row.facts, today)]


def custody_now(rows: Iterable[ChildRow], *, today: date, by: str = "establishment") -> list[CustodyGroup]:
    if by not in CUSTODY_BY:
        raise ValueError(f"Unknown breakdown {by!r}")
    groups: dict[str, CustodyGroup] = {}
    for row in in_custody(rows, today=today):
        if by == "establishment":
            key = label = row.establishment or "No establishment recorded"
        elif by == "legal_status":
            key = row.legal_status
            label = LEGAL_STATUS_LABELS.get(key, key)
        elif by == "distance":
            key, label = distance_key(row)
        else:
            key = label = diversity_value(by, row, today)
        group = groups.get(key)
        if group is None:
            group = groups[key] = CustodyGroup(key, label)
        group.all.add(row.id)
        group.figure("remand" if row.legal_status == "remand" else "sentenced").add(row.id)
    return sorted(groups.values(), key=lambda g: _group_order(by, g.key, g.label))


def held_on(facts: ChildFacts, day: date) -> bool:
    """In custody on a past ``day``, from the dates (custody entry on or before it, not yet released then): the
    trend reads the history the record keeps, not the status now. A remand to local-authority accommodation is
    not custody."""
    entry = facts.custody_entry
    if entry is None or entry > day or facts.sentence_type == "remand_la" or facts.legal_status == "community":
        return False
    return facts.actual_release_date is None or facts.actual_release_date > day


def custody_population(rows: Sequence[ChildRow], *, days: Sequence[date]) -> list[tuple[date, int]]:
    return [(day, sum(1 for row in rows if held_on(row.facts, day))) for day in days]


@dataclass(frozen=True)
class PipelineRow:
    row: ChildRow
    eighteenth_birthday: date
    decision: str
    transition_meeting_held_on: date | None


DECISION_LABELS = {"transfer": "Transfer to probation", "retain": "Retain in the youth justice service"}


def y2a_pipeline(rows: Iterable[ChildRow], *, today: date, months: int = 6) -> list[PipelineRow]:
    """Children turning 18 from today to ``months`` months on, by birthday."""
    until = add_months(today, months)
    out = []
    for row in rows:
        b18 = row.facts.eighteenth_birthday
        if today <= b18 <= until and row.legal_status != "closed":
            decision = DECISION_LABELS.get(row.facts.transfer_decision or "", "No decision recorded")
            out.append(PipelineRow(row, b18, decision, row.facts.transition_meeting_held_on))
    return sorted(out, key=lambda p: (p.eighteenth_birthday, p.row.reference))


def month_starts(end: date, count: int) -> list[date]:
    """The first days of the ``count`` months up to and including ``end``'s month, oldest first."""
    first = end.replace(day=1)
    return [add_months(first, -n) for n in range(count - 1, -1, -1)]

