"""Edges of notifications: the chair's escalation of an action to the panel's strategic lead."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minutes.selectors import action_get_for_user
from notifications.reminders import action_escalate_to_lead


@login_required
@require_POST
def action_escalate(request, action_id: int):
    access = action_get_for_user(user=request.user, action_id=action_id)
    try:
        action_escalate_to_lead(action=access.action, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, "Escalated: the strategic lead has been emailed.")
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
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
