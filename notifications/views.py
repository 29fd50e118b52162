"""Edges of notifications: the chair's escalation of an action to the panel's strategic lead."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from minutes.selectors import action_get_for_user
from notifications.forms import LadderForm
from notifications.ladder import Ladder
from notifications.models import ReminderPolicy
from notifications.reminders import action_escalate_to_lead
from panels.audit import audit_record
from panels.forms import error_text
from panels.selectors import panel_get_for_user


@login_required
@require_POST
def action_escalate(request, action_id: int):
    access = action_get_for_user(user=request.user, action_id=action_id)
    try:
        action_escalate_to_lead(action=access.action, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, "Escalated: the strategic lead has been emailed.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("action_detail", action_id=action_id)


@login_required
def email_preferences(request):
    """One email a day listing every action that needs attention, or one email per action."""
    if request.method == "POST":
        digest = request.POST.get("digest") == "yes"
        if digest != request.user.digest_emails:
            request.user.digest_emails = digest
            request.user.save(update_fields=["digest_emails"])
        messages.success(request, "Saved: " + ("one email a day." if digest else "one email per action."))
        return redirect("email_preferences")
    return render(request, "notifications/email_preferences.html", {})


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request, panel_id: int):
    """The panel's reminder and escalation ladder (chair and coordinator)."""
    access = panel_get_for_user(user=request.user, panel_id=panel_id)
    if not access.can_manage:
        raise Http404("No such panel")
    policy = ReminderPolicy.objects.filter(panel=access.panel).first()
    form = LadderForm(request.POST or None, current=policy.ladder if policy else Ladder())
    if request.method == "POST" and form.is_valid():
        ladder, errors = form.ladder()
        for error in errors:
            form.add_error(None, error)
        if ladder is not None:
            ReminderPolicy.objects.update_or_create(panel=access.panel, defaults={"settings": ladder.to_dict()})
            audit_record(actor=request.user, action="panel.reminders_changed", panel=access.panel,
                         detail=ladder.to_dict())
            messages.success(request, "Reminder settings saved: the next daily run uses them.")
            return redirect("reminder_settings", panel_id=panel_id)
    return render(request, "notifications/reminder_settings.html", {"panel": access.panel, "form": form})
