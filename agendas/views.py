"""Agenda pages: the working agenda for chairs, the published agenda for partners, packs, referrals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agendas import selectors, services
from agendas.forms import (
    AddChildForm,
    PublishForm,
    ReasonForm,
    ReferralDecisionForm,
    ReferralForm,
    RuleSettingsForm,
    SlotForm,
)
from agendas.models import AgendaItem, ItemInvitation, Referral
from agendas.presenters import agenda_view_for, pack_pdf
from agendas.rules import CODES_BY_KIND
from agendas.standing import standing_items
from panels import permissions
from panels import selectors as panel_selectors
from panels.audit import audit_children_read, audit_record
from panels.forms import error_text, form_error_text
from panels.models import Agency, Child, Panel, User
from panels.parsing import parse_id
from panels.permissions import Viewer


@login_required
@require_GET
def meeting_agenda(request, meeting_id: int):
    access = panel_selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    return _agenda_page(request, access, PublishForm())


def _agenda_page(request, access, publish_form: PublishForm, status: int = 200):
    view = agenda_view_for(access=access)
    audit_children_read(actor=request.user, action="agenda.viewed", children=view.items, meeting=access.meeting,
                        request=request,
                        detail={"version": view.version.number if view.version else None, "working": view.working})
    opening, closing = standing_items(access.meeting.panel.kind)
    presenters = User.objects.filter(agency_id=access.meeting.panel.service_id, is_active=True)
    return render(request, "agendas/agenda.html", {
        "meeting": access.meeting, "access": access, "view": view, "opening": opening, "closing": closing,
        "add_form": AddChildForm(), "publish_form": publish_form, "presenters": presenters,
        "agencies": Agency.objects.order_by("name") if access.can_manage else [],
        "page_has_errors": bool(publish_form.errors),
    }, status=status)


@login_required
@require_POST
def agenda_slot_invite(request, meeting_id: int, item_id: int):
    """Invite someone for one child's slot only (a calendar invite for the slot's time goes at once)."""
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    item = get_object_or_404(AgendaItem.objects.select_related("child", "meeting"), pk=item_id, meeting=access.meeting)
    agency_id = request.POST.get("agency", "")
    agency_pk = parse_id(agency_id)
    agency = Agency.objects.filter(pk=agency_pk).first() if agency_pk is not None else None
    try:
        link = services.item_invitation_add(item=item, actor=request.user, name=request.POST.get("name", ""),
                                            email=request.POST.get("email", ""), agency=agency)
        messages.success(request, f"{link.invitee.name} invited for {item.child.reference}'s slot.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_POST
def agenda_slot_uninvite(request, meeting_id: int, item_id: int, link_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    link = get_object_or_404(ItemInvitation.objects.select_related("item__child", "item__meeting", "invitee"),
                             pk=link_id, item_id=item_id, item__meeting=access.meeting)
    try:
        services.item_invitation_remove(link=link, actor=request.user)
        messages.success(request, f"{link.invitee.name}'s invitation for {link.item.child.reference} withdrawn.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_POST
def agenda_rebuild(request, meeting_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    try:
        services.agenda_build(meeting=access.meeting, actor=request.user)
        messages.success(request, "Agenda rebuilt from the rules and referrals. Slots and your decisions are kept.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_POST
def agenda_add(request, meeting_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    form = AddChildForm(request.POST)
    if form.is_valid():
        child = Child.objects.filter(service_id=access.meeting.panel.service_id,
                                     reference=form.cleaned_data["reference"].strip()).first()
        if child is None:
            messages.error(request, f"No child with reference {form.cleaned_data['reference']!r} in this service.")
        else:
            try:
                services.agenda_child_add(meeting=access.meeting, child=child, reason=form.cleaned_data["reason"],
                                          actor=request.user)
                messages.success(request, f"{child.reference} added to the agenda.")
            except ValidationError as exc:
                messages.error(request, error_text(exc))
    else:
        messages.error(request, "Give the child's reference and a reason.")
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_POST
def agenda_remove(request, meeting_id: int, item_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    item = get_object_or_404(AgendaItem.objects.select_related("child"), pk=item_id, meeting=access.meeting)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for removing the child: it is recorded in the audit log.")
    else:
        try:
            services.agenda_child_remove(meeting=access.meeting, child=item.child, reason=form.cleaned_data["reason"],
                                         actor=request.user)
            messages.success(request, f"{item.child.reference} removed from the agenda.")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_POST
def agenda_slot(request, meeting_id: int, item_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    item = get_object_or_404(AgendaItem.objects.select_related("child", "meeting"), pk=item_id, meeting=access.meeting)
    presenters = User.objects.filter(agency_id=access.meeting.panel.service_id, is_active=True)
    form = SlotForm(request.POST, presenters=presenters)
    if not form.is_valid():
        messages.error(request, "Check the slot: " + form_error_text(form))
        return redirect("meeting_agenda", meeting_id=meeting_id)
    try:
        services.agenda_item_update(
            item=item, actor=request.user, expected_version=form.cleaned_data["version"],
            slot_start=form.cleaned_data["slot_start"], slot_minutes=form.cleaned_data["slot_minutes"],
            presenter=form.cleaned_data["presenter"],
        )
        messages.success(request, f"Slot saved for {item.child.reference}.")
    except services.AgendaConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_POST
def agenda_assign_slots(request, meeting_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    try:
        count = services.agenda_assign_slots(meeting=access.meeting, actor=request.user)
        messages.success(request, f"{count} slot(s) assigned.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_POST
def agenda_publish(request, meeting_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _agenda_page(request, access, form, status=400)
    try:
        version = services.agenda_publish(meeting=access.meeting, actor=request.user, note=form.cleaned_data["note"],
                                          note_checked=form.cleaned_data["note_checked"])
        messages.success(request, f"Version {version.number} published: invited partners can now see it.")
    except ValidationError as exc:
        if "note" in getattr(exc, "error_dict", {}):
            form.add_error("note", exc.error_dict["note"])
            return _agenda_page(request, access, form, status=400)
        messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


@login_required
@require_GET
def agenda_pack(request, meeting_id: int, fmt: str):
    access = panel_selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if fmt not in ("html", "pdf"):
        raise Http404("No such format")  # before the audit entry: nothing was downloaded
    view = agenda_view_for(access=access, published_only=True)
    if view.version is None:
        raise Http404("No published agenda yet")
    audit_children_read(actor=request.user, action="agenda.pack_downloaded", children=view.items,
                        meeting=access.meeting, request=request, detail={"format": fmt, "version": view.version.number})
    opening, closing = standing_items(access.meeting.panel.kind)
    context = {"meeting": access.meeting, "view": view, "opening": opening, "closing": closing,
               "audience": access.viewer, "generated": timezone.now()}
    if fmt == "html":
        return render(request, "agendas/pack.html", context)
    if fmt == "pdf":
        response = HttpResponse(pack_pdf(request, context), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="agenda-{access.meeting.local_date.isoformat()}-v{view.version.number}.pdf"'
        )
        return response
    raise Http404("No such format")


@login_required
@require_GET
def forward_look(request, panel_id: int):
    access = panel_selectors.panel_get_for_user(user=request.user, panel_id=panel_id)
    if not permissions.can_view_forward_look(Viewer.of(request.user), service_id=access.panel.service_id):
        raise Http404("No such panel")
    meetings = selectors.meetings_not_held(panel=access.panel, today=timezone.localdate())[:3]
    computed = services.agendas_compute(panel=access.panel, meetings=meetings) if meetings else {}
    audit_children_read(actor=request.user, action="agenda.forward_look_viewed", panel=access.panel,
                        children=[item for items in computed.values() for item in items], request=request)
    return render(request, "agendas/forward_look.html", {
        "panel": access.panel, "meetings": [(m, computed[m.pk]) for m in meetings],
    })


@login_required
@require_http_methods(["GET", "POST"])
def rule_settings(request, panel_id: int):
    access = panel_selectors.panel_get_managed(user=request.user, panel_id=panel_id)
    panel = access.panel
    current = services.panel_rule_settings(panel)
    form = RuleSettingsForm(request.POST or None, current=current, kind=panel.kind)
    if request.method == "POST" and form.is_valid():
        new, errors = form.as_settings()
        if errors:
            for error in errors:
                form.add_error(None, error)
        else:
            services.panel_rule_settings_update(panel=panel, settings=new, actor=request.user)
            messages.success(request, "Rule settings saved; the agendas of meetings still to come were rebuilt.")
            return redirect("panel_rule_settings", panel_id=panel.pk)
    return render(request, "agendas/rule_settings.html", {"panel": panel, "form": form,
                                                          "codes": CODES_BY_KIND.get(panel.kind, ())})


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request, child_id: int):
    child = panel_selectors.child_get_for_user(user=request.user, child_id=child_id)
    panels = Panel.objects.filter(service_id=child.service_id, is_active=True)
    form = ReferralForm(request.POST or None, panels=panels)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_create(panel=form.cleaned_data["panel"], child=child, reason=form.cleaned_data["reason"],
                                     actor=request.user)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, f"Referral sent to the chair of {form.cleaned_data['panel'].name}.")
            return redirect("child_detail", child_id=child.pk)
    return render(request, "agendas/referral_new.html", {"child": child, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def referral_list(request, panel_id: int):
    access = panel_selectors.panel_get_managed(user=request.user, panel_id=panel_id)
    if request.method == "POST":
        referral = get_object_or_404(Referral, pk=request.POST.get("referral"), panel=access.panel)
        form = ReferralDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.referral_decide(referral=referral, actor=request.user,
                                         accept=form.cleaned_data["decision"] == "accept",
                                         note=form.cleaned_data["note"])
                messages.success(request, f"Referral of {referral.child.reference} "
                                          f"{'accepted' if form.cleaned_data['decision'] == 'accept' else 'declined'}.")
            except ValidationError as exc:
                messages.error(request, error_text(exc))
        else:
            messages.error(request, "Choose accept or decline.")
        return redirect("panel_referrals", panel_id=panel_id)
    referrals = selectors.referral_list_for_panel(panel=access.panel)
    return render(request, "agendas/referral_list.html", {
        "panel": access.panel, "pending": [r for r in referrals if r.status == Referral.Status.PENDING],
        "decided": [r for r in referrals if r.status != Referral.Status.PENDING][:30],
    })


@login_required
@require_GET
def child_agendas(request, child_id: int):
    """One child across every panel: where they are listed next, why, and by when."""
    child = panel_selectors.child_get_for_user(user=request.user, child_id=child_id)
    found = selectors.child_agendas_for(user=request.user, child=child, today=timezone.localdate())
    audit_record(actor=request.user, action="child.agendas_viewed", child=child, request=request)
    return render(request, "agendas/child_agendas.html", {
        "child": child, "rows": found.rows, "referrals": found.referrals, "visible_meetings": found.visible_meetings})
