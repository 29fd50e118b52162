"""Approval of the minutes: the chair or coordinator approves (a new numbered revision, with the corrections
it answers); anyone who may see the approved record requests a correction; the chair or coordinator declines
one with a reason.

Who may use it: approving and declining, the meeting's managers (``meeting_get_managed``); requesting a
correction, anyone who may see the meeting's approved record. Others get 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from minutes import services
from minutes.documents import meeting_snapshots_refresh
from minutes.forms import ApproveForm, CorrectionForm, DeclineForm
from minutes.models import CorrectionRequest
from minutes.selectors import minutes_record_empty
from minutes.views.approved import approved_page_render
from minutes.views.common import approved_revision
from minutes.views.record import minutes_page_render
from panels.confirmation import Confirmation, ahead, confirmation_page, is_confirmed
from panels.enums import MeetingStatus
from panels.forms import error_text, form_add_service_error
from panels.parsing import parse_ids
from panels.selectors import meeting_get_managed


@login_required
@require_http_methods(["GET", "POST"])
def minutes_approve(request, meeting_id: int):
    """Approve the record as the next revision. Approving before the meeting's end time, or a record that
    holds nothing, needs confirming: GET, or a POST without ``confirm=yes``, shows what will happen and
    changes nothing. A reason that is refused comes back on the minutes page with what was typed."""
    access = meeting_get_managed(user=request.user, meeting_id=meeting_id)
    form = ApproveForm(request.POST if request.method == "POST" else None, auto_id="approve-%s")
    if request.method == "POST" and not form.is_valid():
        return minutes_page_render(request, access, approve_form=form, status=400)
    meeting = access.meeting
    confirmation = None
    if meeting.status == MeetingStatus.CLOSED:  # otherwise approval is refused below, saying why
        meeting_snapshots_refresh(meeting_id=meeting.pk)  # judge the live text, as approval will
        confirmation = _approval_confirmation(meeting, now=timezone.now(),
                                              empty=minutes_record_empty(meeting=meeting))
    if request.method == "GET" and confirmation is None:
        return redirect("minutes_page", meeting_id=meeting_id)
    if confirmation and not is_confirmed(request):
        return confirmation_page(request, confirmation)
    ids = parse_ids(request.POST.getlist("corrections"))
    corrections = list(CorrectionRequest.objects.filter(pk__in=ids, revision__meeting=meeting))
    try:
        services.minutes_approve(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"],
                                 corrections=corrections)
    except ValidationError as exc:
        if "reason" not in getattr(exc, "error_dict", {}):
            messages.error(request, error_text(exc))  # about the meeting, not what was typed
            return redirect("minutes_page", meeting_id=meeting_id)
        form_add_service_error(form, exc)
        return minutes_page_render(request, access, approve_form=form, status=400)
    messages.success(request, "Minutes approved.")
    return redirect("minutes_page", meeting_id=meeting_id)


def _approval_confirmation(meeting, *, now, empty: bool) -> Confirmation | None:
    early = now < meeting.ends_at
    if not (early or empty):
        return None
    ends = timezone.localtime(meeting.ends_at)
    facts = ([f"The meeting is due to end at {ends:%H:%M} on {ends:%a} {ends.day} {ends:%b %Y} "
              f"({ahead(meeting.ends_at, now)})."] if early else []) + (
        ["Nothing has been recorded: no minutes, decisions, actions, attendance or next reviews."] if empty else [])
    title = ("Approve minutes that record nothing?" if empty and not early
             else "Approve the minutes before the meeting's end time?" if not empty
             else "Approve empty minutes before the meeting's end time?")
    return Confirmation(
        title=title, caption=f"{meeting.panel.name}, minutes", facts=facts,
        happens=["The record is frozen as the next numbered revision.",
                 "Everyone invited can read it (each only what they may see), and may be emailed that it is ready.",
                 "Changes after this reach others only through a new revision with a reason."],
        warning="Approved minutes cannot be withdrawn: a mistake is put right only by approving a new revision.",
        button="Approve the minutes", back_url=reverse("minutes_page", args=[meeting.pk]),
        carry=("reason", "corrections"))


@login_required
@require_POST
def correction_add(request, meeting_id: int, number: int):
    access, revision = approved_revision(request, meeting_id, number)
    form = CorrectionForm(request.POST, auto_id="correction-%s")
    if form.is_valid():
        try:
            services.correction_request(revision=revision, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Correction requested: the chair and coordinator will answer it.")
            return redirect("minutes_approved_revision", meeting_id=meeting_id, number=number)
    return approved_page_render(request, meeting_id, number, refused=("correction", form), status=400)


@login_required
@require_POST
def correction_decline(request, meeting_id: int, correction_id: int):
    access = meeting_get_managed(user=request.user, meeting_id=meeting_id)
    correction = get_object_or_404(CorrectionRequest, pk=correction_id, revision__meeting=access.meeting)
    form = DeclineForm(request.POST, auto_id=f"decline-{correction.pk}-%s")
    if form.is_valid():
        try:
            services.correction_decline(correction=correction, actor=request.user,
                                        resolution=form.cleaned_data["resolution"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Correction declined; the requester can see your answer.")
            return redirect("minutes_approved", meeting_id=meeting_id)
    return approved_page_render(request, meeting_id, refused=(f"decline-{correction.pk}", form), status=400)
