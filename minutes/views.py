"""The minutes page: live text per item and section, decisions, actions, attendance, approval."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from minutes import services
from minutes.access import minutes_editor
from minutes.forms import ActionForm, ApproveForm, AttendanceForm, DecisionForm
from minutes.selectors import minutes_view
from panels.audit import audit_record
from panels.models import Agency, Child, User
from panels.selectors import meeting_get_for_user


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@login_required
@require_GET
def minutes_page(request, meeting_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    items, editor = minutes_view(access)
    audit_record(actor=request.user, action="minutes.viewed", meeting=access.meeting, request=request)
    revision = access.meeting.minutes_revisions.order_by("-number").first()
    agencies = Agency.objects.order_by("name")
    return render(request, "minutes/minutes.html", {
        "meeting": access.meeting, "access": access, "items": items, "editor": editor, "revision": revision,
        "writable": editor and access.meeting.status == "in_progress", "agencies": agencies,
        "user_json": {"id": request.user.pk, "name": request.user.get_full_name() or request.user.username},
    })


def _editable(request, meeting_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not minutes_editor(access):
        raise Http404("No such meeting")
    return access


def _child(access, child_id):
    if not child_id:
        return None
    child = Child.objects.filter(pk=child_id, agenda_items__meeting=access.meeting).first()
    if child is None:
        raise Http404("No such item")
    return child


def _done(request, meeting_id, call, success: str):
    try:
        call()
        messages.success(request, success)
    except services.RecordConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("minutes_page", meeting_id=meeting_id)


@login_required
@require_POST
def decision_add(request, meeting_id: int):
    access = _editable(request, meeting_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the decision.")
        return redirect("minutes_page", meeting_id=meeting_id)
    child = _child(access, form.cleaned_data["child"])
    return _done(request, meeting_id, lambda: services.decision_record(
        meeting=access.meeting, actor=request.user, text=form.cleaned_data["text"], child=child), "Decision recorded.")


@login_required
@require_POST
def action_add(request, meeting_id: int):
    access = _editable(request, meeting_id)
    form = ActionForm(request.POST, agencies=Agency.objects.all(), people=User.objects.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, "Check the action: " + "; ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()))
        return redirect("minutes_page", meeting_id=meeting_id)
    data = form.cleaned_data
    child = _child(access, data["child"])
    return _done(request, meeting_id, lambda: services.action_create(
        meeting=access.meeting, actor=request.user, description=data["description"], owner_agency=data["owner_agency"],
        owner=data["owner"], due_date=data["due_date"], pathway=data["pathway"], child=child), "Action recorded.")


@login_required
@require_POST
def attendance_add(request, meeting_id: int):
    access = _editable(request, meeting_id)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a name and an attendance status.")
        return redirect("minutes_page", meeting_id=meeting_id)
    child = _child(access, form.cleaned_data["child"])
    return _done(request, meeting_id, lambda: services.attendance_set(
        meeting=access.meeting, actor=request.user, name=form.cleaned_data["name"],
        status=form.cleaned_data["status"], child=child), "Attendance recorded.")


@login_required
@require_POST
def minutes_approve(request, meeting_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not access.can_manage:
        raise Http404("No such meeting")
    form = ApproveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _done(request, meeting_id, lambda: services.minutes_approve(meeting=access.meeting, actor=request.user,
                                                                        reason=reason), "Minutes approved.")
