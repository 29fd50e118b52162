"""What each audience reads of approved minutes. The same code serves the page, the PDF, the DOCX and the API.

A rendering is made from a revision's frozen snapshot and a ``Viewer``: the children it may see (a secure
establishment: only the children it held at the meeting) and the sections it may read. Three audiences:

- ``full``: everything the viewer is entitled to (the whole record for the service's own staff);
- ``agency``: what one partner agency receives (the panel's chair or coordinator can produce it for any
  invited agency; a partner always gets its own agency's view, whatever it asks for);
- ``summary``: a MAPPA-style executive summary: attendance, and per child the decisions, actions and
  next review, without the discussion text.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.template.loader import render_to_string

from minutes.models import MinutesRevision
from minutes.record import ChildEntry, RecordSnapshot
from minutes.word import table
from panels import permissions
from panels.enums import Section, UserRole
from panels.models import Agency, Meeting
from panels.parsing import parse_id
from panels.permissions import Viewer

AUDIENCES = {"full": "Full record", "agency": "Partner agency's view", "summary": "Executive summary"}
SECTION_LABELS = dict(Section.choices)
STATUS_LABELS = {"present": "Present", "remote": "Joined remotely", "apologies": "Apologies", "absent": "Absent"}
ACTION_LABELS = {"open": "Open", "in_progress": "In progress", "blocked": "Blocked", "done": "Done",
                 "verified": "Verified", "cancelled": "Cancelled"}


@dataclass(frozen=True)
class RecordSection:
    label: str
    text: str
    restricted: bool
    section: str = ""


@dataclass(frozen=True)
class RecordDecision:
    text: str
    recorded_by: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RecordAction:
    description: str
    owner: str
    owner_agency: str
    due_date: date
    status: str
    status_label: str


@dataclass(frozen=True)
class RecordAttendance:
    name: str
    agency: str
    status: str
    status_label: str


@dataclass(frozen=True)
class RecordItem:
    """One item of the record (the meeting's own business, or one child) as one viewer may read it, labelled."""

    child_id: int | None
    reference: str
    name: str
    sections: tuple[RecordSection, ...] = ()
    decisions: tuple[RecordDecision, ...] = ()
    actions: tuple[RecordAction, ...] = ()
    attendance: tuple[RecordAttendance, ...] = ()
    review_by: date | None = None

    @property
    def heading(self) -> str:
        return f"{self.name} ({self.reference})" if self.reference else self.name


@dataclass
class MinutesRecord:
    meeting: Meeting
    revision: MinutesRevision
    audience: str
    audience_label: str
    items: list[RecordItem]
    hidden: int  # children on the record this audience may not see
    snapshot: RecordSnapshot
    for_agency: str = ""  # the agency an "agency" rendering was made for

    @property
    def title(self) -> str:
        starts = self.snapshot.meeting.starts_at if self.snapshot.meeting else self.meeting.starts_at
        return f"{self.meeting.panel.name}, {starts:%-d %B %Y}: minutes (revision {self.revision.number})"


def record_items(snapshot: RecordSnapshot, *, viewer: Viewer, service_id: int, audience: str = "full",
                 children: list[ChildEntry] | None = None) -> tuple[list[RecordItem], int]:
    """The record's items as ``viewer`` may read them, labelled: the meeting first, then each child the viewer may
    see in the meeting (``children``: these instead of the snapshot's, e.g. the live agenda's), with the sections
    it may read (none in the summary). Also how many children were left out. Visibility and labels live here only.
    """
    readable = permissions.readable_sections(viewer, service_id=service_id)
    entries = list(snapshot.items) if children is None else children
    visible = [e for e in entries if permissions.can_view_child_in_meeting(
        viewer, service_id=service_id, child_id=e.child_id, establishment_id=e.establishment_id,
        can_view_meeting=True)]
    keys: list[int | None] = [None, *(e.child_id for e in visible)]
    parts: dict[int | None, dict[str, list[Any]]] = {
        key: {"sections": [], "decisions": [], "actions": [], "attendance": []} for key in keys}
    if audience != "summary":
        order = {s: n for n, s in enumerate(Section.values)}
        for section in sorted(snapshot.sections, key=lambda e: order.get(e.section, 99)):
            if section.child_id in parts and section.section in readable and section.text.strip():
                parts[section.child_id]["sections"].append(RecordSection(
                    SECTION_LABELS.get(section.section, section.section), section.text,
                    section.section != Section.GENERAL, section.section))
    for decision in snapshot.decisions:
        if decision.child_id in parts:
            parts[decision.child_id]["decisions"].append(RecordDecision(decision.text, decision.recorded_by))
    for action in snapshot.actions:
        if action.child_id in parts:
            parts[action.child_id]["actions"].append(RecordAction(
                action.description, action.owner, action.owner_agency, action.due_date, action.status,
                ACTION_LABELS.get(action.status, action.status)))
    for present in snapshot.attendance:
        if present.child_id in parts:
            parts[present.child_id]["attendance"].append(RecordAttendance(
                present.name, present.agency, present.status, STATUS_LABELS.get(present.status, present.status)))
    reviews = {review.child_id: review.review_by for review in snapshot.reviews}
    names = {e.child_id: (e.reference, e.name) for e in visible}
    items = [RecordItem(key, *(names.get(key) if key is not None else ("", "The meeting")),
                        sections=tuple(parts[key]["sections"]), decisions=tuple(parts[key]["decisions"]),
                        actions=tuple(parts[key]["actions"]), attendance=tuple(parts[key]["attendance"]),
                        review_by=reviews.get(key) if key is not None else None)
             for key in keys]
    return items, len(entries) - len(visible)


def agency_viewer(agency: Agency) -> Viewer:
    """A partner of ``agency``, as the rules see one: what that agency's people are sent."""
    return Viewer(id=None, is_authenticated=True, agency_id=agency.pk, agency_kind=agency.kind,
                  role=UserRole.PARTNER)


def audience_resolve(*, access, user, audience: str | None, agency_id: str | int | None
                     ) -> tuple[str, Viewer, Agency | None]:
    """Which rendering to make and for whom. Only the panel's chair or coordinator may produce another
    agency's view; anyone else asking for an agency's view gets their own agency's."""
    audience = audience if audience in AUDIENCES else "full"
    if audience != "agency":
        return audience, access.viewer, None
    agency = None
    if access.can_manage and parse_id(agency_id) is not None:
        agency = Agency.objects.filter(pk=parse_id(agency_id)).first()
    agency = agency or user.agency
    if agency is None:
        return "full", access.viewer, None
    if not access.can_manage:
        # one's own agency's view never shows more than one's own: someone invited for one child's slot only
        # stays limited to that child
        return audience, replace(agency_viewer(agency), slot_children=access.viewer.slot_children,
                                 ceiling=access.viewer.ceiling), agency
    return audience, agency_viewer(agency), agency


def record_for(*, revision: MinutesRevision, viewer: Viewer, audience: str = "full",
               for_agency: str = "") -> MinutesRecord:
    """The approved record as ``viewer`` may read it, in the shape ``audience`` asks for."""
    if audience not in AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}: choose one of {', '.join(AUDIENCES)}")
    meeting = revision.meeting
    snapshot = RecordSnapshot.from_json(revision.snapshot)
    items, hidden = record_items(snapshot, viewer=viewer, service_id=meeting.panel.service_id, audience=audience)
    return MinutesRecord(meeting=meeting, revision=revision, audience=audience, audience_label=AUDIENCES[audience],
                         items=items, hidden=hidden, for_agency=for_agency, snapshot=snapshot)


