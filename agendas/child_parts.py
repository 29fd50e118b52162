"""What the agenda rules say on the child's pages (panels.page_parts.child_page_part): by when the release address
should be confirmed (``RS_ACCOMMODATION``, a ``watch`` reason) and the ETE interview held (``ED_RELEASE_ETE``),
and whether that is late today. The rules engine decides, with the settings of the service's resettlement and
education panels (the defaults when it has none): the page says exactly what the agendas say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agendas.rules import ChildFacts, RuleSettings, reasons_for_child
from agendas.services import panel_rule_settings, working_calendar
from panels.enums import PanelKind
from panels.models import Panel


@dataclass(frozen=True)
class Timescale:
    code: str
    from_on: date  # discussed from (watch) or counted from (after)
    due: date
    late: bool  # today is after the due date and the reason still holds


def _settings_by_kind(service_id: int, kinds: tuple[str, ...]) -> dict[str, RuleSettings]:
    """The settings of the service's first active panel of each kind (the defaults without one). One query."""
    found: dict[str, RuleSettings] = {}
    for panel in Panel.objects.filter(service_id=service_id, kind__in=kinds, is_active=True).order_by("pk"):
        found.setdefault(panel.kind, panel_rule_settings(panel))
    return {kind: found.get(kind) or RuleSettings() for kind in kinds}


def release_timescales(*, record: dict[str, Any], service_id: int, today: date) -> dict[str, Timescale]:
    """``RS_ACCOMMODATION`` and ``ED_RELEASE_ETE`` of one child, when the rules give them (a reason that has ended,
    because the address is confirmed or the interview recorded, is absent). One query."""
    facts = ChildFacts.from_record(record)
    found: dict[str, Timescale] = {}
    codes = {PanelKind.RESETTLEMENT.value: "RS_ACCOMMODATION", PanelKind.EDUCATION.value: "ED_RELEASE_ETE"}
    for kind, settings in _settings_by_kind(service_id, tuple(codes)).items():
        code = codes[kind]
        for reason in reasons_for_child(facts, kind=kind, settings=settings,
                                        calendar=working_calendar()):
            if reason.code == code and reason.eligible is not None and reason.due is not None:
                found[code] = Timescale(code, reason.eligible, reason.due, late=today > reason.due)
    return found


def release_part(*, child, record, today) -> dict[str, Any]:
    return {"release_timescales": release_timescales(record=record, service_id=child.service_id, today=today)}
