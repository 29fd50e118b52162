"""Pages of the child's resettlement record: the network, the plan by pathway, the Y2A decision; the service's
pathway set. Thin: parse, select (need to know: ``child_get_for_user``), call a service, render. Every read of a
child's record is audited with the child."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from panels import record_selectors, record_services, resettlement, selectors
from panels.audit import audit_record
from panels.forms import REFUSED, error_text, form_error_text, form_submit
from panels.models import NetworkMember, Pathway, PlanRow
from panels.permissions import Viewer, can_manage_own_service
from panels.record_forms import (
    ChildWordsForm,
    NetworkMemberForm,
    PathwayAddForm,
    PathwayPresetForm,
    PathwayRenameForm,
    PlanRowForm,
    TransferDecisionForm,
)

PLAN_AUDIENCES = [(key, "for the network" if key == "full" else "for the family")
                  for key in resettlement.PLAN_AUDIENCES]


@login_required
@require_http_methods(["GET", "POST"])
def child_network(request, child_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    form = NetworkMemberForm(request.POST or None)
    if request.method == "POST":
        member = form_submit(form, lambda data: record_services.network_member_add(
            child=child, actor=request.user, **data))
        if member is not REFUSED:
            messages.success(request, f"{member.display_name} added to the network.")
            return redirect("child_network", child_id=child.pk)
    audit_record(actor=request.user, action="child.network_viewed", child=child, request=request)
    return render(request, "panels/child_network.html", {
        "child": child, "network": record_selectors.network_for_child(child=child), "form": form,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def child_network_remove(request, child_id: int, member_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    member = get_object_or_404(NetworkMember, pk=member_id, child=child)
    record_services.network_member_remove(member=member, actor=request.user)
    messages.success(request, f"{member.display_name} removed from the network.")
    return redirect("child_network", child_id=child.pk)


def _plan_page(request, child, *, form=None, words_form=None, y2a_form=None, status=200):
    view = record_selectors.resettlement_view(child=child, today=timezone.localdate())
    audit_record(actor=request.user, action="child.plan_viewed", child=child, request=request)
    words = view.words
    return render(request, "panels/child_plan.html", {
        "child": child, "view": view, "questions": resettlement.FOUR_QUESTIONS, "plan_audiences": PLAN_AUDIENCES,
        "page_has_errors": status == 400,
        "form": form or PlanRowForm(child=child),
        "words_form": words_form or ChildWordsForm(initial={n: getattr(words, n) for n, _ in
                                                            resettlement.FOUR_QUESTIONS}),
        "y2a_form": y2a_form or TransferDecisionForm(initial={"decision": child.transfer_decision or "",
                                                               "reason": words.transfer_reason}),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def child_plan(request, child_id: int):
    """The resettlement plan by pathway, with the child's own words; POST adds a plan row."""
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    if request.method == "GET":
        return _plan_page(request, child)
    form = PlanRowForm(request.POST, child=child)
    done = form_submit(form, lambda data: record_services.plan_row_save(child=child, actor=request.user, **data))
    if done is not REFUSED:
        messages.success(request, "Plan row added.")
        return redirect("child_plan", child_id=child.pk)
    return _plan_page(request, child, form=form, status=400)


