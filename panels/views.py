"""Pages for panels, meetings, children, agencies and the cohort. Thin: parse, select, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panels import record_selectors, release_selectors, selectors, services
from panels.audit import audit_children_read, audit_record
from panels.cadence import describe_cadence
from panels.cohort_import import cohort_export_csv, cohort_import_create, cohort_import_start
from panels.enums import MeetingStatus, MembershipRole
from panels.forms import (
    CancelMeetingForm,
    ChildFilterForm,
    CohortUploadForm,
    GenerateMeetingsForm,
    InviteeForm,
    MeetingChangeForm,
    error_text,
    form_error_text,
)
from panels.keydates import key_dates, upcoming_key_dates
from panels.models import CohortImport, Meeting
from panels.page_parts import child_page_context, meeting_page_context
from panels.permissions import Viewer, can_import_cohort
from panels.records import child_to_record


@login_required
@require_GET
def home(request):
    today = timezone.localdate()
    now = timezone.now()
    viewer = Viewer.of(request.user)
    upcoming = list(
        selectors.meeting_list_for_user(user=request.user)
        .filter(starts_at__gte=now).exclude(status=MeetingStatus.CANCELLED).order_by("starts_at")[:8]
    )
    chaired = list(
        selectors.panel_list_for_user(user=request.user).filter(
            memberships__user=request.user,
            memberships__role__in=[MembershipRole.CHAIR, MembershipRole.COORDINATOR],
        )
    )
    caseload = []
    if viewer.is_service_staff:
        for child in selectors.child_list_for_user(user=request.user).filter(case_manager=request.user):
            caseload.append((child, upcoming_key_dates(child_to_record(child), today=today)))
        if caseload:
            audit_children_read(actor=request.user, action="children.listed", children=[c for c, _ in caseload],
                                request=request, detail={"via": "home"})
    return render(request, "panels/home.html", {
        "upcoming": upcoming, "chaired": chaired, "caseload": caseload, "viewer": viewer, "today": today,
    })


@login_required
@require_GET
def panel_list(request):
    panels = selectors.panel_list_for_user(user=request.user)
    return render(request, "panels/panel_list.html", {
        "panels": [(p, describe_cadence(p.cadence)) for p in panels],
    })


@login_required
@require_http_methods(["GET", "POST"])
def panel_detail(request, panel_id: int):
    access = selectors.panel_get_for_user(user=request.user, panel_id=panel_id)
    panel = access.panel
    form = GenerateMeetingsForm(request.POST or None)
    if request.method == "POST":
        if not access.can_manage:
            raise Http404("No such panel")
        if form.is_valid():
            start, end = form.date_range()
            try:
                created = services.meetings_generate(panel=panel, start=start, end=end)
            except ValidationError as exc:
                messages.error(request, error_text(exc, sep="; "))
            else:
                messages.success(request, f"{len(created)} new draft meeting(s) created.")
                return redirect("panel_detail", panel_id=panel.pk)
    meetings = selectors.meeting_list_for_user(user=request.user).filter(panel=panel)
    now = timezone.now()
    members = panel.memberships.select_related("user", "user__agency").order_by("role", "user__last_name")
    return render(request, "panels/panel_detail.html", {
        "panel": panel, "access": access, "cadence": describe_cadence(panel.cadence), "form": form,
        "upcoming": list(meetings.filter(starts_at__gte=now).order_by("starts_at")[:12]),
        "past": list(meetings.filter(starts_at__lt=now).order_by("-starts_at")[:6]),
        "members": list(members) if access.can_manage or access.membership else [],
        "service_staff": Viewer.of(request.user).is_staff_of(panel.service_id),
    })


@login_required
@require_GET
def meeting_list(request):
    now = timezone.now()
    meetings = selectors.meeting_list_for_user(user=request.user)
    panels = selectors.meeting_panels_for_user(user=request.user)
    panel_id = request.GET.get("panel", "")
    panel_id = int(panel_id) if panel_id.isdigit() else None
    if panel_id is not None:
        meetings = meetings.filter(panel_id=panel_id)
    show = request.GET.get("show", "upcoming")
    if show == "past":
        meetings = meetings.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        show = "upcoming"
        meetings = meetings.filter(starts_at__gte=now).order_by("starts_at")
    page = Paginator(meetings, 25).get_page(request.GET.get("page"))
    return render(request, "panels/meeting_list.html", {
        "page": page, "show": show, "panels": panels, "panel_id": panel_id,
        "filter_query": f"&panel={panel_id}" if panel_id is not None else "",
    })


@login_required
@require_GET
def meeting_detail(request, meeting_id: int):
    access = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    invitees = selectors.meeting_invitees(meeting=access.meeting)
    return render(request, "panels/meeting_detail.html", {
        "meeting": access.meeting, "access": access, "invitees": invitees,
        "mine": next((i for i in invitees if i.user_id == request.user.pk), None),
        "cancel_form": CancelMeetingForm(), "invitee_form": InviteeForm(service_id=access.meeting.panel.service_id),
        **meeting_page_context(meeting=access.meeting, access=access, user=request.user),
    })


@login_required
@require_POST
def meeting_change(request, meeting_id: int):
    """The chair or coordinator moves the meeting or changes its place."""
    access = selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    form = MeetingChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("meeting_detail", meeting_id=meeting_id)
    starts_at, ends_at = form.datetimes()
    try:
        meeting = services.meeting_update(meeting=access.meeting, actor=request.user, starts_at=starts_at,
                                          ends_at=ends_at, location=form.cleaned_data["location"],
                                          video_link=form.cleaned_data["video_link"])
        messages.success(request, "Meeting changed." + (" Invitees will get one updated invitation."
                                                        if meeting.status != MeetingStatus.DRAFT else ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc, sep="; "))
    return redirect("meeting_detail", meeting_id=meeting_id)


@login_required
@require_POST
def meeting_invitee_add(request, meeting_id: int):
    """The chair or coordinator invites someone to the whole meeting (an invite goes at once)."""
    access = selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    form = InviteeForm(request.POST, service_id=access.meeting.panel.service_id)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("meeting_detail", meeting_id=meeting_id)
    try:
        invitee = services.invitee_add(meeting=access.meeting, actor=request.user, **form.cleaned_data)
        messages.success(request, f"{invitee.name} invited."
                         + (" The invitation has been sent." if access.meeting.status != MeetingStatus.DRAFT
                            else " The invitation goes when the meeting is scheduled."))
    except ValidationError as exc:
        messages.error(request, error_text(exc, sep="; "))
    return redirect("meeting_detail", meeting_id=meeting_id)


@login_required
@require_POST
def meeting_invitee_remove(request, meeting_id: int, invitee_id: int):
    access = selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    invitee = get_object_or_404(access.meeting.invitees, pk=invitee_id)
    try:
        services.invitee_remove(invitee=invitee, actor=request.user)
        messages.success(request, f"{invitee.name} is no longer invited"
                         + (" and has been sent a cancellation." if access.meeting.status != MeetingStatus.DRAFT
                            else "."))
    except ValidationError as exc:
        messages.error(request, error_text(exc, sep="; "))
    return redirect("meeting_detail", meeting_id=meeting_id)


_STATUS_ACTIONS = {
    "schedule": (services.meeting_schedule, "Meeting scheduled: it is now visible to invited partners."),
    "start": (services.meeting_start, "Meeting opened."),
    "close": (services.meeting_close, "Meeting closed."),
}


@login_required
@require_POST
def meeting_status(request, meeting_id: int, action: str):
    access = selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    try:
        if action == "cancel":
            form = CancelMeetingForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Give a reason for cancelling the meeting.")
                return redirect("meeting_detail", meeting_id=meeting_id)
            services.meeting_cancel(meeting=access.meeting, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "Meeting cancelled.")
        elif action in _STATUS_ACTIONS:
            service, done = _STATUS_ACTIONS[action]
            service(meeting=access.meeting, actor=request.user)
            messages.success(request, done)
        else:
            raise Http404("No such action")
    except ValidationError as exc:
        messages.error(request, error_text(exc, sep="; "))
    return redirect("meeting_detail", meeting_id=meeting_id)


@login_required
@require_GET
def child_list(request):
    viewer = Viewer.of(request.user)
    if not viewer.is_service_staff:
        raise Http404("No children here")
    form = ChildFilterForm(request.GET or None)
    children = selectors.child_list_for_user(user=request.user)
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            children = children.filter(
                Q(reference__icontains=q) | Q(given_name__icontains=q) | Q(family_name__icontains=q)
                | Q(preferred_name__icontains=q)
            )
        if status := form.cleaned_data["legal_status"]:
            children = children.filter(legal_status=status)
    page = Paginator(children, 25).get_page(request.GET.get("page"))
    audit_children_read(actor=request.user, action="children.listed", children=page.object_list, request=request,
                        detail={"via": "children", "page": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "panels/child_list.html", {"page": page, "form": form, "query": query.urlencode()})


@login_required
@require_GET
def child_detail(request, child_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    audit_record(actor=request.user, action="child.viewed", child=child, request=request)
    record = child_to_record(child)
    history = child.episodes.filter(is_current=False).select_related("establishment").order_by("-start_date")
    today = timezone.localdate()
    return render(request, "panels/child_detail.html", {
        "child": child, "record": record, "key_dates": key_dates(record), "today": today,
        "history": list(history), "view": record_selectors.resettlement_view(child=child, today=today),
        "release": release_selectors.release_view(child=child),
        **child_page_context(child=child, record=record, today=today),
    })


@login_required
@require_GET
def agency_list(request):
    return render(request, "panels/agency_list.html", {"agencies": selectors.agency_list_for_user(user=request.user)})


@login_required
@require_GET
def agency_detail(request, agency_id: int):
    agency, can_list_staff = selectors.agency_get_for_user(user=request.user, agency_id=agency_id)
    staff = list(agency.users.filter(is_active=True).order_by("last_name")) if can_list_staff else []
    return render(request, "panels/agency_detail.html", {"agency": agency, "staff": staff})


def _require_importer(request):
    viewer = Viewer.of(request.user)
    if not viewer.is_authenticated or not can_import_cohort(viewer, service_id=viewer.agency_id or -1):
        raise Http404("No such page")
    return request.user.agency


@login_required
@require_http_methods(["GET", "POST"])
def cohort_import_list(request):
    service = _require_importer(request)
    form = CohortUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = cohort_import_create(
            service=service, actor=request.user, text=form.cleaned_data["text"],
            filename=form.cleaned_data["file"].name, dry_run=form.cleaned_data["dry_run"],
            ignore_columns=form.cleaned_data["ignore_columns"],
        )
        cohort_import_start(job=job)
        return redirect("cohort_import_detail", import_id=job.pk)
    history = CohortImport.objects.filter(service=service).select_related("uploaded_by").defer("source")[:20]
    return render(request, "panels/cohort_import_list.html", {"form": form, "history": history})


@login_required
@require_GET
def cohort_import_detail(request, import_id: int):
    service = _require_importer(request)
    job = get_object_or_404(CohortImport.objects.defer("source").select_related("uploaded_by"),
                            pk=import_id, service=service)
    template = "panels/_cohort_import_status.html" if request.headers.get("HX-Request") else (
        "panels/cohort_import_detail.html"
    )
    return render(request, template, {"job": job})


@login_required
@require_GET
def cohort_export(request):
    service = _require_importer(request)
    children = list(selectors.child_list_for_user(user=request.user).filter(service=service))
    audit_children_read(actor=request.user, action="cohort.exported", children=children, request=request)
    response = HttpResponse(cohort_export_csv(children), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cohort-{stamp}.csv"'
    return response


@require_GET
def healthz(request):
    Meeting.objects.exists()
    return HttpResponse("ok", content_type="text/plain")
