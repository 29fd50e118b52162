"""Actions between meetings: my actions, an action's page, and a panel's action register.

An action's page (GET ``actions/<id>/``) has one URL per form, each parsing its form, calling one service and
going back to the page: ``status`` (a new status, or a progress note: ``services.action_progress``),
``due-date`` (ask for a later date: ``services.due_date_request``) and
``due-date-requests/<request id>/decision`` (agree or refuse it: ``services.due_date_decide``). A signed link
from an email (``actions/<id>/link/<token>/``) opens the page and its ``status`` and ``due-date`` forms for that
one action and nothing else; deciding a date needs a signed-in chair or coordinator.

Who may see it: an action, whoever ``action_get_for_user`` allows (others get 404); updating it, those with
``can_update``; deciding a date, ``can_manage`` (others get 404); the register, the panel's service staff. Each
action page read is audited with the child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from minutes import services
from minutes.forms import ActionUpdateForm, DueDateDecisionForm, DueDateRequestForm, RegisterFilterForm
from minutes.links import ActionLink, LinkRefused, action_link_read
from minutes.models import Action, DueDateRequest
from minutes.selectors import (
    ActionAccess,
    action_get_for_link,
    action_get_for_user,
    action_list_for_user,
    action_register,
)
from panels.audit import audit_record
from panels.forms import form_add_service_error
from panels.models import Agency, Child, User
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


@dataclass(frozen=True)
class _Opened:
    """An action as someone opened it: signed in, or by a signed link (``link``; the page and its forms then go
    through the link's URLs, and ``actor`` is the link's person, or None for an agency mailbox)."""

    access: ActionAccess
    actor: User | None
    link: ActionLink | None = None
    token: str = ""

    @property
    def label(self) -> str:
        return self.link.email if self.link is not None else ""

    def url(self, name: str) -> str:
        """One of the action's URLs (``page``, ``update``, ``date``), the signed link's own when opened by one."""
        pk = self.access.action.pk
        if self.link is None:
            return reverse(_SIGNED_IN[name], args=[pk])
        return reverse(_BY_LINK[name], args=[pk, self.token])


_SIGNED_IN = {"page": "action_detail", "update": "action_update", "date": "action_date_request"}
_BY_LINK = {"page": "action_link", "update": "action_link_update", "date": "action_link_date_request"}


def _signed_in(request, action_id: int) -> _Opened:
    return _Opened(action_get_for_user(user=request.user, action_id=action_id), request.user)


def _by_link(request, action_id: int, token: str, answer: Callable[[HttpRequest, _Opened], HttpResponse]):
    """Answer for a signed, expiring link from an email: this one action only, no browsing beyond it (another
    action's token, a tampered or expired one, or a link whose person lost their part: 403 with the reason)."""
    try:
        link = action_link_read(token=token, action_id=action_id)
        opened = action_get_for_link(link=link)
    except LinkRefused as exc:
        response = render(request, "minutes/link_refused.html", {"reason": exc.reason}, status=403)
        response["Cache-Control"] = "no-store"
        return response
    response = answer(request, _Opened(opened.access, opened.actor, link, token))
    # the token never leaks to another site ("no-referrer" would make browsers send "Origin: null" on the
    # form posts, which the CSRF check rightly refuses)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _page(request, opened: _Opened, *, refused: tuple[str, forms.Form] | None = None, status: int = 200):
    """The action's page. A refused form comes back bound (``refused``: which form, as posted), its section
    open and its errors in the summary at the top; answered with 400."""
    access, action = opened.access, opened.access.action
    audit_record(actor=opened.actor, action="action.viewed", child=action.child, meeting=action.meeting,
                 request=request, detail={"action_id": action.pk, **({"link": opened.label} if opened.link else {})})
    history = list(action.history.select_related("actor").order_by("-created_at", "-id"))
    notices = list(action.notices.order_by("-created_at", "-id")) if hasattr(action, "notices") else []
    requests = list(action.due_date_requests.select_related("requested_by", "decided_by"))
    page_forms: dict[str, forms.Form] = {
        "update": ActionUpdateForm(auto_id="update-%s", initial={"version": action.version}),
        "date": _date_form(action)}
    page_forms |= {f"decide-{r.pk}": DueDateDecisionForm(auto_id=f"decide-{r.pk}-%s") for r in requests}
    if refused:
        page_forms[refused[0]] = refused[1]
    return render(request, "minutes/action_detail.html", {
        "action": action, "access": access, "history": history, "notices": notices, "requests": requests,
        "link": opened.link, "urls": {name: opened.url(name) for name in _SIGNED_IN}, "today": timezone.localdate(),
        "statuses": [(s, label) for s, label in Action.Status.choices
                     if s in services.ALLOWED_MOVES[Action.Status(action.status)]
                     and (s != Action.Status.VERIFIED or access.can_manage)],
        "forms": page_forms, "refused": refused[1] if refused else None, "refused_kind": refused[0] if refused else "",
        "page_has_errors": bool(refused),
    }, status=status)


def _date_form(action: Action, data=None) -> DueDateRequestForm:
    form = DueDateRequestForm(data, auto_id="date-%s")
    form.fields["new_due_date"].help_text = f"A date after {action.due_date.day} {action.due_date:%b %Y}."
    return form


def _saved(request, opened: _Opened, kind: str, form: forms.Form, call: Callable[[], object],
           success: str) -> HttpResponse:
    """Run one service call; done, say so and go back to the action's page; refused, the page again with the
    form as posted and the reason on its field."""
    try:
        call()
    except services.RecordConflict as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        form_add_service_error(form, exc)
    else:
        messages.success(request, success)
        return redirect(opened.url("page"))
    return _page(request, opened, refused=(kind, form), status=400)


def _update(request, opened: _Opened) -> HttpResponse:
    """A new status (with a note and evidence) or a progress note: the owner's side, the panel's managers."""
    if not opened.access.can_update:
        raise Http404("No such action")
    form = ActionUpdateForm(request.POST, auto_id="update-%s")
    if not form.is_valid():
        if form.errors.pop("version", None):
            form.add_error(None, "The page was out of date: reload it and try again.")
        return _page(request, opened, refused=("update", form), status=400)
    data = form.cleaned_data
    return _saved(request, opened, "update", form, lambda: services.action_progress(
        action=opened.access.action, actor=opened.actor, actor_label=opened.label, status=data["status"],
        expected_version=data["version"], note=data["note"], evidence=data["evidence"]), "Action updated.")


def _date_request(request, opened: _Opened) -> HttpResponse:
    """Ask the panel for a later due date: those who may update the action."""
    if not opened.access.can_update:
        raise Http404("No such action")
    form = _date_form(opened.access.action, request.POST)
    if not form.is_valid():
        return _page(request, opened, refused=("date", form), status=400)
    return _saved(request, opened, "date", form, lambda: services.due_date_request(
        action=opened.access.action, actor=opened.actor, actor_label=opened.label,
        new_due_date=form.cleaned_data["new_due_date"], reason=form.cleaned_data["reason"]),
        "Request sent: the panel's chair or coordinator will decide.")


@login_required
@require_GET
def action_detail(request, action_id: int):
    return _page(request, _signed_in(request, action_id))


@login_required
@require_POST
def action_update(request, action_id: int):
    return _update(request, _signed_in(request, action_id))


@login_required
@require_POST
def action_date_request(request, action_id: int):
    return _date_request(request, _signed_in(request, action_id))


@login_required
@require_POST
def action_date_decide(request, action_id: int, request_id: int):
    """Agree or refuse a requested due date: the panel's chair or coordinator (never by a signed link)."""
    opened = _signed_in(request, action_id)
    if not opened.access.can_manage:
        raise Http404("No such action")
    asked = get_object_or_404(DueDateRequest, pk=request_id, action=opened.access.action)
    kind = f"decide-{asked.pk}"
    form = DueDateDecisionForm(request.POST, auto_id=f"{kind}-%s")
    if not form.is_valid():
        if form.errors.pop("agree", None):  # the buttons, not a field
            form.add_error(None, "Choose to agree or refuse the new date.")
        return _page(request, opened, refused=(kind, form), status=400)
    return _saved(request, opened, kind, form, lambda: services.due_date_decide(
        request=asked, actor=request.user, agree=form.cleaned_data["agree"], note=form.cleaned_data["note"]),
        "Decision recorded; the owner can see it.")


@require_GET
def action_link(request, action_id: int, token: str):
    """The action's page, opened by a signed link from an email."""
    return _by_link(request, action_id, token, _page)


@require_POST
def action_link_update(request, action_id: int, token: str):
    return _by_link(request, action_id, token, _update)


@require_POST
def action_link_date_request(request, action_id: int, token: str):
    return _by_link(request, action_id, token, _date_request)


@login_required
@require_GET
def action_register_page(request, panel_id: int):
    access = panel_get_for_user(user=request.user, panel_id=panel_id)
    if not Viewer.of(request.user).is_staff_of(access.panel.service_id):
        raise Http404("No such panel")
    today = timezone.localdate()
    form = RegisterFilterForm(request.GET or {"status": "open"})
    filters: dict = form.cleaned_data if form.is_valid() else {"status": "open"}
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
