"""Actions between meetings: my actions, an action's page (update its status, ask for a new due date, decide
such a request), the same page reached by a signed link from an email, and a panel's action register.

Who may see it: an action, whoever ``action_get_for_user`` allows (others get 404); by a signed link, that one
action only; the register, the panel's service staff. Each action page read is audited with the child.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from minutes import services
from minutes.forms import ActionUpdateForm, DueDateDecisionForm, DueDateRequestForm, RegisterFilterForm
from minutes.links import LinkRefused, action_link_read
from minutes.models import Action, DueDateRequest
from minutes.selectors import (
    ActionAccess,
    action_get_for_link,
    action_get_for_user,
    action_list_for_user,
    action_register,
)
from panels.audit import audit_record
from panels.forms import error_text
from panels.models import Agency, Child
from panels.permissions import Viewer
from panels.selectors import panel_get_for_user


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
