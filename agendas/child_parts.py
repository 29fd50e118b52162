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


def _settings(service_id: int, kind: str) -> RuleSettings:
    panel = Panel.objects.filter(service_id=service_id, kind=kind, is_active=True).order_by("pk").first()
    return panel_rule_settings(panel) if panel is not None else RuleSettings()


def release_timescales(*, record: dict[str, Any], service_id: int, today: date) -> dict[str, Timescale]:
    """``RS_ACCOMMODATION`` and ``ED_RELEASE_ETE`` of one child, when the rules give them (a reason that has ended,
    because the address is confirmed or the interview recorded, is absent). Two queries."""
    facts = ChildFacts.from_record(record)
    found: dict[str, Timescale] = {}
    for kind, code in ((PanelKind.RESETTLEMENT, "RS_ACCOMMODATION"), (PanelKind.EDUCATION, "ED_RELEASE_ETE")):
        for reason in reasons_for_child(facts, kind=kind, settings=_settings(service_id, kind),
                                        calendar=working_calendar()):
            if reason.code == code and reason.eligible is not None and reason.due is not None:
                found[code] = Timescale(code, reason.eligible, reason.due, late=today > reason.due)
    return found


def release_part(*, child, record, today) -> dict[str, Any]:
    return {"release_timescales": release_timescales(record=record, service_id=child.service_id, today=today)}
