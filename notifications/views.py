"""Edges of notifications: replies to invites, calendar feeds, in-app notices, what was sent, email
preferences, reminder settings and the chair's escalation of an action to the strategic lead."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minutes.selectors import action_get_for_user
from notifications import child_invites, feeds, preferences, rsvp
from notifications.forms import LadderForm, StatutoryLadderForm
from notifications.ical import ICalError
from notifications.invites import meeting_label, slot_times
from notifications.ladder import Ladder, StatutoryLadder
from notifications.models import (
    CalendarCopy,
    CalendarEntry,
    FeedToken,
    Notification,
    OutboxMessage,
)
from notifications.outbox import outbox_retry
from notifications.reminders import action_escalate_to_lead
from panels.audit import audit_record
from panels.forms import error_text
from panels.selectors import meeting_get_for_user, meeting_get_managed, panel_get_for_user, panel_get_managed


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
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    """Reminders as one email per action or a daily digest; and which optional emails to get."""
    if request.method == "POST":
        preferences.email_preferences_save(user=request.user, digest=request.POST.get("digest") == "yes",
                                           wanted=request.POST.getlist("emails"))
        messages.success(request, "Email preferences saved.")
        return redirect("email_preferences")
    return render(request, "notifications/email_preferences.html",
                  {"choices": preferences.email_choices_for(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request, panel_id: int):
    """The panel's two ladders (chair and coordinator; anyone else 404): reminders and escalation of its
    actions, and escalation of the missed statutory timescales of the children it oversees."""
    access = panel_get_managed(user=request.user, panel_id=panel_id)
    which = request.POST.get("which", "actions") if request.method == "POST" else None
    form = LadderForm(request.POST if which == "actions" else None,
                      current=preferences.reminder_ladder_for(panel=access.panel))
    statutory = StatutoryLadderForm(request.POST if which == "statutory" else None,
                                    current=preferences.statutory_ladder_for(panel=access.panel))
    bound = form if which == "actions" else statutory if which == "statutory" else None
    if bound is not None and bound.is_valid():
        ladder, errors = bound.ladder()
        for error in errors:
            bound.add_error(None, error)
        if ladder is not None:
            if isinstance(ladder, Ladder):
                preferences.reminder_ladder_save(panel=access.panel, ladder=ladder, actor=request.user)
                messages.success(request, "Reminder settings saved: the next daily run uses them.")
            elif isinstance(ladder, StatutoryLadder):
                preferences.statutory_ladder_save(panel=access.panel, ladder=ladder, actor=request.user)
                messages.success(request, "Escalation settings saved: the next daily run uses them.")
            return redirect("reminder_settings", panel_id=panel_id)
    return render(request, "notifications/reminder_settings.html",
                  {"panel": access.panel, "form": form, "statutory": statutory})


# --- replies to invites --------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@csrf_protect
def rsvp_link(request, token: str):
    """The signed link in an invite: GET shows the choices (changes nothing), POST records the answer."""
    try:
        link = rsvp.token_read(token)
    except rsvp.LinkRefused as exc:
        return render(request, "notifications/rsvp_refused.html", {"reason": exc.reason}, status=403)
    entry = (CalendarEntry.objects.select_related("meeting__panel", "item", "child_meeting")
             .filter(pk=link.entry_id).first())
    copy = CalendarCopy.objects.filter(entry=entry, email__iexact=link.email).first() if entry else None
    if entry is None or copy is None:
        return render(request, "notifications/rsvp_refused.html",
                      {"reason": "This invitation no longer exists."}, status=403)
    errors: dict[str, str] = {}
    answer = request.POST.get("response") if request.method == "POST" else request.GET.get("answer", "")
    if request.method == "POST":
        try:
            result = rsvp.rsvp_record(entry=entry, email=link.email, response=answer or "",
                                      comment=request.POST.get("comment", ""),
                                      deputy_name=request.POST.get("deputy_name", ""),
                                      deputy_email=request.POST.get("deputy_email", ""), source="link",
                                      request=request)
        except ValidationError as exc:
            errors = {field: " ".join(messages_) for field, messages_ in exc.message_dict.items()}
        else:
            label = DELEGATION_REQUESTED if result.outcome == "requested" else ANSWER_LABELS.get(answer, answer)
            return render(request, "notifications/rsvp_done.html", {"entry": entry, "answer": answer,
                                                                    "label": label})
    response = render(request, "notifications/rsvp.html", {
        "entry": entry, "copy": copy, "answer": answer if answer in rsvp.ANSWERS else copy.response,
        "errors": errors, "post": request.POST, **_entry_label(entry),
    }, status=400 if errors else 200)
    response["Referrer-Policy"] = "same-origin"
    return response


def _entry_label(entry: CalendarEntry) -> dict:
    """What the reply page calls the event and when it starts; a child's meeting never by the child."""
    if entry.child_meeting is not None:
        return {"label": child_invites.SUMMARY, "starts": entry.child_meeting.starts_at, "deputies": False}
    assert entry.meeting is not None  # an entry is of a panel's meeting or of a child's (a check constraint)
    return {"label": meeting_label(entry.meeting), "deputies": True,
            "starts": entry.meeting.starts_at if entry.item is None else slot_times(entry.meeting, entry.item)[0]}