def record_as_dict(record: MinutesRecord) -> dict[str, Any]:
    """The API's shape of a rendering."""
    return {
        "meeting_id": record.meeting.pk,
        "revision": record.revision.number,
        "approved_at": record.revision.approved_at.isoformat(),
        "approved_by": str(record.revision.approved_by),
        "reason": record.revision.reason,
        "audience": record.audience,
        "hidden_items": record.hidden,
        "items": [
            {"child_id": i.child_id, "reference": i.reference or None, "name": i.name,
             "sections": [{"label": s.label, "restricted": s.restricted, "text": s.text} for s in i.sections],
             "decisions": [d.text for d in i.decisions],
             "actions": [{"description": a.description, "owner": a.owner, "owner_agency": a.owner_agency,
                          "due_date": a.due_date.isoformat(), "status": a.status} for a in i.actions],
             "attendance": [{"name": a.name, "agency": a.agency, "status": a.status} for a in i.attendance],
             "review_by": i.review_by.isoformat() if i.review_by else None}
            for i in record.items
        ],
    }


# --- changes ---------------------------------------------------------------------------------------
@dataclass
class SectionChange:
    heading: str
    label: str
    lines: list[tuple[str, str]]  # ("+", text) added, ("-", text) removed, (" ", text) kept


def section_changes(*, before: RecordSnapshot, after: RecordSnapshot, readable: frozenset[str],
                    headings: dict[int | None, str]) -> list[SectionChange]:
    """Line-by-line changes between two snapshots (or a snapshot and the draft) of every section the audience
    may read, for the items in ``headings`` (the children it may see, and ``None`` for the meeting)."""
    def texts(snapshot: RecordSnapshot) -> dict[tuple[int | None, str], str]:
        return {(e.child_id, e.section): e.text for e in snapshot.sections
                if e.section in readable and e.child_id in headings}

    old, new = texts(before), texts(after)
    changes = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0] is not None, k[0] or 0, k[1])):
        a, b = old.get(key, "").splitlines(), new.get(key, "").splitlines()
        if a == b:
            continue
        lines = [(d[0], d[2:]) for d in difflib.ndiff(a, b) if d[0] in "+- "]
        changes.append(SectionChange(headings[key[0]], SECTION_LABELS.get(key[1], key[1]), lines))
    return changes


