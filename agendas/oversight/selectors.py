"""Reads for the oversight reports: who may read them, and every child of a service as a ``ChildRow``.

A constant number of queries whatever the number of children (tests/agendas/test_oversight_views.py guards it;
bench/oversight_bench.py times it over 10,000 children).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Q, Subquery, Value
from django.http import Http404

from agendas.oversight.aggregate import ChildRow
from agendas.rules import RuleSettings
from agendas.selectors import FACT_CHILD_COLUMNS, FACT_EPISODE_COLUMNS, rule_facts
from agendas.statutory import KIND_OF_CODE, StatutoryFacts, statutory_requirements
from agendas.workdays import WorkingCalendar
from panels import geography, permissions
from panels import selectors as panel_selectors
from panels.enums import AgencyKind, EpisodeKind, MembershipRole, NetworkRole
from panels.models import (
    Agency,
    Child,
    ChildResettlement,
    LegalEpisode,
    NetworkMember,
    Panel,
    Pathway,
    PlanRow,
    ReleaseAddressChange,
    ReleaseEte,
)
from panels.permissions import Viewer

# after the rule facts' columns (agendas.selectors.FACT_CHILD_COLUMNS), what only the reports read
REPORT_CHILD_COLUMNS = ("gender", "ethnicity", "looked_after", "ehcp", "case_manager__first_name",
                        "case_manager__last_name", "case_manager__username")


@dataclass(frozen=True)
class ReportScope:
    """The service whose reports a viewer reads, and the panels of it (names by kind, settings by kind)."""

    service: Agency
    viewer: Viewer
    panel_names: dict[str, str]
    settings: dict[str, RuleSettings]
    updating_since: datetime | None = None  # the rows were made then; newer ones are being computed

    def panel_of(self, code: str) -> str:
        return self.panel_names.get(KIND_OF_CODE[code], "No panel of this kind")


def report_scope_for(*, user) -> ReportScope:
    """The service whose reports ``user`` may read (``permissions.can_view_reports``), or 404. Two queries."""
    viewer = Viewer.of(user)
    if not viewer.is_authenticated:
        raise Http404("No such page")
    roles = list(Panel.objects.filter(
        Q(strategic_lead_id=viewer.id) | Q(memberships__user_id=viewer.id, memberships__role=MembershipRole.CHAIR),
        is_active=True).values_list("service_id", flat=True).distinct())
    service_id = viewer.agency_id if viewer.is_service_staff else (min(roles) if roles else None)
    if service_id is None or not permissions.can_view_reports(
            viewer, service_id=service_id, leads_or_chairs_a_panel=service_id in roles):
        raise Http404("No such page")
    return service_scope(Agency.objects.get(pk=service_id, kind=AgencyKind.YJS), viewer=viewer)


def service_scope(service: Agency, *, viewer: Viewer = permissions.ANONYMOUS) -> ReportScope:
    """The service's panels (names and rule settings by kind) for its reports; one query. The background rebuild
    (agendas/oversight/snapshots.py) reads it with no viewer: what it computes is the same for every reader."""
    names: dict[str, str] = {}
    settings: dict[str, RuleSettings] = {}
    for panel in Panel.objects.filter(service_id=service.pk, is_active=True).order_by("pk"):
        if panel.kind not in names:  # a service with two panels of one kind: the older one oversees
            names[panel.kind] = panel.name
            parsed, _errors = RuleSettings.from_dict(panel.rule_settings or {})
            settings[panel.kind] = parsed or RuleSettings()
    return ReportScope(service, viewer, names, settings)


def address_confirmed_on(child_ids: Iterable[int]) -> dict[int, date | None]:
    """The day each child's release address was confirmed (the address history, panels.selectors)."""
    return panel_selectors.release_addresses_confirmed_on(child_ids)