ANSWER_LABELS = {"accepted": "You accepted", "tentative": "You said you might come", "declined": "You declined",
                 "delegated": "You sent a deputy: they have been invited"}
DELEGATION_REQUESTED = ("You asked to send a deputy: the chair decides, and your deputy is invited only if "
                        "they accept")


@login_required
@require_POST
def meeting_rsvp(request, meeting_id: int):
    """A signed-in invitee answers on the meeting page (for every entry they hold of this meeting)."""
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    invitee = access.meeting.invitees.filter(user=request.user).first()
    if invitee is None:
        raise Http404("You are not invited to this meeting")
    copies = list(CalendarCopy.objects.filter(entry__meeting=access.meeting, email__iexact=invitee.email)
                  .exclude(method="CANCEL").select_related("entry"))
    if not copies:
        messages.error(request, "Your invitation has not been sent yet, so there is nothing to reply to.")
        return redirect("meeting_detail", meeting_id=meeting_id)
    try:
        for copy in copies:
            rsvp.rsvp_record(entry=copy.entry, email=invitee.email, response=request.POST.get("response", ""),
                             comment=request.POST.get("comment", ""), actor=request.user, source="page",
                             request=request)
        messages.success(request, "Reply sent to the chair.")
    except ValidationError as exc:
        messages.error(request, error_text(exc, sep="; "))
    return redirect("meeting_detail", meeting_id=meeting_id)


@login_required
@require_POST
def delegation_decide(request, meeting_id: int, request_id: int):
    """The chair or coordinator accepts or declines a request to send a deputy (outsiders get 404)."""
    access = meeting_get_managed(user=request.user, meeting_id=meeting_id)
    accept = request.POST.get("decision") == "accept"
    try:
        found = rsvp.delegation_decide(meeting=access.meeting, request_id=request_id, accept=accept,
                                       actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc, sep="; "))
    else:
        messages.success(request, f"{found.deputy_name} has been invited as a deputy." if accept
                         else "Delegation declined: the invitee is asked to reply again.")
    return redirect("meeting_detail", meeting_id=meeting_id)


@csrf_exempt
@require_POST
def itip_replies(request):
    """A mail gateway posts attendees' replies: the raw email (message/rfc822) or the text/calendar part.

    Authenticated by ``Authorization: Bearer <INBOUND_REPLY_TOKEN>``; off when that setting is empty.
    """
    expected = settings.INBOUND_REPLY_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not constant_time_compare(given, expected):
        return JsonResponse({"detail": "Authentication credentials were not provided or are wrong."}, status=401)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > rsvp.MAX_REPLY_BYTES:
        return JsonResponse({"detail": rsvp.TOO_LARGE}, status=413)
    try:
        raw = request.body
    except RequestDataTooBig:
        return JsonResponse({"detail": rsvp.TOO_LARGE}, status=413)
    if len(raw) > rsvp.MAX_REPLY_BYTES:
        return JsonResponse({"detail": rsvp.TOO_LARGE}, status=413)
    kind = request.content_type
    if kind not in ("message/rfc822", "text/calendar"):
        return JsonResponse({"detail": "Send text/calendar or message/rfc822."}, status=415)
    # the sender: the email's From, or (for a bare text/calendar) the gateway's X-Convene-Sender header
    sender = rsvp.sender_of(raw) if kind == "message/rfc822" else request.headers.get("X-Convene-Sender", "")
    try:
        data = rsvp.reply_from_email(raw) if kind == "message/rfc822" else raw
        outcome = rsvp.replies_apply(data, sender=sender, source="reply")
    except ICalError as exc:
        return JsonResponse({"detail": str(exc)}, status=422 if str(exc) != rsvp.TOO_LARGE else 413)
    body = {"applied": [{"uid": r.uid, "attendee": r.attendee_email, "response": r.response}
                        for r in outcome.applied],
            "kept": [{"uid": r.uid, "attendee": r.attendee_email, "reason": why} for r, why in outcome.kept],
            "refused": [{"uid": r.uid, "attendee": r.attendee_email, "reason": why} for r, why in outcome.refused]}
    if outcome.refused:
        body["detail"] = "; ".join(why for _, why in outcome.refused)
    return JsonResponse(body, status=422 if outcome.refused else 200)


