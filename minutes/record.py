"""The minutes record as one typed snapshot: what a meeting recorded (items, minute text per section, decisions,
actions, attendance, next reviews), frozen, with a schema version. Pure: no ORM, no clock.

One snapshot serves every reader: ``minutes.selectors.record_snapshot`` builds it from a meeting (the live
page's draft, and what approval stores as a revision's JSON); ``minutes.presenters.record_items`` filters it
for one viewer and audience and labels it (visibility and labels written once), for the live page, the
approved page, the PDF, the DOCX and the API. ``RecordSnapshot.from_json`` reads every stored version:
version 1 (no ``schema_version`` key: revisions approved before it existed) lacks who recorded a decision.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class MeetingFacts:
    panel: str
    starts_at: datetime
    location: str = ""


@dataclass(frozen=True)
class ChildEntry:
    """A child on the record, as they were at the meeting (their establishment decides who may see them)."""

    child_id: int
    reference: str
    name: str
    establishment_id: int | None = None


@dataclass(frozen=True)
class SectionEntry:
    child_id: int | None  # None: the meeting's own business
    section: str
    text: str


@dataclass(frozen=True)
class DecisionEntry:
    id: int
    child_id: int | None
    text: str
    recorded_by: str = ""  # version 2


@dataclass(frozen=True)
class ActionEntry:
    id: int
    child_id: int | None
    description: str
    owner: str
    owner_agency: str
    owner_agency_id: int | None
    due_date: date
    status: str
    pathway: str = ""


@dataclass(frozen=True)
class AttendanceEntry:
    child_id: int | None
    name: str
    agency: str
    status: str


@dataclass(frozen=True)
class ReviewEntry:
    child_id: int
    review_by: date


@dataclass(frozen=True)
class RecordSnapshot:
    meeting: MeetingFacts | None
    items: tuple[ChildEntry, ...] = ()
    sections: tuple[SectionEntry, ...] = ()
    decisions: tuple[DecisionEntry, ...] = ()
    actions: tuple[ActionEntry, ...] = ()
    attendance: tuple[AttendanceEntry, ...] = ()
    reviews: tuple[ReviewEntry, ...] = ()
    schema_version: int = field(default=SCHEMA_VERSION)

    def to_json(self) -> dict[str, Any]:
        """The stored shape (a revision's ``snapshot``): JSON types only, dates as ISO strings."""
        data = asdict(self)
        if self.meeting is not None:
            data["meeting"]["starts_at"] = self.meeting.starts_at.isoformat()
        for entry in data["actions"]:
            entry["due_date"] = entry["due_date"].isoformat()
        for entry in data["reviews"]:
            entry["review_by"] = entry["review_by"].isoformat()
        return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordSnapshot:
        """A stored snapshot, whichever version wrote it; ValueError for a version this code does not know."""
        version = data.get("schema_version", 1)
        if not 1 <= version <= SCHEMA_VERSION:
            raise ValueError(f"Unknown minutes snapshot version {version!r} (this code reads 1 to {SCHEMA_VERSION})")
        meeting = data.get("meeting")
        return cls(
            meeting=MeetingFacts(meeting["panel"], datetime.fromisoformat(meeting["starts_at"]),
                                 meeting.get("location", "")) if meeting else None,
            items=tuple(ChildEntry(e["child_id"], e["reference"], e["name"], e.get("establishment_id"))
                        for e in data.get("items", [])),
            sections=tuple(SectionEntry(e["child_id"], e["section"], e["text"]) for e in data.get("sections", [])),
            decisions=tuple(DecisionEntry(e["id"], e["child_id"], e["text"], e.get("recorded_by", ""))
                            for e in data.get("decisions", [])),
            actions=tuple(ActionEntry(e["id"], e["child_id"], e["description"], e["owner"], e["owner_agency"],
                                      e.get("owner_agency_id"), date.fromisoformat(e["due_date"]), e["status"],
                                      e.get("pathway") or "")
                          for e in data.get("actions", [])),
            attendance=tuple(AttendanceEntry(e["child_id"], e["name"], e["agency"], e["status"])
                             for e in data.get("attendance", [])),
            reviews=tuple(ReviewEntry(e["child_id"], date.fromisoformat(e["review_by"]))
                          for e in data.get("reviews", [])),
            schema_version=SCHEMA_VERSION,
        )
