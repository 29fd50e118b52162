"""The live minutes page: text per item and section, and its forms for decisions, actions, attendance and
next reviews (each saved through one service, then back to the page).

Who may see it: anyone who may see the meeting (``meeting_get_for_user``; others get 404); once minutes are
approved, only the chair and coordinator (others are sent to the approved record). The forms: those who may
write the minutes now (``minutes_editor``). Reading the page audits each child on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from minutes import services
from minutes.access import can_write_minutes
from minutes.forms import ActionForm, ApproveForm, AttendanceForm, DecisionForm, ReviewForm
from minutes.models import CorrectionRequest
from minutes.selectors import action_owner_choices, minutes_view
from minutes.views.common import agenda_child, editable
from panels.audit import audit_children_read
from panels.forms import REFUSED, form_submit
from panels.models import Agency, User
from panels.parsing import parse_id
from panels.record_selectors import pathways_for_service
from panels.selectors import meeting_get_for_user


@login_required
@require_GET
def minutes_page(request, meeting_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if access.meeting.minutes_revisions.exists() and not access.can_manage:
        return redirect("minutes_approved", meeting_id=meeting_id)  # others read only what was approved
    return minutes_page_render(request, access)


def minutes_page_render(request, access, *, bound: tuple[str, str, forms.Form] | None = None,
                        approve_form: forms.Form | None = None, status: int = 200):
    """The page. A refused form comes back bound (``bound``: its kind, its item's key and the form), its
    section open and its errors in the summary at the top; answered with 400."""
    revision = access.meeting.minutes_revisions.select_related("approved_by").order_by("-number").first()
    items, editor = minutes_view(access)
    audit_children_read(actor=request.user, action="minutes.viewed", children=items, meeting=access.meeting,
                        request=request)
    agencies = list(Agency.objects.order_by("name"))
    open_corrections = list(CorrectionRequest.objects.filter(
        revision__meeting=access.meeting, status=CorrectionRequest.Status.OPEN).select_related(
        "requested_by", "agency")) if access.can_manage and revision else []
    approve_form = approve_form or ApproveForm(auto_id="approve-%s")

    def item_forms(key: str) -> dict[str, forms.Form]:
        fresh = _item_forms(key)
        if bound and bound[1] == key:
            fresh[bound[0]] = bound[2]
        return fresh

    refused = [f for f in (bound[2] if bound else None, approve_form) if f is not None and f.errors]
    return render(request, "minutes/minutes.html", {
        "open_corrections": open_corrections, "timedelta": timedelta,
        "meeting": access.meeting, "access": access, "items": items, "editor": editor, "revision": revision,
        "writable": can_write_minutes(access), "agency_choices": [("", [(a.pk, a.name) for a in agencies])],
        "pathways": list(pathways_for_service(service_id=access.meeting.panel.service_id)),
        "owners": action_owner_choices(meeting=access.meeting) if can_write_minutes(access) else [],
        "user_json": {"id": request.user.pk, "name": request.user.get_full_name() or request.user.username},
        "item_forms": item_forms, "bound_key": bound[1] if bound else None, "approve_form": approve_form,
        "refused": refused, "page_has_errors": bool(refused),
    }, status=status)


def _item_forms(key: str, data=None) -> dict[str, forms.Form]:
    """An item's four forms (ids unique on the page: ``decision-<key>-text``…)."""
    return {
        "decision": DecisionForm(data, auto_id=f"decision-{key}-%s"),
        "action": ActionForm(data, auto_id=f"action-{key}-%s", agencies=Agency.objects.all(),
                             people=User.objects.filter(is_active=True)),
        "attendance": AttendanceForm(data, auto_id=f"att-{key}-%s"),
        "review": ReviewForm(data, auto_id=f"review-{key}-%s"),
    }


def _posted(request, kind: str) -> tuple[str, forms.Form]:
    """The posted form of one kind, and the key of the item it was posted for."""
    key = str(parse_id(request.POST.get("child", "")) or "meeting")
    return key, _item_forms(key, request.POST)[kind]


def _record(request, meeting_id: int, kind: str, save: Callable[..., object], success: str, *,
            item_required: bool = False):
    """One of the page's forms posted: the form of ``kind`` for the item it names, then ``save(access, data,
    child)`` through one service. A refusal (the form's, the service's, or a conflict with someone's newer
    save) comes back as the page with the form as posted, its reason on its field, answered with 400. With
    ``item_required``, a form naming no item of this meeting is a 404 (there is nothing to set it on)."""
    access = editable(request, meeting_id)
    key, form = _posted(request, kind)
    if item_required and not form.is_valid() and "child" in form.errors:
        raise Http404("No such item")

    def run(data):
        child = agenda_child(access, data["child"])
        if item_required and child is None:
            raise Http404("No such item")
        try:
            return save(access, data, child)
        except services.RecordConflict as exc:
            raise ValidationError(str(exc)) from exc

    if form_submit(form, run) is not REFUSED:
        messages.success(request, success)
        return redirect("minutes_page", meeting_id=access.meeting.pk)
    return minutes_page_render(request, access, bound=(kind, key, form), status=400)


@login_required
@require_POST
def decision_add(request, meeting_id: int):
    return _record(request, meeting_id, "decision", lambda access, data, child: services.decision_record(
        meeting=access.meeting, actor=request.user, text=data["text"], child=child), "Decision recorded.")


@login_required
@require_POST
def action_add(request, meeting_id: int):
    return _record(request, meeting_id, "action", lambda access, data, child: services.action_create(
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
    return _record(request, meeting_id, "attendance", lambda access, data, child: services.attendance_set(
        meeting=access.meeting, actor=request.user, name=data["name"], status=data["status"], child=child),
        "Attendance recorded.")


@login_required
@require_POST
def review_set(request, meeting_id: int):
    return _record(request, meeting_id, "review", lambda access, data, child: services.next_review_set(
        meeting=access.meeting, actor=request.user, child=child, review_by=data["review_by"]),
        "Next review date set.", item_required=True)
