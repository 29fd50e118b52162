"""The minutes page: live text per item and section, decisions, actions, attendance, approval."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minutes import presenters, services
from minutes.access import can_write_minutes, minutes_editor
from minutes.forms import (
    ActionForm,
    ActionUpdateForm,
    ApproveForm,
    AttendanceForm,
    CorrectionForm,
    DecisionForm,
    DeclineForm,
    DueDateDecisionForm,
    DueDateRequestForm,
    RegisterFilterForm,
    ReviewForm,
)
from minutes.links import LinkRefused, action_link_read
from minutes.models import Action, CorrectionRequest, DueDateRequest
from minutes.selectors import (
    ActionAccess,
    action_get_for_link,
    action_get_for_user,
    action_list_for_user,
    action_owner_choices,
    action_register,
    minutes_view,
)
from minutes.timeline import caseload, child_timeline
from panels import permissions
from panels.audit import audit_children_read, audit_record
from panels.forms import error_text, form_error_text
from panels.keydates import upcoming_key_dates
from panels.models import Agency, Child, User
from panels.parsing import parse_ids
from panels.permissions import Viewer
from panels.record_selectors import pathways_for_service
from panels.records import child_to_record
from panels.selectors import (
    child_get_for_user,
    child_list_for_user,
    meeting_get_for_user,
    meeting_get_managed,
    meeting_ids_visible_to,
    panel_get_for_user,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"





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
        messages.error(request, error_text(exc))
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
        messages.error(request, "Check the action: " + form_error_text(form))
        return redirect("minutes_page", meeting_id=meeting_id)
    data = form.cleaned_data
    child = _child(access, data["child"])
    return _done(request, meeting_id, lambda: services.action_create(
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
    access = meeting_get_managed(user=request.user, meeting_id=meeting_id)
    form = ApproveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    ids = parse_ids(request.POST.getlist("corrections"))
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
    audit_children_read(actor=request.user, action="minutes.record_viewed", children=record.items, meeting=meeting,
                        request=request, detail={"revision": revision.number, "audience": audience,
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
    if fmt not in ("pdf", "docx"):
        raise Http404("No such format")  # before the audit entry: nothing was downloaded
    access, revision = _approved(request, meeting_id, number)
    audience, viewer, agency = _audience(request, access)
    record = presenters.record_for(revision=revision, viewer=viewer, audience=audience,
                                   for_agency=agency.name if agency else "")
    audit_children_read(actor=request.user, action="minutes.record_exported", children=record.items,
                        meeting=access.meeting, request=request,
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


# --- actions between meetings ----------------------------------------------------------------------
@login_required
@require_GET
def my_actions(request):
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    actions = action_list_for_user(user=request.user)
    if show != "all":
        actions = actions.filter(status__in=Action.OPEN_STATUSES)
    paginator = Paginator(actions, 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "minutes/my_actions.html", {
        "page": page, "today": today, "show": show,
    })


def _action_page(request, access: ActionAccess, *, link=None, link_actor=None):
    """The action page for the signed-in (``link`` None) and for someone arriving by a signed link."""
    action = access.action
    actor = link_actor if link else request.user
    label = link.email if link else ""
    here = request.path
    if request.method == "POST":
        kind = request.POST.get("form")
        try:
            if kind == "update" and access.can_update:
                form = ActionUpdateForm(request.POST)
                if not form.is_valid():
                    raise ValidationError({"version": "Reload the page and try again."})
                data = form.cleaned_data
                if data["status"]:
                    services.action_update_status(action=action, actor=actor, actor_label=label,
                                                  status=data["status"], expected_version=data["version"],
                                                  note=data["note"], evidence=data["evidence"])
                else:
                    services.action_note_add(action=action, actor=actor, actor_label=label, note=data["note"])
                messages.success(request, "Action updated.")
            elif kind == "date" and access.can_update:
                form = DueDateRequestForm(request.POST)
                if not form.is_valid():
                    raise ValidationError({"new_due_date": "Give the new date as YYYY-MM-DD and a reason."})
                services.due_date_request(action=action, actor=actor, actor_label=label,
                                          new_due_date=form.cleaned_data["new_due_date"],
                                          reason=form.cleaned_data["reason"])
                messages.success(request, "Request sent: the panel's chair or coordinator will decide.")
            elif kind == "decide" and access.can_manage and link is None:
                form = DueDateDecisionForm(request.POST)
                pending = action.due_date_requests.filter(status=DueDateRequest.Status.OPEN).first()
                if pending is None or not form.is_valid():
                    raise ValidationError({"request": "There is no request waiting for a decision."})
                services.due_date_decide(request=pending, actor=request.user, agree=form.cleaned_data["agree"],
                                         note=form.cleaned_data["note"])
                messages.success(request, "Decision recorded; the owner can see it.")
            else:
                raise Http404("No such action")
        except services.RecordConflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(here)
    audit_record(actor=actor, action="action.viewed", child=action.child, meeting=action.meeting, request=request,
                 detail={"action_id": action.pk, **({"link": label} if link else {})})
    history = list(action.history.select_related("actor").order_by("-created_at", "-id"))
    notices = list(action.notices.order_by("-created_at", "-id")) if hasattr(action, "notices") else []
    requests = list(action.due_date_requests.select_related("requested_by", "decided_by"))
    return render(request, "minutes/action_detail.html", {
        "action": action, "access": access, "history": history, "notices": notices, "requests": requests,
        "link": link, "here": here, "today": timezone.localdate(),
        "statuses": [(s, label) for s, label in Action.Status.choices
                     if s in services.ALLOWED_MOVES.get(action.status, set())
                     and (s != Action.Status.VERIFIED or access.can_manage)],
    })


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, action_id: int):
    return _action_page(request, action_get_for_user(user=request.user, action_id=action_id))


@require_http_methods(["GET", "POST"])
def action_link(request, action_id: int, token: str):
    """A signed, expiring link from an email: this one action only, no browsing beyond it."""
    try:
        link = action_link_read(token=token, action_id=action_id)
        opened = action_get_for_link(link=link)
    except LinkRefused as exc:
        response = render(request, "minutes/link_refused.html", {"reason": exc.reason}, status=403)
        response["Cache-Control"] = "no-store"
        return response
    response = _action_page(request, opened.access, link=link, link_actor=opened.actor)
    # the token never leaks to another site ("no-referrer" would make browsers send "Origin: null" on the
    # form posts, which the CSRF check rightly refuses)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def action_register_page(request, panel_id: int):
    access = panel_get_for_user(user=request.user, panel_id=panel_id)
    if not Viewer.of(request.user).is_staff_of(access.panel.service_id):
        raise Http404("No such panel")
    today = timezone.localdate()
    form = RegisterFilterForm(request.GET or {"status": "open"})
    filters = form.cleaned_data if form.is_valid() else {"status": "open"}
    child_id = None
    if filters.get("child"):
        child_id = Child.objects.filter(service_id=access.panel.service_id,
                                        reference=filters["child"].strip()).values_list("pk", flat=True).first() or -1
    actions = action_register(panel=access.panel, status=filters.get("status", ""),
                              owner_agency_id=filters.get("owner_agency"), child_id=child_id,
                              overdue_on=today if filters.get("overdue") else None)
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    agencies = Agency.objects.filter(pk__in=Action.objects.filter(meeting__panel=access.panel)
                                     .values("owner_agency")).order_by("name")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "minutes/action_register.html", {
        "panel": access.panel, "access": access, "page": page, "form": form, "agencies": agencies,
        "today": today, "query": query.urlencode(),
    })


@login_required
@require_GET
def child_timeline_page(request, child_id: int):
    child = child_get_for_user(user=request.user, child_id=child_id)
    audit_record(actor=request.user, action="child.timeline_viewed", child=child, request=request)
    entries = child_timeline(child=child, viewer=Viewer.of(request.user), today=timezone.localdate())
    visible = meeting_ids_visible_to(user=request.user, meeting_ids=[e.meeting_id for e in entries])
    return render(request, "minutes/child_timeline.html", {"child": child, "entries": entries,
                                                           "visible_meetings": visible})


@login_required
@require_GET
def my_children(request):
    viewer = Viewer.of(request.user)
    if not viewer.is_service_staff:
        raise Http404("No such page")
    today = timezone.localdate()
    children = list(child_list_for_user(user=request.user).filter(case_manager=request.user))
    rows = caseload(children=children, today=today,
                    key_dates_for=lambda c: upcoming_key_dates(child_to_record(c), today=today, limit=4))
    audit_children_read(actor=request.user, action="children.listed", children=children, request=request,
                        detail={"via": "my_children"})
    visible = meeting_ids_visible_to(user=request.user,
                                     meeting_ids=[i.meeting_id for row in rows for i in row.next_panels])
    return render(request, "minutes/my_children.html", {"rows": rows, "today": today, "visible_meetings": visible})


@login_required
@require_GET
def child_plan_document(request, child_id: int, fmt: str):
    """The child's resettlement plan as PDF or Word, for the network (``audience=full``) or the family."""
    from minutes.plan_documents import plan_document, plan_docx, plan_pdf
    from panels.record_selectors import resettlement_view
    from panels.resettlement import PLAN_AUDIENCES

    child = child_get_for_user(user=request.user, child_id=child_id)
    audience = request.GET.get("audience", "full")
    if fmt not in ("pdf", "docx") or audience not in PLAN_AUDIENCES:
        raise Http404("No such document")
    today = timezone.localdate()
    document = plan_document(resettlement_view(child=child, today=today), audience=audience, today=today)
    audit_record(actor=request.user, action="child.plan_exported", child=child, request=request,
                 detail={"audience": audience, "format": fmt})
    if fmt == "pdf":
        response = HttpResponse(plan_pdf(request, document), content_type="application/pdf")
    else:
        response = HttpResponse(plan_docx(document), content_type=DOCX)
    name = f"plan-{child.reference}-{today.isoformat()}-{audience}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