# --- exports ---------------------------------------------------------------------------------------
def record_pdf(request, record: MinutesRecord) -> bytes:
    """Tagged PDF (PDF/UA-1) from the same template as the page."""
    from weasyprint import HTML

    html = render_to_string("minutes/record_document.html", {"record": record, "for_pdf": True}, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=True)


def record_docx(record: MinutesRecord) -> bytes:
    """An accessible Word document: real headings, tables with header rows, document title and language."""
    from docx import Document

    document = Document()
    document.core_properties.title = record.title
    document.core_properties.language = "en-GB"
    document.core_properties.subject = record.audience_label
    document.add_heading(record.title, level=0)
    label = record.audience_label + (f" for {record.for_agency}" if record.for_agency else "")
    document.add_paragraph(f"{label}. Approved {record.revision.approved_at:%-d %B %Y} by "
                           f"{record.revision.approved_by}." + (f" Reason for this revision: {record.revision.reason}"
                                                               if record.revision.reason else ""))
    if record.hidden:
        document.add_paragraph(f"{record.hidden} other item(s) are not shared with this audience.")

    for item in record.items:
        if item.child_id is not None or item.attendance or item.sections or item.decisions or item.actions:
            document.add_heading(item.heading, level=1)
        if item.attendance:
            document.add_heading("Attendance", level=2)
            table(document, ["Name", "Agency", "Attendance"], [[a.name, a.agency, a.status_label]
                                                    for a in item.attendance])
        for section in item.sections:
            document.add_heading(section.label + (" (restricted)" if section.restricted else ""), level=2)
            for paragraph in section.text.splitlines():
                if paragraph.strip():
                    document.add_paragraph(paragraph)
        if item.decisions:
            document.add_heading("Decisions", level=2)
            for decision in item.decisions:
                document.add_paragraph(decision.text, style="List Bullet")
        if item.actions:
            document.add_heading("Actions", level=2)
            table(document, ["Action", "Owner", "Due", "Status"],
                  [[a.description, ", ".join(x for x in (a.owner, a.owner_agency) if x),
                    f"{a.due_date:%-d %B %Y}", a.status_label] for a in item.actions])
        if item.review_by:
            document.add_paragraph(f"Next review by {item.review_by:%-d %B %Y}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