# --- calendar feed -------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, token: str):
    """The feed; HEAD answers like GET without a body, and ETag/Last-Modified let a calendar ask cheaply."""
    user = feeds.feed_user(token)
    if user is None:
        raise Http404("No such calendar")
    body, changed = feeds.feed_bytes_and_changed(user=user)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match", "") == etag:
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    if changed is not None:
        response["Last-Modified"] = http_date(changed.timestamp())
    response["Content-Disposition"] = 'inline; filename="convene.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """Make, replace or revoke the secret address of my calendar feed. The address is shown once."""
    new_url = None
    if request.method == "POST":
        new_url = feeds.feed_url(feeds.feed_token_create(user=request.user, request=request))
    token = FeedToken.objects.filter(user=request.user).first()
    return render(request, "notifications/calendar_settings.html", {"token": token, "new_url": new_url})


@login_required
@require_POST
def calendar_revoke(request):
    """Revoke the secret address of my calendar feed: it stops working at once."""
    if feeds.feed_token_revoke(user=request.user, request=request):
        messages.success(request, "Your calendar address has been revoked: it no longer works.")
    return redirect("calendar_settings")


# --- in-app notices ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at=None).update(read_at=timezone.now())
        return redirect("notification_list")
    page = Paginator(mine.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


# --- what was sent -------------------------------------------------------------------------------
@login_required
@require_GET
def meeting_deliveries(request, meeting_id: int):
    """Every invite and email about a meeting, with its delivery status (chair and coordinator)."""
    access = meeting_get_managed(user=request.user, meeting_id=meeting_id)
    sent = list(OutboxMessage.objects.filter(meeting=access.meeting).only(*MESSAGE_COLUMNS)
                .order_by("-created_at", "-id")[:500])
    copies = list(CalendarCopy.objects.filter(entry__meeting=access.meeting).select_related("entry__item__child")
                  .order_by("entry__item__slot_start", "entry_id", "email"))
    rsvp.earlier_answers_attach(copies)
    return render(request, "notifications/meeting_deliveries.html", {
        "meeting": access.meeting, "sent": sent, "copies": copies, "now": timezone.now()})


MESSAGE_COLUMNS = ("id", "kind", "status", "to", "subject", "ics_method", "attempts", "last_error", "created_at",
                   "sent_at", "not_before", "meeting_id", "panel_id")


@login_required
@require_GET
def panel_deliveries(request, panel_id: int):
    """Every email about a panel (invites, reminders, notices) and its delivery status."""
    access = panel_get_managed(user=request.user, panel_id=panel_id)
    status = request.GET.get("status", "")
    sent = OutboxMessage.objects.filter(panel=access.panel).only(*MESSAGE_COLUMNS).order_by("-created_at", "-id")
    if status in OutboxMessage.Status.values:
        sent = sent.filter(status=status)
    page = Paginator(sent, 100).get_page(request.GET.get("page"))
    return render(request, "notifications/panel_deliveries.html", {
        "panel": access.panel, "sent": page.object_list, "page": page, "status": status,
        "statuses": OutboxMessage.Status.choices, "now": timezone.now()})


def _managed_message(request, message_id: int) -> OutboxMessage:
    """A message about a meeting or panel the user manages; 404 for anything else."""
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None or message.panel_id is None:
        raise Http404("No such message")
    if message.meeting_id is not None:
        allowed = meeting_get_for_user(user=request.user, meeting_id=message.meeting_id).can_manage
    else:
        allowed = panel_get_for_user(user=request.user, panel_id=message.panel_id).can_manage
    if not allowed:
        raise Http404("No such message")
    return message


@login_required
@require_GET
def outbox_message(request, message_id: int):
    message = _managed_message(request, message_id)
    return render(request, "notifications/outbox_message.html", {"message": message})


@login_required
@require_POST
def outbox_message_retry(request, message_id: int):
    message = _managed_message(request, message_id)
    outbox_retry(message=message)
    audit_record(actor=request.user, action="outbox.retry", meeting=message.meeting, panel=message.panel,
                 detail={"message": message.pk})
    messages.success(request, f"The message to {message.to} will be tried again now.")
    if message.meeting_id:
        return redirect("meeting_deliveries", meeting_id=message.meeting_id)
    return redirect("panel_deliveries", panel_id=message.panel_id)
