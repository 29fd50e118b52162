"""A child across meetings: the timeline of what panels decided and recorded, the resettlement plan as PDF or
Word, and a case manager's own children.

Who may see it: the child's pages, whoever ``child_get_for_user`` allows (others get 404); My children, service
staff. Each read is audited with the child (or children).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from minutes.plan_documents import plan_document, plan_docx, plan_pdf
from minutes.timeline import caseload, child_timeline
from minutes.views.common import DOCX
from panels.audit import audit_children_read, audit_record
from panels.keydates import upcoming_key_dates
from panels.permissions import Viewer
from panels.record_selectors import resettlement_view
from panels.records import child_to_record
from panels.resettlement import PLAN_AUDIENCES
from panels.selectors import child_get_for_user, child_list_for_user, meeting_ids_visible_to


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
