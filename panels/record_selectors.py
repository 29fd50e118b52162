"""Reads for the child's resettlement record: network, pathways, plan, own words, Y2A (issue 16).

Callers reach the child through ``panels.selectors.child_get_for_user`` (need to know) first; these functions
take the child (or children) they are given and never widen who sees what.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from panels import resettlement
from panels.enums import NetworkRole, PlanSetting
from panels.models import Child, ChildResettlement, NetworkMember, Pathway, PlanRow
from panels.records import child_to_record


def network_for_child(*, child: Child) -> list[NetworkMember]:
    return list(NetworkMember.objects.filter(child=child).select_related("user", "user__agency", "agency")
                .order_by("role", "id"))


def pathways_for_service(*, service_id: int, active_only: bool = True) -> QuerySet[Pathway]:
    qs = Pathway.objects.filter(service_id=service_id)
    return qs.filter(is_active=True) if active_only else qs


def resettlement_for(child: Child) -> ChildResettlement:
    """The child's record data outside the cohort file (unsaved and empty if none yet)."""
    found = ChildResettlement.objects.filter(child=child).first()
    return found or ChildResettlement(child=child)


@dataclass
class PathwayPlan:
    pathway: Pathway
    custody: list[PlanRow] = field(default_factory=list)
    community: list[PlanRow] = field(default_factory=list)
    unowned: bool = False


@dataclass
class ResettlementView:
    child: Child
    network: list[NetworkMember]
    pathways: list[PathwayPlan]
    words: ChildResettlement
    unowned: list[str]
    y2a_flags: list[resettlement.Flag]
    probation_officer: NetworkMember | None


def _release(record) -> tuple[date | None, bool]:
    return (record.get("early_release_date") or record.get("release_date"),
            bool(record.get("actual_release_date")))


def resettlement_view(*, child: Child, today: date) -> ResettlementView:
    """Everything the child page and plan page show of the resettlement record, in four queries."""
    network = network_for_child(child=child)
    pathways = list(Pathway.objects.filter(service_id=child.service_id).order_by("position", "id"))
    rows = list(PlanRow.objects.filter(child=child).select_related("who_member__user", "who_user", "who_agency")
                .order_by("setting", "by_when", "id"))
    words = resettlement_for(child)
    used = {r.pathway_id for r in rows}
    plans = {p.pk: PathwayPlan(p) for p in pathways if p.is_active or p.pk in used}
    for row in rows:
        (plans[row.pathway_id].custody if row.setting == PlanSetting.CUSTODY
         else plans[row.pathway_id].community).append(row)
    record = child_to_record(child)
    release_date, released = _release(record)
    unowned = resettlement.pathways_without_owner(
        [(p.pathway.pk, p.pathway.name) for p in plans.values() if p.pathway.is_active],
        [resettlement.PlanRowFact(r.pathway_id, r.setting, r.has_owner, r.by_when) for r in rows],
        release_date=release_date, released=released,
    )
    for plan in plans.values():
        plan.unowned = plan.pathway.name in unowned
    officer = next((m for m in network if m.role == NetworkRole.PROBATION_OFFICER), None)
    flags = resettlement.y2a_flags(record, transfer_reason=words.transfer_reason,
                                   has_probation_officer=officer is not None, today=today)
    return ResettlementView(child=child, network=network, pathways=list(plans.values()), words=words,
                            unowned=unowned, y2a_flags=flags, probation_officer=officer)


# --- for agendas: many children at once, a constant number of queries ---------------------------------------------
@dataclass(frozen=True)
class ChildFlags:
    unowned: list[str]
    y2a: list[resettlement.Flag]


def resettlement_flags_for_children(children: Iterable[Child], *, today: date) -> dict[int, ChildFlags]:
    """Per child (with ``current_episodes`` loaded): pathways with nobody responsible before release and the Y2A
    flags. Four queries whatever the number of children."""
    children = list(children)
    ids = [c.pk for c in children]
    pathways_by_service: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, service_id, name in (Pathway.objects.filter(service_id__in={c.service_id for c in children},
                                                        is_active=True)
                                 .order_by("position", "id").values_list("pk", "service_id", "name")):
        pathways_by_service[service_id].append((pk, name))
    facts: dict[int, list[resettlement.PlanRowFact]] = defaultdict(list)
    for row in PlanRow.objects.filter(child_id__in=ids).values(
            "child_id", "pathway_id", "setting", "by_when", "who_member_id", "who_user_id", "who_agency_id"):
        facts[row["child_id"]].append(resettlement.PlanRowFact(
            row["pathway_id"], row["setting"],
            bool(row["who_member_id"] or row["who_user_id"] or row["who_agency_id"]), row["by_when"]))
    reasons = dict(ChildResettlement.objects.filter(child_id__in=ids).values_list("child_id", "transfer_reason"))
    with_officer = set(NetworkMember.objects.filter(child_id__in=ids, role=NetworkRole.PROBATION_OFFICER)
                       .values_list("child_id", flat=True))
    found = {}
    for child in children:
        record = child_to_record(child)
        release_date, released = _release(record)
        found[child.pk] = ChildFlags(
            unowned=resettlement.pathways_without_owner(pathways_by_service[child.service_id], facts[child.pk],
                                                        release_date=release_date, released=released),
            y2a=resettlement.y2a_flags(record, transfer_reason=reasons.get(child.pk, ""),
                                       has_probation_officer=child.pk in with_officer, today=today),
        )
    return found


@dataclass(frozen=True)
class Suggested:
    member: NetworkMember
    reason: str


def network_suggestions_for_children(children: Iterable[Child], *, panel_kind: str | None = None,
                                     meeting_kind: str | None = None) -> dict[int, list[Suggested]]:
    """The network members to suggest inviting for each child's slot on a panel of ``panel_kind`` (or, once child
    meetings exist, a child meeting of ``meeting_kind``, see ``resettlement.MeetingKind``). One query."""
    by_pk = {c.pk: c for c in children}
    members: dict[int, list[NetworkMember]] = defaultdict(list)
    for member in (NetworkMember.objects.filter(child_id__in=list(by_pk))
                   .select_related("user", "user__agency", "agency").order_by("role", "id")):
        members[member.child_id].append(member)
    found: dict[int, list[Suggested]] = {}
    for child_id, child in by_pk.items():
        by_id = {m.pk: m for m in members[child_id]}
        found[child_id] = [
            Suggested(by_id[s.member_id], s.reason)
            for s in resettlement.network_suggestions(
                [(m.pk, m.role) for m in members[child_id]], looked_after=child.looked_after, ehcp=child.ehcp,
                panel_kind=panel_kind, meeting_kind=meeting_kind)
            if by_id[s.member_id].contact_email
        ]
    return found