def child_rows(*, scope: ReportScope, calendar: WorkingCalendar) -> list[ChildRow]:
    """Every child of the service (closed cases too: their requirements are history) with their statutory
    requirements. Eight queries whatever their number; rule facts from row tuples (``agendas.selectors.rule_facts``,
    as the agenda builds read them)."""
    service_id = scope.service.pk
    remands: dict[int, tuple] = {}
    sentences: dict[int, tuple] = {}
    for episode in (LegalEpisode.objects.filter(is_current=True, child__service_id=service_id)
                    .values_list(*FACT_EPISODE_COLUMNS, "establishment__name", "establishment__latitude",
                                 "establishment__longitude")):
        (sentences if episode[1] == EpisodeKind.SENTENCE else remands)[episode[0]] = episode
    officers = {child_id: name or " ".join(filter(None, (first, last))) or None
                for child_id, name, first, last in NetworkMember.objects.filter(
                    child__service_id=service_id, role=NetworkRole.PROBATION_OFFICER)
                .order_by("child_id", "-pk").values_list("child_id", "name", "user__first_name", "user__last_name")}
    reasons = dict(ChildResettlement.objects.filter(child__service_id=service_id)
                   .values_list("child_id", "transfer_reason"))
    pathways = Pathway.objects.filter(service_id=service_id, is_active=True).count()
    planned = dict(PlanRow.objects.filter(child__service_id=service_id, pathway__is_active=True)
                   .values("child_id").annotate(n=Count("pathway", distinct=True)).values_list("child_id", "n"))
    ete = {c: (k, s) for c, k, s in ReleaseEte.objects.filter(child__service_id=service_id)
           .values_list("child_id", "kind", "starts_on")}
    children = list(Child.objects.filter(service_id=service_id).order_by("reference")
                    .values_list(*FACT_CHILD_COLUMNS, *REPORT_CHILD_COLUMNS))
    confirmed = address_confirmed_on(row[0] for row in children)
    extra = len(FACT_CHILD_COLUMNS)
    home = geography.point(scope.service.latitude, scope.service.longitude)  # the service's area is the home
    rows = []
    for row in children:
        child_id, reference, given_name, preferred_name, family_name = row[:5]
        gender, ethnicity, looked_after, ehcp, first, last, username = row[extra:]
        remand, sentence = remands.get(child_id), sentences.get(child_id)
        facts = rule_facts(row, remand, sentence)
        custody = sentence or remand
        address_on = confirmed.get(child_id)
        requirements = statutory_requirements(StatutoryFacts(facts, address_confirmed_on=address_on),
                                              calendar=calendar, settings=scope.settings)
        ete_kind, ete_starts = ete.get(child_id, (None, None))
        rows.append(ChildRow(
            id=child_id, reference=reference, name=f"{preferred_name or given_name} {family_name}", facts=facts,
            requirements=tuple(requirements), gender=gender, ethnicity=ethnicity, looked_after=looked_after,
            ehcp=ehcp, establishment=custody[-3] if custody else None,
            distance_miles=geography.distance_from_home(home, geography.point(*custody[-2:]) if custody else None),
            case_manager=" ".join(filter(None, (first, last))) or username,
            address_confirmed_on=address_on, ete_kind=ete_kind or None, ete_starts_on=ete_starts,
            probation_officer=officers.get(child_id), transfer_reason=reasons.get(child_id, ""),
            pathways_planned=planned.get(child_id, 0), pathways=pathways,
        ))
    return rows


visible_child_ids = panel_selectors.child_ids_visible_to


# --- what the rows were made from (agendas/oversight/snapshots.py stores them per service) ----------------------
def _latest(qs, expression) -> Subquery:
    return Subquery(qs.order_by().annotate(one=Value(1)).values("one").annotate(v=expression).values("v")[:1])


def data_stamp(*, service_id: int) -> tuple:
    """What the rows were made from, in one query: it changes when anything they read changes."""
    own = {"child__service_id": service_id}
    parts = {
        "children": _latest(Child.objects.filter(service_id=service_id), Count("pk")),
        "children_changed": _latest(Child.objects.filter(service_id=service_id), Max("updated_at")),
        "episodes": _latest(LegalEpisode.objects.filter(**own), Count("pk")),
        "episodes_last": _latest(LegalEpisode.objects.filter(**own), Max("pk")),
        "addresses": _latest(ReleaseAddressChange.objects.filter(**own), Max("pk")),
        "addresses_n": _latest(ReleaseAddressChange.objects.filter(**own), Count("pk")),
        "ete": _latest(ReleaseEte.objects.filter(**own), Max("updated_at")),
        "ete_n": _latest(ReleaseEte.objects.filter(**own), Count("pk")),
        "plans": _latest(PlanRow.objects.filter(**own), Max("updated_at")),
        "plans_n": _latest(PlanRow.objects.filter(**own), Count("pk")),
        "network": _latest(NetworkMember.objects.filter(**own), Max("pk")),
        "network_n": _latest(NetworkMember.objects.filter(**own), Count("pk")),
        "resettlement": _latest(ChildResettlement.objects.filter(**own), Max("updated_at")),
        "pathways": _latest(Pathway.objects.filter(service_id=service_id, is_active=True), Count("pk")),
    }
    named = {f"stamp_{name}": expression for name, expression in parts.items()}  # clear of the model's fields
    row = Agency.objects.filter(pk=service_id).annotate(**named).values_list(*named).first()
    return tuple(row or ())
