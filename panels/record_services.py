"""Writes for the child's resettlement record: network, pathways, plan, own words, Y2A decision (issue 16).

Each write is audited with the child. Callers have already checked the actor may see the child
(``panels.selectors.child_get_for_user``) or manage the service's pathways.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max

from panels import resettlement
from panels.audit import audit_record
from panels.enums import NetworkRole, PlanSetting, TransferDecision
from panels.events import TransferDecided, event_emit
from panels.models import Agency, Child, ChildResettlement, NetworkMember, Pathway, PlanRow, User

WORD_FIELDS = tuple(name for name, _ in resettlement.FOUR_QUESTIONS)


# --- network -------------------------------------------------------------------------------------------------
@transaction.atomic
def network_member_add(*, child: Child, actor: User, role: str, user: User | None = None, name: str = "",
                       email: str = "", phone: str = "", agency: Agency | None = None,
                       attends_remotely: bool = False) -> NetworkMember:
    """Add a user (by account, or found by their email address) or a contact without a login (by name, and an
    email address if invites should reach them)."""
    errors: dict[str, str] = {}
    name, email = name.strip(), email.strip().lower()
    if user is None and email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
    if role not in NetworkRole.values:
        errors["role"] = "Choose the person's role."
    if user is None and not name:
        errors["name"] = "Give the person's name, or choose a user."
    if user is None and email:  # a contact without a login
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Give an email address, like name@example.org."
    if user is not None and NetworkMember.objects.filter(child=child, role=role, user=user).exists():
        errors["user"] = f"{user} is already in the network in that role."
    if errors:
        raise ValidationError(errors)
    member = NetworkMember.objects.create(
        child=child, role=role, user=user, name="" if user else name, email="" if user else email,
        phone=phone.strip(), agency=None if user else agency, attends_remotely=attends_remotely)
    audit_record(actor=actor, action="child.network_added", child=child,
                 detail={"member": member.pk, "role": role, "user": user.pk if user else None})
    return member


@transaction.atomic
def network_member_remove(*, member: NetworkMember, actor: User) -> None:
    child = member.child
    detail = {"member": member.pk, "role": member.role}
    member.delete()
    audit_record(actor=actor, action="child.network_removed", child=child, detail=detail)


# --- pathways ------------------------------------------------------------------------------------------------
@transaction.atomic
def pathways_apply_preset(*, service: Agency, preset: str, actor: User) -> list[Pathway]:
    """Make a preset the service's active set: its pathways are added (or brought back) in order; others are
    retired, not deleted (old plans and actions keep them)."""
    if preset not in resettlement.PATHWAY_PRESETS:
        raise ValidationError({"preset": "Choose a pathway set."})
    names = resettlement.PATHWAY_PRESETS[preset]
    existing = {p.name.casefold(): p for p in Pathway.objects.filter(service=service)}
    kept = []
    for position, name in enumerate(names, start=1):
        pathway = existing.pop(name.casefold(), None) or Pathway(service=service, name=name)
        pathway.position, pathway.is_active = position, True
        pathway.save()
        kept.append(pathway)
    Pathway.objects.filter(pk__in=[p.pk for p in existing.values()]).update(is_active=False)
    audit_record(actor=actor, action="pathways.preset_applied", detail={"service": service.pk, "preset": preset})
    return kept


@transaction.atomic
def pathway_add(*, service: Agency, name: str, actor: User) -> Pathway:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the pathway a name."})
    if Pathway.objects.filter(service=service, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a pathway called {name}."})
    position = (Pathway.objects.filter(service=service).aggregate(m=Max("position"))["m"] or 0) + 1
    pathway = Pathway.objects.create(service=service, name=name, position=position)
    audit_record(actor=actor, action="pathways.added", detail={"service": service.pk, "pathway": pathway.pk})
    return pathway


@transaction.atomic
def pathway_rename(*, pathway: Pathway, name: str, actor: User) -> Pathway:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the pathway a name."})
    if Pathway.objects.filter(service_id=pathway.service_id, name__iexact=name).exclude(pk=pathway.pk).exists():
        raise ValidationError({"name": f"There is already a pathway called {name}."})
    pathway.name = name
    pathway.save(update_fields=["name"])
    audit_record(actor=actor, action="pathways.renamed", detail={"service": pathway.service_id, "pathway": pathway.pk})
    return pathway


@transaction.atomic
def pathway_set_active(*, pathway: Pathway, active: bool, actor: User) -> Pathway:
    pathway.is_active = active
    pathway.save(update_fields=["is_active"])
    audit_record(actor=actor, action="pathways.activated" if active else "pathways.retired",
                 detail={"service": pathway.service_id, "pathway": pathway.pk})
    return pathway


# --- plan ----------------------------------------------------------------------------------------------------
def _plan_errors(child: Child, *, pathway: Pathway | None, setting: str, goal: str,
                 who_member: NetworkMember | None) -> dict[str, str]:
    errors = {}
    if pathway is None or pathway.service_id != child.service_id:
        errors["pathway"] = "Choose a pathway."
    if setting not in PlanSetting.values:
        errors["setting"] = "Choose custody or community."
    if not goal.strip():
        errors["goal"] = "Say what the goal is."
    if who_member is not None and who_member.child_id != child.pk:
        errors["who_member"] = "Choose someone from this child's network."
    return errors


@transaction.atomic
def plan_row_save(*, child: Child, actor: User, row: PlanRow | None = None, pathway: Pathway | None, setting: str,
                  goal: str, how: str = "", who_member: NetworkMember | None = None, who_user: User | None = None,
                  who_agency: Agency | None = None, by_when: date | None = None, progress: str = "") -> PlanRow:
    """Add a plan row (``row=None``) or change one."""
    errors = _plan_errors(child, pathway=pathway, setting=setting, goal=goal, who_member=who_member)
    if errors or pathway is None:  # (_plan_errors names a missing pathway)
        raise ValidationError(errors)
    row = row or PlanRow(child=child)
    if row.child_id != child.pk:
        raise ValidationError({"row": "That plan row belongs to another child."})
    creating = row.pk is None
    row.pathway, row.setting, row.goal, row.how = pathway, setting, goal.strip(), how.strip()
    row.who_member, row.who_user, row.who_agency = who_member, who_user, who_agency
    row.by_when, row.progress = by_when, progress.strip()
    row.save()
    audit_record(actor=actor, action="child.plan_row_added" if creating else "child.plan_row_changed", child=child,
                 detail={"row": row.pk, "pathway": pathway.pk})
    return row


@transaction.atomic
def plan_row_remove(*, row: PlanRow, actor: User) -> None:
    child, detail = row.child, {"row": row.pk, "pathway": row.pathway_id}
    row.delete()
    audit_record(actor=actor, action="child.plan_row_removed", child=child, detail=detail)


@transaction.atomic
def child_words_set(*, child: Child, actor: User, **words: str) -> ChildResettlement:
    """The child's own words: the four questions."""
    unknown = set(words) - set(WORD_FIELDS)
    if unknown:
        raise ValidationError({"words": f"Unknown questions: {', '.join(sorted(unknown))}"})
    record, _ = ChildResettlement.objects.get_or_create(child=child)
    for name, value in words.items():
        setattr(record, name, value.strip())
    record.save()
    audit_record(actor=actor, action="child.words_changed", child=child, detail={"fields": sorted(words)})
    return record


# --- Y2A -----------------------------------------------------------------------------------------------------
@transaction.atomic
def transfer_decision_set(*, child: Child, actor: User, decision: str | None, reason: str) -> Child:
    """Record the transfer-or-retain decision with its reason (required to retain: Camden appendix 7)."""
    reason = reason.strip()
    if decision not in (None, "", *TransferDecision.values):
        raise ValidationError({"decision": "Choose transfer, retain or undecided."})
    if decision == TransferDecision.RETAIN and not reason:
        raise ValidationError({"reason": "Give the reason for retaining the case in the youth justice service."})
    child.transfer_decision = decision or None
    child.save(update_fields=["transfer_decision", "updated_at"])
    record, _ = ChildResettlement.objects.get_or_create(child=child)
    record.transfer_reason = reason
    record.save(update_fields=["transfer_reason", "updated_at"])
    audit_record(actor=actor, action="child.transfer_decision_set", child=child, detail={"decision": decision})
    # the agenda rules read the decision (a retained case leaves the transfer items): rebuild, as after an import
    event_emit(TransferDecided(service_id=child.service_id, child_id=child.pk))
    return child
