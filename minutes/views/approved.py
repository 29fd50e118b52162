"""The approved record: one revision of the minutes for one audience (full, an agency's, the summary), its
changes since approval and from the previous revision, and its PDF and DOCX.

Who may see it: anyone who may see the meeting (others get 404), each seeing what ``presenters.record_for``
lets their viewer and audience read; choosing another audience is for the meeting's managers. Each read and
each download is audited with the children in it.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minutes import presenters
from minutes.forms import CorrectionForm, DeclineForm
from minutes.models import CorrectionRequest
from minutes.record import RecordSnapshot
from minutes.selectors import record_snapshot
from minutes.views.common import DOCX, approved_revision
from panels import permissions
from panels.audit import audit_children_read
from panels.models import Agency
from panels.permissions import Viewer


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
    return approved_page_render(request, meeting_id, number)


def approved_page_render(request, meeting_id: int, number: int | None = None, *,
                         refused: tuple[str, forms.Form] | None = None, status: int = 200):
    """The approved record's page. A refused correction request or answer comes back bound (``refused``:
    which form, as posted), with its errors in the summary at the top; answered with 400."""
    access, revision = approved_revision(request, meeting_id, number)
    audience, viewer, agency = _audience(request, access)
    record = presenters.record_for(revision=revision, viewer=viewer, audience=audience,
                                   for_agency=agency.name if agency else "")
    meeting = access.meeting
    headings = {item.child_id: item.heading for item in record.items}
    readable = permissions.readable_sections(viewer, service_id=meeting.panel.service_id)
    revisions = list(meeting.minutes_revisions.select_related("approved_by").order_by("-number"))
    changes_since, changes_from_previous = [], []
    if access.can_manage and audience == "full":  # what the chair has amended since this was approved
        changes_since = presenters.section_changes(before=record.snapshot, after=record_snapshot(meeting),
                                                   readable=readable, headings=headings)
    previous = next((r for r in revisions if r.number == revision.number - 1), None)
    if previous is not None and audience != "summary":
        changes_from_previous = presenters.section_changes(
            before=RecordSnapshot.from_json(previous.snapshot), after=record.snapshot, readable=readable,
            headings=headings)
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
        "query": request.GET.urlencode(), "refused": refused[1] if refused else None,
        "correction_form": refused[1] if refused and refused[0] == "correction" else CorrectionForm(
            auto_id="correction-%s"),
        "decline_form": lambda pk: refused[1] if refused and refused[0] == f"decline-{pk}" else DeclineForm(
            auto_id=f"decline-{pk}-%s"),
        "page_has_errors": bool(refused),
    }, status=status)


@login_required
@require_GET
def approved_minutes_download(request, meeting_id: int, number: int, fmt: str):
    if fmt not in ("pdf", "docx"):
        raise Http404("No such format")  # before the audit entry: nothing was downloaded
    access, revision = approved_revision(request, meeting_id, number)
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
