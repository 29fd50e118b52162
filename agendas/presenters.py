"""What each audience sees of an agenda. The same code serves the page, the pack and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from agendas import selectors
from agendas.models import AgendaItem, AgendaVersion
from agendas.timing import CLOSING_MINUTES, OPENING_MINUTES, Overrun, slot_overrun
from panels import permissions
from panels.enums import LegalStatus, PanelKind
from panels.keydates import KeyDate, upcoming_key_dates
from panels.models import Child
from panels.record_selectors import (
    ChildFlags,
    Suggested,
    network_suggestions_for_children,
    resettlement_flags_for_children,
)
from panels.records import child_to_record
from panels.release_selectors import address_words_for_children
from panels.selectors import MeetingAccess, children_with_episodes, current_establishments


@dataclass
class ItemView:
    child_id: int
    reference: str
    name: str
    state: str
    reasons: list[dict[str, Any]]
    late: bool
    slot_start: str | None
    slot_minutes: int | None
    presenter: str | None
    key_dates: list[KeyDate] = field(default_factory=list)
    item: AgendaItem | None = None  # the working row (for chairs' forms)
    flags: list[str] = field(default_factory=list)  # the resettlement record's flags (issue 16)
    suggested: list[Suggested] = field(default_factory=list)  # the child's network, to invite for the slot
    address: str = ""  # the release-address status in words, when relevant (never the address itself)

    @property
    def due(self) -> date | None:
        dues = [r["due"] for r in self.reasons if r.get("due")]
        return date.fromisoformat(min(dues)) if dues else None


@dataclass
class AgendaView:
    working: bool  # True: the live working agenda (service staff); False: the latest published version
    version: AgendaVersion | None
    items: list[ItemView]
    hidden: int = 0  # items on the agenda this viewer is not entitled to see
    built: bool = True
    overrun: Overrun | None = None  # the working agenda only: the slots run past the meeting's closing items


def _not_yet_invited(meeting, suggested: dict[int, list[Suggested]]) -> dict[int, list[Suggested]]:
    """Leave out anyone already invited, to the whole meeting or a slot: a slot invitation would narrow a
    whole-meeting invitee to that one child."""
    if not any(suggested.values()):
        return suggested
    invited = {e.lower() for e in meeting.invitees.values_list("email", flat=True)}
    return {child_id: [s for s in found if s.member.contact_email.lower() not in invited]
            for child_id, found in suggested.items()}


def _flag_texts(flags: ChildFlags, panel_kind: str) -> list[str]:
    """The plan's gap in every meeting; the youth-to-adult flags at Y2A panels."""
    texts = [f"Nobody responsible before release for: {', '.join(flags.unowned)}."] if flags.unowned else []
    return texts + ([f.text for f in flags.y2a] if panel_kind == PanelKind.Y2A else [])


def _address_relevant(reasons: list[dict[str, Any]], panel_kind: str, child: Child) -> bool:
    """The release address is said on the item when the rules list it (``RS_ACCOMMODATION``), and at a
    resettlement panel for every sentenced child (confirmed or not)."""
    return any(r.get("code") == "RS_ACCOMMODATION" for r in reasons) or (
        panel_kind == PanelKind.RESETTLEMENT and child.legal_status == LegalStatus.SENTENCED)


def _addresses(children: dict[int, Child], reasons_by_child: dict[int, list[dict[str, Any]]],
               panel_kind: str) -> dict[int, str]:
    wanted = [pk for pk, child in children.items() if _address_relevant(reasons_by_child.get(pk, []), panel_kind,
                                                                        child)]
    return address_words_for_children(wanted) if wanted else {}


def agenda_view_for(*, access: MeetingAccess, published_only: bool = False) -> AgendaView:
    meeting = access.meeting
    viewer = access.viewer
    version = selectors.latest_version(meeting=meeting)
    today = timezone.localdate()
    staff = viewer.is_staff_of(meeting.panel.service_id)
    if staff and not published_only:
        rows = list(meeting.agenda_items.select_related("presenter").prefetch_related("invitations__invitee__agency")
                    .order_by("position"))
        children = {c.pk: c for c in children_with_episodes(Child.objects.filter(pk__in=[r.child_id for r in rows]))}
        flags = resettlement_flags_for_children(children.values(), today=today)
        suggested = _not_yet_invited(meeting, network_suggestions_for_children(children.values(),
                                                                               panel_kind=meeting.panel.kind))
        addresses = _addresses(children, {r.child_id: r.reasons for r in rows}, meeting.panel.kind)
        items = []
        for row in rows:
            child = children[row.child_id]
            items.append(ItemView(
                child_id=child.pk, reference=child.reference, name=child.display_name, state=row.state,
                reasons=row.reasons, late=row.late, slot_start=row.slot_start.strftime("%H:%M") if row.slot_start
                else None, slot_minutes=row.slot_minutes, presenter=str(row.presenter) if row.presenter else None,
                key_dates=upcoming_key_dates(child_to_record(child), today=today, limit=4), item=row,
                flags=_flag_texts(flags[child.pk], meeting.panel.kind), suggested=suggested[child.pk],
                address=addresses.get(child.pk, ""),
            ))
        slots = [(row.slot_start, row.slot_minutes or 0) for row in rows
                 if row.state == AgendaItem.State.LISTED and row.slot_start is not None]
        overrun = slot_overrun(slots=slots, starts_at=timezone.localtime(meeting.starts_at),
                               ends_at=timezone.localtime(meeting.ends_at), opening_minutes=OPENING_MINUTES,
                               closing_minutes=CLOSING_MINUTES)
        return AgendaView(working=True, version=version, items=items, built=bool(rows) or version is not None,
                          overrun=overrun)
    if version is None:
        return AgendaView(working=False, version=None, items=[])
    entries = [e for e in version.items if e["state"] != AgendaItem.State.REMOVED]
    child_ids = [e["child_id"] for e in entries]
    establishments = current_establishments(child_ids)
    allowed = {
        child_id for child_id in child_ids
        if permissions.can_view_child_in_meeting(viewer, service_id=meeting.panel.service_id, child_id=child_id,
                                                 establishment_id=establishments[child_id], can_view_meeting=True)
    }
    children = {c.pk: c for c in children_with_episodes(Child.objects.filter(pk__in=allowed))}
    flags = resettlement_flags_for_children(children.values(), today=today)
    addresses = _addresses(children, {e["child_id"]: e["reasons"] for e in entries}, meeting.panel.kind)
    items = []
    for entry in entries:
        child = children.get(entry["child_id"])
        if child is None:
            continue
        items.append(ItemView(
            child_id=child.pk, reference=child.reference, name=child.display_name, state=entry["state"],
            reasons=entry["reasons"], late=entry["late"], slot_start=entry["slot_start"],
            slot_minutes=entry["slot_minutes"], presenter=entry["presenter"],
            key_dates=upcoming_key_dates(child_to_record(child), today=today, limit=4),
            flags=_flag_texts(flags[child.pk], meeting.panel.kind), address=addresses.get(child.pk, ""),
        ))
    return AgendaView(working=False, version=version, items=items, hidden=len(entries) - len(items))


def pack_pdf(request, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("agendas/pack.html", {**context, "for_pdf": True}, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=True
    )
