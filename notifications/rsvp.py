"""Replies to invites: signed links in the email, buttons on the meeting page, and iTIP REPLY messages.

Every route ends in ``rsvp_record``: the reply is stored on the attendee's copy of the calendar entry
(and, for the whole meeting, on the invitation the chair sees), audited, and never bumps SEQUENCE. Sending
a deputy adds the deputy as an invitee (with the same slot, if the invitation was for one slot): the
reconcile step then invites them and updates the others' attendee lists.

Links name the entry and the address they were sent to and last ``LINK_DAYS``; opening one shows a form
and changes nothing (mail scanners follow links); only the POST records the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.ical import ICalError, Reply, replies_parse

SALT = "convene.notifications.rsvp"
LINK_DAYS = 120
ANSWERS = ("accepted", "tentative", "declined", "delegated")
DEPUTY_FIELDS = {"name": "deputy_name", "email": "deputy_email"}  # invitee_add's errors, as the reply form names them


class LinkRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RsvpLink:
    entry_id: int
    email: str


def token_for(*, entry_id: int, email: str) -> str:
    return signing.dumps({"c": entry_id, "e": email.lower()}, salt=SALT, compress=True)


def links_for(*, entry_id: int, email: str) -> dict[str, str]:
    base = settings.SITE_URL + reverse("rsvp", args=[token_for(entry_id=entry_id, email=email)])
    return {answer: f"{base}?answer={answer}" for answer in ANSWERS}


def token_read(token: str) -> RsvpLink:
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise LinkRefused("This link has expired. Sign in to Convene to reply.") from exc
    except signing.BadSignature as exc:
        raise LinkRefused("This link is not valid.") from exc
    return RsvpLink(entry_id=int(data["c"]), email=str(data["e"]))


@transaction.atomic
def rsvp_record(*, entry, email: str, response: str, comment: str = "", deputy_name: str = "",
                deputy_email: str = "", actor=None, source: str = "link", request=None):
    """Store one attendee's answer for one calendar entry. Returns the attendee's copy."""
    from agendas.services import item_invitation_add
    from notifications.models import CalendarCopy
    from panels.audit import audit_record
    from panels.enums import MeetingStatus
    from panels.models import MeetingInvitee
    from panels.services import invitee_add

    errors: dict[str, str] = {}
    if response not in ANSWERS:
        errors["response"] = "Choose accept, tentative, decline or send a deputy."
    copy = (CalendarCopy.objects.select_for_update(of=("self",)).select_related("entry__meeting")
            .filter(entry=entry, email__iexact=email).order_by("pk").first())
    meeting = entry.meeting
    if copy is None or copy.method == "CANCEL":
        errors["email"] = f"{email} is not invited to this meeting (any more)."
    elif entry.cancelled or meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.CLOSED):
        errors["response"] = "This meeting has been cancelled or has taken place: there is nothing to reply to."
    invitee = MeetingInvitee.objects.filter(meeting=meeting, email__iexact=email).first()
    if response == "delegated" and invitee is None:
        errors["email"] = f"{email} is not invited to this meeting (any more)."
    if response == "delegated" and deputy_email.strip().lower() == email.lower():
        errors["deputy_email"] = "Your deputy needs a different email address from yours."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    copy.response, copy.comment, copy.responded_at = response, comment.strip()[:500], now
    copy.save(update_fields=["response", "comment", "responded_at", "updated_at"])
    if entry.item_id is None and invitee is not None:
        invitee.response, invitee.response_comment, invitee.responded_at = response, copy.comment, now
        invitee.save(update_fields=["response", "response_comment", "responded_at"])
    if response == "delegated":  # after the answer is saved, so the deputy's invite shows the delegation;
        # the deputy is invited like anyone else, with the same checks (an error rolls the answer back)
        try:
            deputy = invitee_add(meeting=meeting, actor=actor, name=deputy_name, email=deputy_email,
                                 agency=invitee.agency, role=invitee.role, delegate_of=invitee,
                                 announce=entry.item_id is None)
        except ValidationError as exc:
            raise ValidationError({DEPUTY_FIELDS.get(field, field): messages
                                   for field, messages in exc.message_dict.items()}) from exc
        if entry.item_id is not None:  # a deputy for a slot gets the slot (and that announces them)
            item_invitation_add(item=entry.item, actor=actor, invitee=deputy)
    audit_record(actor=actor, action="invite.replied", meeting=meeting, panel=meeting.panel, request=request,
                 detail={"email": email.lower(), "response": response, "source": source,
                         "slot": entry.item_id is not None, **({"deputy": deputy_email} if deputy_email else {})})
    return copy


@dataclass
class ReplyOutcome:
    applied: list[Reply]
    refused: list[tuple[Reply, str]]


def replies_apply(data: bytes | str, *, source: str = "reply") -> ReplyOutcome:
    """Apply an iTIP REPLY (the text/calendar body of an attendee's email). Raises ICalError if unreadable."""
    from notifications.models import CalendarEntry

    outcome = ReplyOutcome(applied=[], refused=[])
    replies = replies_parse(data)
    by_email = {r.attendee_email: r for r in replies}
    for reply in replies:
        if reply.response == "needs_action":
            continue
        entry = CalendarEntry.objects.select_related("meeting__panel").filter(uid=reply.uid).first()
        if entry is None:
            outcome.refused.append((reply, f"No meeting has the UID {reply.uid}."))
            continue
        deputy = by_email.get(reply.delegated_to) if reply.delegated_to else None
        try:
            rsvp_record(entry=entry, email=reply.attendee_email, response=reply.response, comment=reply.comment,
                        deputy_name=(deputy.attendee_name if deputy else "") or reply.delegated_to,
                        deputy_email=reply.delegated_to, source=source)
        except ValidationError as exc:
            outcome.refused.append((reply, "; ".join(m for ms in exc.message_dict.values() for m in ms)))
        else:
            outcome.applied.append(reply)
    return outcome


def reply_from_email(raw: bytes) -> bytes:
    """The text/calendar part of an attendee's reply email (iMIP), or raise ICalError."""
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    for part in message.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            payload = part.get_payload(decode=True)
            if payload:
                return payload
    raise ICalError("The email holds no text/calendar part.")