@login_required
@require_POST
def child_plan_row(request, child_id: int, row_id: int):
    """Change a plan row (its form's Remove button posts to ``child_plan_row_remove`` instead)."""
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    row = get_object_or_404(PlanRow, pk=row_id, child=child)
    form = PlanRowForm(request.POST, child=child)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("child_plan", child_id=child.pk)
    try:
        record_services.plan_row_save(child=child, actor=request.user, row=row, **form.cleaned_data)
        messages.success(request, "Plan row saved.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("child_plan", child_id=child.pk)


@login_required
@require_POST
def child_plan_row_remove(request, child_id: int, row_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    row = get_object_or_404(PlanRow, pk=row_id, child=child)
    record_services.plan_row_remove(row=row, actor=request.user)
    messages.success(request, "Plan row removed.")
    return redirect("child_plan", child_id=child.pk)


@login_required
@require_POST
def child_words(request, child_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    form = ChildWordsForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, child, words_form=form, status=400)
    record_services.child_words_set(child=child, actor=request.user, **form.cleaned_data)
    messages.success(request, "The child's own words saved.")
    return redirect("child_plan", child_id=child.pk)


@login_required
@require_POST
def child_transfer_decision(request, child_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    form = TransferDecisionForm(request.POST)
    done = form_submit(form, lambda data: record_services.transfer_decision_set(
        child=child, actor=request.user, decision=data["decision"] or None, reason=data["reason"]))
    if done is not REFUSED:
        messages.success(request, "Transfer decision recorded.")
        return redirect("child_plan", child_id=child.pk)
    return _plan_page(request, child, y2a_form=form, status=400)


# --- the service's pathway set: managers and coordinators (can_manage_own_service); anyone else gets 404 ---------
def _managed_service(request):
    if not can_manage_own_service(Viewer.of(request.user)):
        raise Http404("No such page")
    return request.user.agency


def _pathway_page(request, service, *, add_form=None, preset_form=None, status=200):
    return render(request, "panels/pathway_list.html", {
        "pathways": list(record_selectors.pathways_for_service(service_id=service.pk, active_only=False)),
        "add_form": add_form or PathwayAddForm(), "preset_form": preset_form or PathwayPresetForm(),
    }, status=status)


def _managed_pathway(request, pathway_id: int) -> Pathway:
    return get_object_or_404(Pathway, pk=pathway_id, service=_managed_service(request))


@login_required
@require_http_methods(["GET", "POST"])
def pathway_list(request):
    """The service's pathways; POST adds one. A preset, a new name and retiring have their own addresses."""
    service = _managed_service(request)
    if request.method == "GET":
        return _pathway_page(request, service)
    form = PathwayAddForm(request.POST)
    if form_submit(form, lambda data: record_services.pathway_add(
            service=service, name=data["name"], actor=request.user)) is not REFUSED:
        messages.success(request, "Pathway added.")
        return redirect("pathway_list")
    return _pathway_page(request, service, add_form=form, status=400)


@login_required
@require_POST
def pathway_preset(request):
    """Start from Enfield's 9 or Camden's 7: the preset's pathways are made active, the others retired."""
    service = _managed_service(request)
    form = PathwayPresetForm(request.POST)
    if form_submit(form, lambda data: record_services.pathways_apply_preset(
            service=service, preset=data["preset"], actor=request.user)) is not REFUSED:
        messages.success(request, "Pathway set applied.")
        return redirect("pathway_list")
    return _pathway_page(request, service, preset_form=form, status=400)


@login_required
@require_POST
def pathway_rename(request, pathway_id: int):
    """A new name for a pathway; a refusal is said at the top of the list (the name as it was stays)."""
    pathway = _managed_pathway(request, pathway_id)
    form = PathwayRenameForm(request.POST)
    if form_submit(form, lambda data: record_services.pathway_rename(
            pathway=pathway, name=data["name"], actor=request.user)) is REFUSED:
        messages.error(request, f"{pathway.name} was not renamed: {form_error_text(form)}")
    else:
        messages.success(request, "Pathway renamed.")
    return redirect("pathway_list")


@login_required
@require_POST
def pathway_active(request, pathway_id: int):
    """Retire a pathway (``active=0``: it stays on the plans and actions that use it) or bring it back."""
    pathway = _managed_pathway(request, pathway_id)
    active = request.POST.get("active") == "1"
    record_services.pathway_set_active(pathway=pathway, active=active, actor=request.user)
    messages.success(request, f"{pathway.name} {'brought back' if active else 'retired'}.")
    return redirect("pathway_list")
