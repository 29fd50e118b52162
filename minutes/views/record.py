"""The live minutes page: text per item and section, and its forms for decisions, actions, attendance and
next reviews (each saved through one service, then back to the page).

Who may see it: anyone who may see the meeting (``meeting_get_for_user``; others get 404); once minutes are
approved, only the chair and coordinator (others are sent to the approved record). The forms: those who may
write the minutes now (``minutes_editor``). Reading the page audits each child on it.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from minutes import services
from minutes.access import can_write_minutes
from minutes.forms import ActionForm, AttendanceForm, DecisionForm, ReviewForm
from minutes.models import CorrectionRequest
from minutes.selectors import action_owner_choices, minutes_view
from minutes.views.common import agenda_child, done, editable
from panels.audit import audit_children_read
from panels.forms import form_error_text
from panels.models import Agency, User
from panels.record_selectors import pathways_for_service
from panels.selectors import meeting_get_for_user


@login_required
@require_GET
def minutes_page(request, meeting_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    revision = access.meeting.minutes_revisions.select_related("approved_by").order_by("-number").first()
    if revision is not None and not access.can_manage:
        return redirect("minutes_approved", meeting_id=meeting_id)  # others read only what was approved
    items, editor = minutes_view(access)
    audit_children_read(actor=request.user, action="minutes.viewed", children=items, meeting=access.meeting,
                        request=request)
    agencies = Agency.objects.order_by("name")
    open_corrections = list(CorrectionRequest.objects.filter(
        revision__meeting=access.meeting, status=CorrectionRequest.Status.OPEN).select_related(
        "requested_by", "agency")) if access.can_manage and revision else []
    return render(request, "minutes/minutes.html", {
        "open_corrections": open_corrections, "timedelta": timedelta,
        "meeting": access.meeting, "access": access, "items": items, "editor": editor, "revision": revision,
        "writable": can_write_minutes(access), "agencies": agencies,
        "pathways": list(pathways_for_service(service_id=access.meeting.panel.service_id)),
        "owners": action_owner_choices(meeting=access.meeting) if can_write_minutes(access) else [],
        "user_json": {"id": request.user.pk, "name": request.user.get_full_name() or request.user.username},
    })


@login_required
@require_POST
def decision_add(request, meeting_id: int):
    access = editable(request, meeting_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the decision.")
        return redirect("minutes_page", meeting_id=meeting_id)
    child = agenda_child(access, form.cleaned_data["child"])
    return done(request, meeting_id, lambda: services.decision_record(
        meeting=access.meeting, actor=request.user, text=form.cleaned_data["text"], child=child), "Decision recorded.")


@login_required
@require_POST
def action_add(request, meeting_id: int):
    access = editable(request, meeting_id)
    form = ActionForm(request.POST, agencies=Agency.objects.all(), people=User.objects.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, "Check the action: " + form_error_text(form))
        return redirect("minutes_page", meeting_id=meeting_id)
    data = form.cleaned_data
    child = agenda_child(access, data["child"])
    return done(request, meeting_id, lambda: services.action_create(
        meeting=access.meeting, actor=request.user, description=data["description"], owner_agency=data["owner_agency"],
        owner=data["owner"], due_date=data["due_date"], pathway=data["pathway"], child=child,
        resettlement_pathway=_pathway(access, data["resettlement_pathway"])), "Action recorded.")


def _pathway(access, pathway_id):
    """One of the meeting's service's pathways, or None; another service's pathway is as good as none."""
    if not pathway_id:
        return None
    return pathways_for_service(service_id=access.meeting.panel.service_id, active_only=False).filter(
        pk=pathway_id).first()


@login_required
@require_POST
def attendance_add(request, meeting_id: int):
    access = editable(request, meeting_id)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a name and an attendance status.")
        return redirect("minutes_page", meeting_id=meeting_id)
    child = agenda_child(access, form.cleaned_data["child"])
    return done(request, meeting_id, lambda: services.attendance_set(
        meeting=access.meeting, actor=request.user, name=form.cleaned_data["name"],
        status=form.cleaned_data["status"], child=child), "Attendance recorded.")


@login_required
@require_POST
def review_set(request, meeting_id: int):
    access = editable(request, meeting_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the next review date as YYYY-MM-DD.")
        return redirect("minutes_page", meeting_id=meeting_id)
    child = agenda_child(access, form.cleaned_data["child"])
    if child is None:
        raise Http404("No such item")
    return done(request, meeting_id, lambda: services.next_review_set(
        meeting=access.meeting, actor=request.user, child=child, review_by=form.cleaned_data["review_by"]),
        "Next review date set.")
