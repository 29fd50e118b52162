"""The minutes page: live text per item and section, decisions, actions, attendance, approval."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from minutes import presenters, services
from minutes.access import can_write_minutes, minutes_editor
from minutes.forms import (
    ActionForm,
    ApproveForm,
    AttendanceForm,
    CorrectionForm,
    DecisionForm,
    DeclineForm,
    ReviewForm,
)
from minutes.models import CorrectionRequest
from minutes.selectors import minutes_view
from panels import permissions
from panels.audit import audit_record
from panels.models import Agency, Child, User
from panels.permissions import Viewer
from panels.selectors import meeting_get_for_user

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@login_required
@require_GET
def minutes_page(request, meeting_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    revision = access.meeting.minutes_revisions.select_related("approved_by").order_by("-number").first()
    if revision is not None and not access.can_manage:
        return redirect("minutes_approved", meeting_id=meeting_id)  # others read only what was approved
    items, editor = minutes_view(access)
    audit_record(actor=request.user, action="minutes.viewed", meeting=access.meeting, request=request)
    agencies = Agency.objects.order_by("name")
    open_corrections = list(CorrectionRequest.objects.filter(
        revision__meeting=access.meeting, status=CorrectionRequest.Status.OPEN).select_related(
        "requested_by", "agency")) if access.can_manage and revision else []
    return render(request, "minutes/minutes.html", {
        "open_corrections": open_corrections, "timedelta": timedelta,
        "meeting": access.meeting, "access": access, "items": items, "editor": editor, "revision": revision,
        "writable": can_write_minutes(access), "agencies": agencies,
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
    ids = [int(v) for v in request.POST.getlist("corrections") if v.isdigit()]
    corrections = list(CorrectionRequest.objects.filter(pk__in=ids, revision__meeting=access.meeting))
    return _done(request, meeting_id, lambda: services.minutes_approve(
        meeting=access.meeting, actor=request.user, reason=reason, corrections=corrections), "Minutes approved.")


@login_required
@require_POST
def review_set(request, meeting_id: int):
    access = _editable(request, meeting_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the next review date as YYYY-MM-DD.")
        return redirect("minutes_page", meeting_id=meeting_id)
    child = _child(access, form.cleaned_data["child"])
    if child is None:
        raise Http404("No such item")
    return _done(request, meeting_id, lambda: services.next_review_set(
        meeting=access.meeting, actor=request.user, child=child, review_by=form.cleaned_data["review_by"]),
        "Next review date set.")


# --- approved minutes ------------------------------------------------------------------------------
def _approved(request, meeting_id: int, number: int | None = None):
    """The meeting (404 unless the user may see it) and one of its approved revisions (the latest by default)."""
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    revisions = access.meeting.minutes_revisions.select_related("approved_by")
    revision = revisions.filter(number=number).first() if number else revisions.order_by("-number").first()
    if revision is None:
        raise Http404("No approved minutes")
    return access, revision


def _audience(request, access) -> tuple[str, Viewer, Agency | None]:
    return presenters.audience_resolve(access=access, user=request.user, audience=request.GET.get("audience"),
                                       agency_id=request.GET.get("agency"))


def _invited_agencies(meeting) -> list[Agency]:
    """The agencies invited to the meeting: invited as an agency, or through one of their people."""
    invited = meeting.invitees.values_list("agency_id", "user__agency_id")
    ids = {pk for pair in invited for pk in pair if pk is not None} - {meeting.panel.service_id}
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


@login_required
@require_GET
def approved_minutes(request, meeting_id: int, number: int | None = None):
    access, revision = _approved(request, meeting_id, number)
    audience, viewer, agency = _audience(request, access)
    record = presenters.record_for(revision=revision, viewer=viewer, audience=audience,
                                   for_agency=agency.name if agency else "")
    meeting = access.meeting
    headings = {item.child_id: item.heading for item in record.items}
    readable = permissions.readable_sections(viewer, service_id=meeting.panel.service_id)
    revisions = list(meeting.minutes_revisions.select_related("approved_by").order_by("-number"))
    changes_since, changes_from_previous = [], []
    if access.can_manage and audience == "full":  # what the chair has amended since this was approved
        changes_since = presenters.section_changes(before=revision.snapshot, after=services.draft_snapshot(meeting),
                                                   readable=readable, headings=headings)
    previous = next((r for r in revisions if r.number == revision.number - 1), None)
    if previous is not None and audience != "summary":
        changes_from_previous = presenters.section_changes(before=previous.snapshot, after=revision.snapshot,
                                                           readable=readable, headings=headings)
    corrections = CorrectionRequest.objects.filter(revision__meeting=meeting).select_related(
        "requested_by", "agency", "resolved_by", "revision", "corrected_in")
    if not access.can_manage:
        corrections = corrections.filter(requested_by=request.user)
    audit_record(actor=request.user, action="minutes.record_viewed", meeting=meeting, request=request,
                 detail={"revision": revision.number, "audience": audience,
                         "agency": agency.name if agency else None})
    return render(request, "minutes/approved.html", {
        "meeting": meeting, "access": access, "record": record, "revisions": revisions, "agency": agency,
        "audiences": presenters.AUDIENCES, "invited_agencies": _invited_agencies(meeting) if access.can_manage
        else [], "changes_since": changes_since, "changes_from_previous": changes_from_previous,
        "previous": previous, "corrections": list(corrections), "latest": revision.number == revisions[0].number,
        "query": request.GET.urlencode(),
    })


@login_required
@require_GET
def approved_minutes_download(request, meeting_id: int, number: int, fmt: str):
    access, revision = _approved(request, meeting_id, number)
    audience, viewer, agency = _audience(request, access)
    record = presenters.record_for(revision=revision, viewer=viewer, audience=audience,
                                   for_agency=agency.name if agency else "")
    audit_record(actor=request.user, action="minutes.record_exported", meeting=access.meeting, request=request,
                 detail={"revision": revision.number, "audience": audience, "format": fmt,
                         "agency": agency.name if agency else None})
    name = f"minutes-{access.meeting.local_date.isoformat()}-r{revision.number}-{audience}"
    if fmt == "pdf":
        response = HttpResponse(presenters.record_pdf(request, record), content_type="application/pdf")
    elif fmt == "docx":
        response = HttpResponse(presenters.record_docx(record), content_type=DOCX)
    else:
        raise Http404("No such format")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def correction_add(request, meeting_id: int, number: int):
    access, revision = _approved(request, meeting_id, number)
    form = CorrectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"text": "Say what is wrong and what it should say."})
        services.correction_request(revision=revision, actor=request.user, text=form.cleaned_data["text"])
        messages.success(request, "Correction requested: the chair and coordinator will answer it.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("minutes_approved_revision", meeting_id=meeting_id, number=number)


@login_required
@require_POST
def correction_decline(request, meeting_id: int, correction_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not access.can_manage:
        raise Http404("No such meeting")
    correction = get_object_or_404(CorrectionRequest, pk=correction_id, revision__meeting=access.meeting)
    form = DeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"resolution": "Tell the requester why the minutes stand as approved."})
        services.correction_decline(correction=correction, actor=request.user,
                                    resolution=form.cleaned_data["resolution"])
        messages.success(request, "Correction declined; the requester can see your answer.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("minutes_approved", meeting_id=meeting_id)
