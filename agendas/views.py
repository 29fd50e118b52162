"""Agenda pages: the working agenda for chairs, the published agenda for partners, packs, referrals."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
    SlotInviteForm,
)
from agendas.models import AgendaItem, ItemInvitation, Referral
from agendas.presenters import agenda_view_for, pack_pdf
from agendas.rules import CODES_BY_KIND
from agendas.standing import standing_items
from panels import permissions
from panels import selectors as panel_selectors
from panels.audit import audit_children_read, audit_record
from panels.confirmation import Confirmation, confirmation_page, is_confirmed
from panels.enums import MeetingStatus
from panels.forms import error_text, form_add_service_error, form_error_text
from panels.models import Agency, Child, Panel, User
from panels.permissions import Viewer


@login_required
@require_GET
def meeting_agenda(request, meeting_id: int):
    access = panel_selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    return _agenda_page(request, access)


def _agenda_page(request, access, *, publish_form: PublishForm | None = None, add_form: AddChildForm | None = None,
                 bound: tuple[str, int, forms.Form] | None = None, status: int = 200):
    """The agenda page. A refused form comes back bound (``bound``: which item's form, for the per-child
    ones), its section open, its errors in the summary at the top; answered with 400."""
    view = agenda_view_for(access=access)
    audit_children_read(actor=request.user, action="agenda.viewed", children=view.items, meeting=access.meeting,
                        request=request,
                        detail={"version": view.version.number if view.version else None, "working": view.working})
    opening, closing = standing_items(access.meeting.panel.kind)
    presenters = list(User.objects.filter(agency_id=access.meeting.panel.service_id, is_active=True))
    agencies = list(Agency.objects.order_by("name")) if access.can_manage else []
    publish_form = publish_form or PublishForm(auto_id="publish-%s")
    add_form = add_form or AddChildForm(auto_id="add-%s")

    def item_forms(item: AgendaItem, reference: str) -> dict[str, forms.Form]:
        """The forms of one child's item: the refused one as posted, the others fresh."""
        fresh = {
            "invite": SlotInviteForm(auto_id=f"slot-{item.pk}-%s", agencies=agencies),
            "slot": SlotForm(auto_id=f"slot-{item.pk}-%s", presenters=presenters, initial={
                "slot_start": item.slot_start.strftime("%H:%M") if item.slot_start else "",
                "slot_minutes": item.slot_minutes, "presenter": item.presenter_id, "version": item.version}),
            "remove": _removal_form(item, reference=reference),
        }
        if bound and bound[1] == item.pk:
            fresh[bound[0]] = bound[2]
        return fresh

    refused = [f for f in (publish_form, add_form, bound[2] if bound else None) if f is not None and f.errors]
    return render(request, "agendas/agenda.html", {
        "meeting": access.meeting, "access": access, "view": view, "opening": opening, "closing": closing,
        "add_form": add_form, "publish_form": publish_form, "refused": refused, "item_forms": item_forms,
        "bound_item": bound[1] if bound else None, "page_has_errors": bool(refused),
    }, status=status)


def _managed_item(request, meeting_id: int, item_id: int):
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    item = get_object_or_404(AgendaItem.objects.select_related("child", "meeting"), pk=item_id, meeting=access.meeting)
    return access, item


def _slot_people(access) -> tuple[list[User], list[Agency]]:
    return (list(User.objects.filter(agency_id=access.meeting.panel.service_id, is_active=True)),
            list(Agency.objects.order_by("name")))


