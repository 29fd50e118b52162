"""Which statutory requirements of which children are missed today: the escalation ladder's input.

The requirements, their due dates and their met dates come from one place, ``agendas.statutory`` (the same
timescales the agendas and the timeliness reports use); this module only reads the children from the
database (a few queries per service, whatever its size) and keeps what is past due with nothing recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from agendas.rules import RuleSettings
from agendas.selectors import cohort_facts
from agendas.services import working_calendar
from agendas.statutory import TITLES, StatutoryFacts, statutory_requirements
from panels.enums import AgencyKind
from panels.models import Agency, Panel
from panels.selectors import release_addresses_confirmed_on


@dataclass(frozen=True)
class Missed:
    code: str
    label: str
    due: date


def _settings_by_kind(service_id: int) -> dict[str, RuleSettings]:
    """The rule settings of the service's first active panel of each kind (what holds its timescales)."""
    found: dict[str, RuleSettings] = {}
    for kind, data in Panel.objects.filter(service_id=service_id, is_active=True).order_by("id").values_list(
            "kind", "rule_settings"):
        if kind not in found:
            settings, _ = RuleSettings.from_dict(data or {})
            found[kind] = settings or RuleSettings()
    return found


def missed_requirements(*, today: date) -> dict[int, list[Missed]]:
    """Per open child (by id): the statutory requirements past their due date with nothing recorded."""
    calendar = working_calendar()
    out: dict[int, list[Missed]] = {}
    for service_id in Agency.objects.filter(kind=AgencyKind.YJS).values_list("id", flat=True):
        facts, _ = cohort_facts(service_id=service_id)
        if not facts:
            continue
        settings = _settings_by_kind(service_id)
        confirmed = release_addresses_confirmed_on(list(facts))  # the address history (issue 16.4)
        for child_id, child in facts.items():
            requirements = statutory_requirements(
                StatutoryFacts(child, address_confirmed_on=confirmed.get(child_id)), calendar=calendar,
                settings=settings)
            missed = [Missed(r.code, TITLES[r.code], r.due) for r in requirements
                      if r.met_on is None and today > r.due]
            if missed:
                out[child_id] = missed
    return out
