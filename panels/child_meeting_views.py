"""Pages of the child's statutory meetings (issue 16, point 2): the list with the meetings the rules say are due,
planning, changing, recording as held, cancelling. Who: the staff who may see the child
(``selectors.child_get_for_user``: the service's managers and coordinators, the child's case manager); anyone
else gets 404. Every read is audited with the child; pages are ``no-store`` (middleware for child data)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panels import child_meeting_selectors, child_meeting_services, selectors
from panels.audit import audit_record
from panels.child_meeting_forms import CancelForm, ChildMeetingForm, HeldForm
from panels.enums import ChildMeetingKind, ChildMeetingStatus
from panels.forms import REFUSED, error_text, form_error_text, form_submit
from panels.page_parts import child_meeting_page_context, child_page_context
from panels.records import child_to_record

# a service's refusal names the model's fields; the form asks for some of them under other names
SERVICE_FIELDS = {"starts_at": "start", "ends_at": "end"}


def _plan_form(request, child, *, overview, data=None):
    """The form to plan a meeting: of the kind asked for (``?kind=``), else of the first meeting due under the
    agenda rules and not yet planned, with the network members suggested for that kind ticked."""
    kind = (data or request.GET).get("kind") or ""
    kind = kind if kind in ChildMeetingKind.values else ""
    if not kind and data is None:
        kind = next((d["kind"] for d in overview.due if not overview.planned_for(d["kind"])), "")
    initial = {"kind": kind, "staff": [child.case_manager_id] if child.case_manager_id else []}
    return ChildMeetingForm(data, child=child, suggest_for=kind, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def child_meeting_list(request, child_id: int):
    """The child's statutory meetings (planned, held, those the rules say are due); POST plans one."""
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    today = timezone.localdate()
    due = child_page_context(child=child, record=child_to_record(child), today=today).get("meetings_due", [])
    overview = child_meeting_selectors.meetings_overview(child=child, due=due)
    form = _plan_form(request, child, overview=overview, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        meeting = form_submit(form, lambda _data: child_meeting_services.child_meeting_plan(
            child=child, actor=request.user, **form.service_kwargs()), fields=SERVICE_FIELDS)
        if meeting is not REFUSED:
            messages.success(request, f"{meeting.get_kind_display()} planned: invites sent to everyone invited "
                                      "with an email address.")
            return redirect("child_meeting_detail", child_id=child.pk, meeting_id=meeting.pk)
    audit_record(actor=request.user, action="child.meetings_viewed", child=child, request=request)
    return render(request, "panels/child_meetings.html", {
        "child": child, "overview": overview,
        "form": form, "today": today,
    }, status=400 if form.errors else 200)


def _detail_page(request, child, meeting, *, form=None, held_form=None, cancel_form=None, status=200):
    audit_record(actor=request.user, action="child.meeting_viewed", child=child, request=request,
                 detail={"child_meeting": meeting.pk})
    held_initial = {"held_on": meeting.held_on or timezone.localtime(meeting.starts_at).date(),
                    "child_attended": {True: "yes", False: "no"}.get(meeting.child_attended, ""),
                    "family_attended": {True: "yes", False: "no"}.get(meeting.family_attended, ""),
                    "attended": [p.pk for p in meeting.participants.all() if p.attended],
                    "outcome": meeting.outcome}
    return render(request, "panels/child_meeting_detail.html", {
        "child": child, "meeting": meeting, "calendar": {}, **child_meeting_page_context(meeting=meeting),
        "today": timezone.localdate(),
        "form": form or ChildMeetingForm(child=child, initial=ChildMeetingForm.initial_for(meeting)),
        "held_form": held_form or HeldForm(meeting=meeting, initial=held_initial),
        "cancel_form": cancel_form or CancelForm(), "statuses": ChildMeetingStatus,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def child_meeting_detail(request, child_id: int, meeting_id: int):
    """One statutory meeting; POST changes it while it is planned (the invitees get an update)."""
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    meeting = child_meeting_selectors.child_meeting_get(child=child, meeting_id=meeting_id)
    if request.method == "GET":
        return _detail_page(request, child, meeting)
    form = ChildMeetingForm(request.POST, child=child)
    done = form_submit(form, lambda _data: child_meeting_services.child_meeting_change(
        meeting=meeting, actor=request.user, **form.service_kwargs()), fields=SERVICE_FIELDS)
    if done is not REFUSED:
        messages.success(request, "Meeting changed: the invitees get an update.")
        return redirect("child_meeting_detail", child_id=child.pk, meeting_id=meeting.pk)
    return _detail_page(request, child, meeting, form=form, status=400)


@login_required
@require_POST
def child_meeting_held(request, child_id: int, meeting_id: int):
    """Record the meeting as held (or correct the record): sets the child's matching ``*_held_on`` date."""
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    meeting = child_meeting_selectors.child_meeting_get(child=child, meeting_id=meeting_id)
    form = HeldForm(request.POST, meeting=meeting)
    done = form_submit(form, lambda data: child_meeting_services.child_meeting_record_held(
        meeting=meeting, actor=request.user, **data))
    if done is not REFUSED:
        messages.success(request, f"{meeting.get_kind_display()} recorded as held.")
        return redirect("child_meeting_detail", child_id=child.pk, meeting_id=meeting.pk)
    meeting = child_meeting_selectors.child_meeting_get(child=child, meeting_id=meeting_id)
    return _detail_page(request, child, meeting, held_form=form, status=400)


@login_required
@require_POST
def child_meeting_cancel(request, child_id: int, meeting_id: int):
    """Cancel a planned meeting (``action=cancel``: the invitees' calendars are cancelled) or record that it did
    not take place (``action=not_held``: a held meeting is undone)."""
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    meeting = child_meeting_selectors.child_meeting_get(child=child, meeting_id=meeting_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("child_meeting_detail", child_id=child.pk, meeting_id=meeting.pk)
    not_held = form.cleaned_data["action"] == "not_held"
    try:
        child_meeting_services.child_meeting_cancel(meeting=meeting, actor=request.user,
                                                    reason=form.cleaned_data["reason"], not_held=not_held)
        messages.success(request, "Recorded: the meeting did not take place." if not_held
                         else "Meeting cancelled: the invitees' calendars are updated.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("child_meeting_detail", child_id=child.pk, meeting_id=meeting.pk)


@login_required
@require_GET
def child_meeting_go(request, meeting_id: int):
    """The link in a calendar invite names only the meeting: a signed-in user who may see the child is taken to
    it; anyone else gets 404, like every other page they may not see."""
    child_id = child_meeting_selectors.child_meeting_child_id(meeting_id=meeting_id)
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    return redirect("child_meeting_detail", child_id=child.pk, meeting_id=meeting_id)