@login_required
@require_POST
def agenda_slot_invite(request, meeting_id: int, item_id: int):
    """Invite someone for one child's slot only (a calendar invite for the slot's time goes at once)."""
    access, item = _managed_item(request, meeting_id, item_id)
    form = SlotInviteForm(request.POST, auto_id=f"slot-{item.pk}-%s", agencies=_slot_people(access)[1])
    if form.is_valid():
        try:
            link = services.item_invitation_add(item=item, actor=request.user, name=form.cleaned_data["name"],
                                                email=form.cleaned_data["email"], agency=form.cleaned_data["agency"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{link.invitee.name} invited for {item.child.reference}'s slot.")
            return redirect("meeting_agenda", meeting_id=meeting_id)
    return _agenda_page(request, access, bound=("invite", item.pk, form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_slot_uninvite(request, meeting_id: int, item_id: int, link_id: int):
    """Withdraw a slot invitation. Once invitations have gone (the person is sent a cancellation) it needs
    confirming: GET, or a POST without ``confirm=yes``, shows what will happen and changes nothing."""
    access = panel_selectors.meeting_get_managed(user=request.user, meeting_id=meeting_id)
    link = get_object_or_404(ItemInvitation.objects.select_related("item__child", "item__meeting", "invitee"),
                             pk=link_id, item_id=item_id, item__meeting=access.meeting)
    confirmation = _withdrawal(access.meeting, link)
    if request.method == "GET" and confirmation is None:
        return redirect("meeting_agenda", meeting_id=meeting_id)
    if confirmation and not is_confirmed(request):
        return confirmation_page(request, confirmation)
    try:
        services.item_invitation_remove(link=link, actor=request.user)
        messages.success(request, f"{link.invitee.name}'s invitation for {link.item.child.reference} withdrawn.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("meeting_agenda", meeting_id=meeting_id)


def _withdrawal(meeting, link: ItemInvitation) -> Confirmation | None:
    if meeting.status == MeetingStatus.DRAFT:
        return None  # nothing has been sent
    name, reference = link.invitee.name, link.item.child.reference
    others = ItemInvitation.objects.filter(invitee=link.invitee).exclude(pk=link.pk).exists()
    return Confirmation(
        title=f"Withdraw {name}'s invitation for {reference}'s slot?",
        caption=f"{meeting.panel.name}, agenda",
        facts=[f"{name} ({link.invitee.email}) is invited for {reference}'s slot."],
        happens=[f"{name} is sent a cancellation for this slot, and can no longer see {reference}'s item."]
        + ([] if others else [f"{name} is invited for no other slot, so is no longer invited to the meeting."]),
        warning="To invite them again you add them again; they get a new invitation.",
        button="Withdraw the invitation", back_url=reverse("meeting_agenda", args=[meeting.pk]),
        warning_button=True)


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
    form = AddChildForm(request.POST, auto_id="add-%s")
    if form.is_valid():
        child = Child.objects.filter(service_id=access.meeting.panel.service_id,
                                     reference=form.cleaned_data["reference"].strip()).first()
        if child is None:
            form.add_error("reference", f"No child with reference {form.cleaned_data['reference']} in this service.")
        else:
            try:
                services.agenda_child_add(meeting=access.meeting, child=child, reason=form.cleaned_data["reason"],
                                          actor=request.user)
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{child.reference} added to the agenda.")
                return redirect("meeting_agenda", meeting_id=meeting_id)
    return _agenda_page(request, access, add_form=form, status=400)


def _removal_form(item: AgendaItem, reference: str, data=None) -> ReasonForm:
    return ReasonForm(data, auto_id=f"remove-{item.pk}-%s",
                      label=f"Why remove {reference}? (recorded in the audit log)")


@login_required
@require_POST
def agenda_remove(request, meeting_id: int, item_id: int):
    access, item = _managed_item(request, meeting_id, item_id)
    form = _removal_form(item, item.child.reference, request.POST)
    if form.is_valid():
        try:
            services.agenda_child_remove(meeting=access.meeting, child=item.child, reason=form.cleaned_data["reason"],
                                         actor=request.user)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{item.child.reference} removed from the agenda.")
            return redirect("meeting_agenda", meeting_id=meeting_id)
    return _agenda_page(request, access, bound=("remove", item.pk, form), status=400)


@login_required
@require_POST
def agenda_slot(request, meeting_id: int, item_id: int):
    access, item = _managed_item(request, meeting_id, item_id)
    form = SlotForm(request.POST, auto_id=f"slot-{item.pk}-%s", presenters=_slot_people(access)[0])
    if form.is_valid():
        try:
            services.agenda_item_update(
                item=item, actor=request.user, expected_version=form.cleaned_data["version"],
                slot_start=form.cleaned_data["slot_start"], slot_minutes=form.cleaned_data["slot_minutes"],
                presenter=form.cleaned_data["presenter"],
            )
        except services.AgendaConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Slot saved for {item.child.reference}.")
            return redirect("meeting_agenda", meeting_id=meeting_id)
    return _agenda_page(request, access, bound=("slot", item.pk, form), status=400)


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
    form = PublishForm(request.POST, auto_id="publish-%s")
    if not form.is_valid():
        return _agenda_page(request, access, publish_form=form, status=400)
    try:
        version = services.agenda_publish(meeting=access.meeting, actor=request.user, note=form.cleaned_data["note"],
                                          note_checked=form.cleaned_data["note_checked"])
        messages.success(request, f"Version {version.number} published: invited partners can now see it.")
    except ValidationError as exc:
        if "note" in getattr(exc, "error_dict", {}):
            form.add_error("note", exc.error_dict["note"])
            return _agenda_page(request, access, publish_form=form, status=400)
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
        else:  # names what is wrong: no decision chosen, or a note over its stated limit
            messages.error(request, form_error_text(form))
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
