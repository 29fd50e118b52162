"""The meeting cockpit's pages: run a meeting one item at a time, without reloading the page.

Who may see it: anyone who may see the meeting (``meeting_get_for_user``; others get 404), each seeing only
the items and minute sections the minutes page would show them; the forms only for those who may write
the minutes now (``can_write_minutes``). Saving a form answers with HTML fragments (htmx): the item's
records, and a fresh form, or the same form with its errors and the input kept; the editors are never
replaced. Each child item read is audited with the child.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minutes import services
from minutes.cockpit import Cockpit, cockpit_for, focus_for, is_panel_chair
from minutes.cockpit_forms import CockpitActionForm, CockpitAttendanceForm, CockpitDecisionForm, CockpitReviewForm
from panels.audit import audit_record
from panels.models import Agency, Child, MeetingInvitee, User
from panels.selectors import MeetingAccess, meeting_get_for_user


def _cockpit(request, meeting_id: int, key: str | None) -> Cockpit:
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    cockpit = cockpit_for(access, key=key)
    child_id = cockpit.current.minutes.child_id
    audit_record(actor=request.user, action="minutes.cockpit_viewed", meeting=access.meeting, request=request,
                 child=Child(pk=child_id) if child_id else None)
    return cockpit


def _people(access: MeetingAccess):
    """Who may own an action: any active user of an agency, or an invitee of this meeting with a login."""
    invited = MeetingInvitee.objects.filter(meeting=access.meeting, user__isnull=False).values("user_id")
    return User.objects.filter(Q(is_active=True, agency__isnull=False) | Q(pk__in=invited)).select_related("agency")


def _form(cockpit: Cockpit, name: str, data=None):
    """One of an item's forms: fresh, or bound to what was posted."""
    prefix = f"{name}-{cockpit.current.key}"
    meeting = cockpit.meeting
    if name == "decision":
        return CockpitDecisionForm(data, prefix=prefix)
    if name == "action":
        return CockpitActionForm(data, prefix=prefix, agencies=Agency.objects.order_by("name"),
                                 people=_people(cockpit.access), meeting=meeting,
                                 initial={"due_date": cockpit.next_meeting_on})
    if name == "attendance":
        return CockpitAttendanceForm(data, prefix=prefix, attendees=cockpit.attendees)
    if name == "review" and cockpit.current.minutes.child_id:
        return CockpitReviewForm(data, prefix=prefix, meeting=meeting, next_meeting_on=cockpit.next_meeting_on)
    return None


FORMS = ("attendance", "decision", "action", "review")


def _context(request, cockpit: Cockpit, **extra) -> dict:
    return {"cockpit": cockpit, "meeting": cockpit.meeting, "access": cockpit.access, "today": timezone.localdate(),
            "forms": {name: _form(cockpit, name) for name in FORMS} | extra.pop("bound", {}), **extra}


@login_required
@require_GET
def cockpit_page(request, meeting_id: int):
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if access.meeting.minutes_revisions.exists() and not access.can_manage:
        return redirect("minutes_approved", meeting_id=meeting_id)  # others read only what was approved
    cockpit = _cockpit(request, meeting_id, request.GET.get("item") or None)
    return render(request, "minutes/cockpit.html", _context(request, cockpit, user_json={
        "id": request.user.pk, "name": request.user.get_full_name() or request.user.username}))


@login_required
@require_GET
def cockpit_item(request, meeting_id: int, key: str):
    """One item's panel (htmx navigation between items)."""
    return render(request, "minutes/_cockpit_item.html", _context(request, _cockpit(request, meeting_id, key)))


@login_required
@require_GET
def cockpit_records(request, meeting_id: int, key: str):
    """What this meeting has recorded for the item (refreshed when another screen records something)."""
    return render(request, "minutes/_cockpit_records.html", _context(request, _cockpit(request, meeting_id, key)))


@login_required
@require_http_methods(["GET", "POST"])
def cockpit_focus(request, meeting_id: int):
    """GET: the chair's current item, if this viewer may see it. POST (the chair only): move it."""
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if request.method == "GET":
        focus = focus_for(access)
        return JsonResponse({"item": focus.key if focus else None,
                             "since": focus.since.isoformat() if focus else None})
    if not is_panel_chair(access):
        raise Http404("No such meeting")
    key = request.POST.get("item", "")
    cockpit = cockpit_for(access, key=key)  # 404 for an item that is not on the agenda
    child_id = cockpit.current.minutes.child_id
    services.focus_move(meeting=access.meeting, actor=request.user,
                        child=Child.objects.get(pk=child_id) if child_id else None)
    return HttpResponse(status=204)


def _child(cockpit: Cockpit) -> Child | None:
    child_id = cockpit.current.minutes.child_id
    return Child.objects.get(pk=child_id) if child_id else None


@login_required
@require_POST
def cockpit_record(request, meeting_id: int, key: str):
    """Save what was filled in for the item (attendance, a decision, an action, the next review): all of it,
    or nothing and the form again with every problem named and the input kept."""
    cockpit = cockpit_for(meeting_get_for_user(user=request.user, meeting_id=meeting_id), key=key)
    if not cockpit.writable:
        raise Http404("No such item")
    posted = {name: _form(cockpit, name, request.POST) for name in FORMS}
    filled = {name: form for name, form in posted.items() if form is not None and form.is_filled()}
    forms = {name: filled.get(name) or _form(cockpit, name) for name in FORMS}  # empty parts: not checked
    problem = None
    if not filled:
        problem = "Nothing to save: tick attendance, or fill in a decision, an action or the next review."
    elif all(form.is_valid() for form in filled.values()):
        parts = {name: form.cleaned_data for name, form in filled.items()}
        try:
            services.item_record(meeting=cockpit.meeting, actor=request.user, child=_child(cockpit),
                                 attendance=_attendance_entries(cockpit, parts.get("attendance")),
                                 decision=parts.get("decision", {}).get("text", ""), action=_action(parts),
                                 review_by=parts.get("review", {}).get("review_by"))
        except services.ItemRecordError as error:
            for field, messages in error.error.message_dict.items():
                form = filled[error.part]
                form.add_error(field if field in form.fields else None, messages)
        except services.RecordConflict as error:
            problem = str(error)
    if problem or any(form.errors for form in filled.values()):
        response = render(request, "minutes/_cockpit_form.html", _context(request, cockpit, bound=forms,
                                                                            problem=problem))
        response["HX-Retarget"] = "#cockpit-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    cockpit = cockpit_for(cockpit.access, key=key)  # what was just saved, and the attendance list again
    saved = [name for name in FORMS if name in filled]
    return render(request, "minutes/_cockpit_saved.html", _context(request, cockpit, saved=saved))


def _attendance_entries(cockpit: Cockpit, data: dict | None) -> list:
    if not data:
        return []
    agencies = {a.name: a for a in Agency.objects.filter(name__in=[p.agency for p in cockpit.attendees])}
    entries = [(person.name, status, agencies.get(person.agency)) for person, status in data["statuses"]
               if status and status != person.status]
    if data["guest_name"]:
        entries.append((data["guest_name"], data["guest_status"], data["guest_agency"]))
    return entries


def _action(parts: dict) -> dict | None:
    data = parts.get("action")
    if not data:
        return None
    return {"description": data["description"], "owner": data["owner"],
            "owner_agency": data["owner_agency"] or data["owner"].agency, "due_date": data["due_date"]}
