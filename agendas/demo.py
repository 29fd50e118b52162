"""Demo agendas: a realistic history (past meetings held with their agendas) and published next meetings."""

from __future__ import annotations

from django.utils import timezone

from agendas import selectors
from agendas.services import agenda_assign_slots, agenda_build, agenda_publish, agendas_rebuild_upcoming
from panels.enums import MeetingStatus, MembershipRole
from panels.models import Panel, PanelMembership


def _chairs() -> dict[int, object]:
    return {m.panel_id: m.user for m in PanelMembership.objects.filter(role=MembershipRole.CHAIR)
            .select_related("user")}


def hold_demo_history() -> int:
    """Hold every past draft meeting in date order: build its agenda as of that day, publish, close."""
    chairs, held = _chairs(), 0
    for panel in Panel.objects.filter(is_active=True, pk__in=chairs):
        for meeting in panel.meetings.filter(starts_at__lt=timezone.now(), status=MeetingStatus.DRAFT) \
                .order_by("starts_at"):
            agenda_build(meeting=meeting, today=meeting.local_date)
            if meeting.agenda_items.exists():
                agenda_publish(meeting=meeting, actor=chairs[panel.pk], note="Demo history.")
            meeting.status = MeetingStatus.CLOSED
            meeting.save(update_fields=["status"])
            held += 1
    return held


def publish_demo_agendas() -> int:
    """Rebuild the agendas to come and publish each panel's next meeting, with slots."""
    chairs, published = _chairs(), 0
    for panel in Panel.objects.filter(is_active=True, pk__in=chairs):
        agendas_rebuild_upcoming(panel=panel)
        upcoming = selectors.meetings_not_held(panel=panel, today=timezone.localdate())
        if not upcoming:
            continue
        meeting = upcoming[0]
        if meeting.status == MeetingStatus.SCHEDULED and not meeting.agenda_versions.exists():
            agenda_assign_slots(meeting=meeting, actor=chairs[panel.pk])
            agenda_publish(meeting=meeting, actor=chairs[panel.pk], note="First version.")
            published += 1
    return published
