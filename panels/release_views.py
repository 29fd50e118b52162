"""The child's release address and ETE on release (issue 16, point 4). Thin: parse, select (need to know:
``child_get_for_user``, 404 for anyone else), call a service, render. Who may see the child's record may record
here: the service's managers and coordinators, and the child's case manager. Every read is audited with the
child; like every page, they are sent "Cache-Control: no-store" (panels.http_limits)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from panels import release_selectors, release_services, selectors
from panels.audit import audit_record
from panels.forms import REFUSED, form_submit
from panels.page_parts import child_page_context
from panels.records import child_to_record
from panels.release_forms import AddressChangeForm, ReleaseEteForm


def _page(request, child, *, address_form=None, ete_form=None, status=200):
    today = timezone.localdate()
    view = release_selectors.release_view(child=child)
    audit_record(actor=request.user, action="child.release_viewed", child=child, request=request)
    ete = view.ete
    return render(request, "panels/child_release.html", {
        "child": child, "view": view, "today": today, "page_has_errors": status == 400,
        **child_page_context(child=child, record=child_to_record(child), today=today),
        "address_form": address_form or AddressChangeForm(initial={"on": today.isoformat()}, prefix="address"),
        "ete_form": ete_form or ReleaseEteForm(prefix="ete", initial={
            "kind": ete.kind if ete else "", "provider": ete.provider if ete else "",
            "hours_per_week": ete.hours_per_week if ete else None, "starts_on": ete.starts_on if ete else None,
            "notes": ete.notes if ete else "", "interview_on": child.ete_interview_on}),
    }, status=status)


@login_required
@require_GET
def child_release(request, child_id: int):
    """The release address (status, history) and the ETE planned for release, with what the rules say is due."""
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    return _page(request, child)


@login_required
@require_POST
def child_release_address(request, child_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    form = AddressChangeForm(request.POST, prefix="address")
    done = form_submit(form, lambda data: release_services.release_address_record(
        child=child, actor=request.user, today=timezone.localdate(), **data))
    if done is not REFUSED:
        messages.success(request, "Release address change recorded.")
        return redirect("child_release", child_id=child.pk)
    return _page(request, child, address_form=form, status=400)


@login_required
@require_POST
def child_release_ete(request, child_id: int):
    child = selectors.child_get_for_user(user=request.user, child_id=child_id)
    form = ReleaseEteForm(request.POST, prefix="ete")
    done = form_submit(form, lambda data: release_services.release_ete_set(child=child, actor=request.user, **data))
    if done is not REFUSED:
        messages.success(request, "Education, training or employment on release saved.")
        return redirect("child_release", child_id=child.pk)
    return _page(request, child, ete_form=form, status=400)
