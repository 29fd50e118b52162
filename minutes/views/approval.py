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
from django.views.decorators.http import require_POST

from minutes import services
from minutes.forms import ApproveForm, CorrectionForm, DeclineForm
from minutes.models import CorrectionRequest
from minutes.views.common import approved_revision, done
from panels.forms import error_text
from panels.parsing import parse_ids
from panels.selectors import meeting_get_managed


@login_required
@require_POST
def minutes_approve(request, meeting_id: int):
    access = meeting_get_managed(user=request.user, meeting_id=meeting_id)
    form = ApproveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    ids = parse_ids(request.POST.getlist("corrections"))
    corrections = list(CorrectionRequest.objects.filter(pk__in=ids, revision__meeting=access.meeting))
    return done(request, meeting_id, lambda: services.minutes_approve(
        meeting=access.meeting, actor=request.user, reason=reason, corrections=corrections), "Minutes approved.")


@login_required
@require_POST
def correction_add(request, meeting_id: int, number: int):
    access, revision = approved_revision(request, meeting_id, number)
    form = CorrectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"text": "Say what is wrong and what it should say."})
        services.correction_request(revision=revision, actor=request.user, text=form.cleaned_data["text"])
        messages.success(request, "Correction requested: the chair and coordinator will answer it.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("minutes_approved_revision", meeting_id=meeting_id, number=number)


@login_required
@require_POST
def correction_decline(request, meeting_id: int, correction_id: int):
    access = meeting_get_managed(user=request.user, meeting_id=meeting_id)
    correction = get_object_or_404(CorrectionRequest, pk=correction_id, revision__meeting=access.meeting)
    form = DeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"resolution": "Tell the requester why the minutes stand as approved."})
        services.correction_decline(correction=correction, actor=request.user,
                                    resolution=form.cleaned_data["resolution"])
        messages.success(request, "Correction declined; the requester can see your answer.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("minutes_approved", meeting_id=meeting_id)
