"""Replies to invites: signed links in the email, buttons on the meeting page, and iTIP REPLY messages.

Every route ends in ``rsvp_record``, the one place that decides whether an answer may be applied: only
the attendee (or a registered alternative address of their user) answers for themself; a reply for an
older SEQUENCE is kept in the history but changes nothing, one above the SEQUENCE sent is refused, and
among answers to one SEQUENCE the later DTSTAMP wins. An applied answer is stored on the attendee's copy
of the calendar entry (and, for the whole meeting, on the invitation the chair sees), audited, and never
bumps SEQUENCE. A deputy from the delegator's own agency is invited at once (same slot, own name and
agency, ``delegate_of`` set); anyone else becomes a ``DelegationRequest`` the chair or coordinator
decides on (``delegation_decide``): a delegation never grants access by itself.

Links name the entry and the address they were sent to and last ``LINK_DAYS``; opening one shows a form
and changes nothing (mail scanners follow links); only the POST records the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.events import DelegationRequested
from notifications.ical import ICalError, Reply, replies_parse
from panels.events import event_emit

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


@dataclass
class ReplyResult:
    """What became of one answer: ``applied``, ``earlier`` (for an older version: kept in the history,
    changes nothing), ``overtaken`` (an answer written later is already applied), ``duplicate`` (the
    same calendar reply read again: nothing is written) or ``requested``
    (a deputy from outside the delegator's agency: waits for the chair)."""

    outcome: str
    copy: object
    message: str = ""
    delegation: object = None


COMMENT_MAX = 500  # the note for the chair (MeetingInvitee.response_comment, CalendarCopy.comment)
NAME_MAX = 200  # a deputy's name (MeetingInvitee.name)
CLOCK_SKEW = timedelta(minutes=15)  # a DTSTAMP further ahead of its arrival is taken as the arrival time


def _refuse(field: str, message: str):
    raise ValidationError({field: message})


def sender_may_answer(*, sender: str, attendee_email: str, invitee, actor=None) -> bool:
    """Only the attendee answers for themself: the sender is their address, or a registered alternative
    address of their user; a signed-in user answers as the invitee they are."""
    from notifications.models import AlternativeAddress

    sender = (sender or "").strip().lower()
    if actor is not None and getattr(actor, "is_authenticated", False) and invitee is not None \
            and invitee.user_id == actor.pk:
        return True
    if not sender:
        return False
    if sender == attendee_email.strip().lower():
        return True
    user = invitee.user if invitee is not None and invitee.user_id else None
    if user is None:
        return False
    return sender == (user.email or "").lower() or AlternativeAddress.objects.filter(
        user=user, email__iexact=sender).exists()


def _deputy_checks(*, email: str, deputy_name: str, deputy_email: str, invitee, meeting) -> tuple[str, str]:
    from django.core.validators import validate_email

    errors: dict[str, str] = {}
    deputy_name, deputy_email = deputy_name.strip(), deputy_email.strip().lower()
    if invitee is None:
        errors["email"] = f"{email} is not invited to this meeting (any more)."
    if not deputy_name:
        errors["deputy_name"] = "Give your deputy's name."
    elif len(deputy_name) > NAME_MAX:
        errors["deputy_name"] = (f"Your deputy's name must be {NAME_MAX:,} characters or fewer "
                                 f"(it has {len(deputy_name):,}).")
    try:
        validate_email(deputy_email)
    except ValidationError:
        errors["deputy_email"] = "Give your deputy's email address, like name@agency.gov.uk."
    else:
        if deputy_email == email.strip().lower():
            errors["deputy_email"] = "Your deputy needs a different email address from yours."
        elif meeting.invitees.filter(email__iexact=deputy_email).exists():
            errors["deputy_email"] = f"{deputy_email} is already invited to this meeting."
    if errors:
        raise ValidationError(errors)
    return deputy_name, deputy_email


def _agency_of(invitee) -> int | None:
    return invitee.agency_id or (invitee.user.agency_id if invitee.user_id else None)


def _invite_deputy(*, entry, delegator, name: str, email: str, actor):
    """Invite an accepted deputy: under their own agency (never the delegator's), for the same slot."""
    from agendas.services import item_invitation_add
    from panels.models import User
    from panels.services import invitee_add

    user = User.objects.filter(email__iexact=email, is_active=True).select_related("agency").first()
    if user is not None:
        name = user.get_full_name() or name
    try:
        deputy = invitee_add(meeting=entry.meeting, actor=actor, name=name, email=email,
                             agency=user.agency if user is not None else None, role=delegator.role,
                             delegate_of=delegator, announce=entry.item_id is None)
    except ValidationError as exc:
        raise ValidationError({DEPUTY_FIELDS.get(field, field): messages
                               for field, messages in exc.message_dict.items()}) from exc
    if entry.item_id is not None:  # a deputy for a slot gets the slot (and that announces them)
        item_invitation_add(item=entry.item, actor=actor, invitee=deputy)
    return deputy


@transaction.atomic
def rsvp_record(*, entry, email: str, response: str, comment: str = "", deputy_name: str = "",
                deputy_email: str = "", actor=None, source: str = "link", request=None, sender: str | None = None,
                sequence: int | None = None, stamp=None) -> ReplyResult:
    """Decide whether one attendee's answer for one calendar entry may be applied, and apply it.

    The one place every route goes through (the emailed link, the meeting page, the mail reader and the
    API). ``sender`` is who it came from (the email's From; for a link, the address the link was sent to;
    ``None`` means that address). ``sequence``/``stamp`` are the reply's SEQUENCE and DTSTAMP (``None``:
    the current version, now). Raises ValidationError with the reason when it is refused."""
    from notifications.models import CalendarCopy, DelegationRequest, ReplyRecord
    from panels.audit import audit_record
    from panels.enums import ChildMeetingStatus, MeetingStatus
    from panels.models import ChildMeetingParticipant, MeetingInvitee

    if response not in ANSWERS:
        _refuse("response", "Choose accept, tentative, decline or send a deputy.")
    copy = (CalendarCopy.objects.select_for_update(of=("self",))
            .filter(entry=entry, email__iexact=email).order_by("pk").first())
    meeting, child_meeting = entry.meeting, entry.child_meeting  # a panel's meeting, or a child's statutory one
    if entry.cancelled or (meeting is not None and meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.CLOSED)) \
            or (child_meeting is not None and child_meeting.status != ChildMeetingStatus.PLANNED):
        _refuse("response", "This meeting has been cancelled or has taken place: there is nothing to reply to.")
    if copy is None or copy.method == "CANCEL":
        _refuse("email", f"{email} is not invited to this meeting (any more).")
    if meeting is not None:
        invitee = MeetingInvitee.objects.select_related("user").filter(meeting=meeting, email__iexact=email).first()
    else:
        invitee = ChildMeetingParticipant.objects.select_related("user").filter(
            child_meeting=child_meeting, email__iexact=email).first()
        if response == "delegated":
            _refuse("response", "A deputy cannot be sent to a meeting about a child: ask the case manager to "
                                "invite them.")
    sender = (email if sender is None else sender).strip().lower()
    if not sender_may_answer(sender=sender, attendee_email=email, invitee=invitee, actor=actor):
        _refuse("email", f"{sender or 'A reply with no sender'} may not answer for {email.lower()}: "
                         "only the attendee answers for themself.")
    now = timezone.now()
    sequence = entry.sequence if sequence is None else sequence
    if stamp is None or stamp > now + CLOCK_SKEW:  # a clock far ahead would otherwise outrank every later answer
        stamp = now.replace(microsecond=0)  # DTSTAMPs have whole seconds: equal ones go by arrival
    if sequence > entry.sequence:
        _refuse("sequence", f"SEQUENCE {sequence} is newer than any version of this meeting sent "
                            f"({entry.sequence}).")
    if source in ("link", "page") and len(comment.strip()) > COMMENT_MAX:  # a person typed it: say so
        _refuse("comment", f"The note must be {COMMENT_MAX:,} characters or fewer (it has {len(comment.strip()):,}).")
    comment = comment.strip()[:COMMENT_MAX]  # a calendar's reply: kept to the limit
    history = {"copy": copy, "sender": sender, "response": response, "comment": comment, "sequence": sequence,
               "stamp": stamp, "source": source}
    if sequence < entry.sequence:
        ReplyRecord.objects.create(outcome=ReplyRecord.Outcome.EARLIER, **history)
        return ReplyResult("earlier", copy, f"This answers an earlier version (SEQUENCE {sequence}; now "
                                            f"{entry.sequence}): kept, but it changes nothing.")
    if copy.answered_sequence == sequence and copy.answered_stamp is not None and stamp < copy.answered_stamp:
        ReplyRecord.objects.create(outcome=ReplyRecord.Outcome.OVERTAKEN, **history)
        return ReplyResult("overtaken", copy, "A later answer to this version is already applied: kept, "
                                              "but it changes nothing.")
    if source in ("reply", "mailbox") and (copy.answered_sequence, copy.answered_stamp, copy.response, copy.comment) \
            == (sequence, stamp, response, comment):  # the same email again (a gateway's retry, a re-read file)
        return ReplyResult("duplicate", copy, "This reply is already applied: nothing changes.")
    delegation = None
    outcome = "applied"
    if response == "delegated":
        deputy_name, deputy_email = _deputy_checks(email=email, deputy_name=deputy_name, deputy_email=deputy_email,
                                                   invitee=invitee, meeting=meeting)
    copy.response, copy.comment, copy.responded_at = response, comment, now
    copy.answered_sequence, copy.answered_stamp = sequence, stamp
    copy.save(update_fields=["response", "comment", "responded_at", "answered_sequence", "answered_stamp",
                             "updated_at"])
    if isinstance(invitee, ChildMeetingParticipant):
        invitee.response = response
        invitee.save(update_fields=["response"])
    elif entry.item_id is None and invitee is not None:
        invitee.response, invitee.response_comment, invitee.responded_at = response, comment, now
        invitee.save(update_fields=["response", "response_comment", "responded_at"])
    ReplyRecord.objects.create(outcome=ReplyRecord.Outcome.APPLIED, **history)
    if response == "delegated":  # after the answer is saved, so the deputy's invite shows the delegation
        from panels.models import User

        known = User.objects.filter(email__iexact=deputy_email, is_active=True).first()
        agency = _agency_of(invitee)
        if known is not None and known.agency_id is not None and known.agency_id == agency:
            _invite_deputy(entry=entry, delegator=invitee, name=deputy_name, email=deputy_email, actor=actor)
        else:  # never access by itself: the chair or coordinator decides
            delegation = DelegationRequest.objects.filter(delegator=invitee, deputy_email__iexact=deputy_email,
                                                          status=DelegationRequest.Status.PENDING).first()
            if delegation is None:
                delegation = DelegationRequest.objects.create(meeting=meeting, entry=entry, delegator=invitee,
                                                              deputy_name=deputy_name, deputy_email=deputy_email,
                                                              source=source)
                # the chair's inbox (notifications/inbox.py); the meeting page lists it for the decision
                event_emit(DelegationRequested(meeting_id=meeting.pk, delegation_id=delegation.pk))
            outcome = "requested"
    where = ({"meeting": meeting, "panel": meeting.panel} if meeting is not None
             else {"child": child_meeting.child if child_meeting is not None else None})
    audit_record(actor=actor, action="invite.replied", request=request, **where,
                 detail={"email": email.lower(), "response": response, "source": source, "sender": sender,
                         "sequence": sequence, "slot": entry.item_id is not None,
                         **({"child_meeting": child_meeting.pk} if child_meeting is not None else {}),
                         **({"deputy": deputy_email} if response == "delegated" else {}),
                         **({"delegation_request": delegation.pk} if delegation else {})})
    return ReplyResult(outcome, copy, "", delegation)


def earlier_answers_attach(copies) -> None:
    """Set ``earlier_answer`` on each copy: its last answer to an earlier version given after the answer
    that stands (the chair sees "answered an earlier time"), or None. One query."""
    from notifications.models import ReplyRecord

    latest: dict[int, object] = {}
    for record in ReplyRecord.objects.filter(copy__in=[c.pk for c in copies]).order_by("created_at", "pk"):
        latest[record.copy_id] = record
    for copy in copies:
        record = latest.get(copy.pk)
        copy.earlier_answer = record if record is not None and record.outcome == ReplyRecord.Outcome.EARLIER else None


def delegation_requests_pending_for_user(user):
    """Delegation requests waiting for this user's decision (meetings they chair or coordinate)."""
    from notifications.models import DelegationRequest
    from panels.enums import MembershipRole

    return (DelegationRequest.objects.filter(
        status=DelegationRequest.Status.PENDING,
        meeting__panel__memberships__user=user,
        meeting__panel__memberships__role__in=[MembershipRole.CHAIR, MembershipRole.COORDINATOR])
        .select_related("meeting__panel", "delegator").order_by("created_at", "pk").distinct())


def delegation_requests_for_meeting(meeting):
    from notifications.models import DelegationRequest

    return list(DelegationRequest.objects.filter(meeting=meeting, status=DelegationRequest.Status.PENDING)
                .select_related("delegator").order_by("created_at", "pk"))


@transaction.atomic
def delegation_decide(*, meeting, request_id: int, accept: bool, actor, request=None):
    """The chair or coordinator accepts (the deputy is invited) or declines (the delegator is asked
    again) a delegation request. Only then does the deputy get anything."""
    from notifications.models import DelegationRequest
    from panels.audit import audit_record
    from panels.enums import MeetingStatus

    found = (DelegationRequest.objects.select_for_update(of=("self",))
             .select_related("entry__item", "entry__meeting", "delegator")
             .filter(pk=request_id, meeting=meeting).first())
    if found is None:
        raise ValidationError({"request": "No such delegation request."})
    if found.status != DelegationRequest.Status.PENDING:
        raise ValidationError({"request": "This request has already been decided."})
    if accept and meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError({"request": "Only a scheduled meeting takes a deputy."})
    found.status = DelegationRequest.Status.ACCEPTED if accept else DelegationRequest.Status.DECLINED
    found.decided_at, found.decided_by = timezone.now(), actor
    found.save(update_fields=["status", "decided_at", "decided_by"])
    if accept:
        _invite_deputy(entry=found.entry, delegator=found.delegator, name=found.deputy_name,
                       email=found.deputy_email, actor=actor)
    else:
        delegator = found.delegator
        if delegator.response == "delegated" and found.entry.item_id is None:
            delegator.response = "needs_action"
            delegator.save(update_fields=["response"])
        found.entry.copies.filter(email__iexact=delegator.email, response="delegated").update(
            response="needs_action")
    audit_record(actor=actor, action="invite.delegation_" + ("accepted" if accept else "declined"),
                 meeting=meeting, panel=meeting.panel, request=request,
                 detail={"delegator": found.delegator.email, "deputy": found.deputy_email})
    return found


@dataclass
class ReplyOutcome:
    applied: list[Reply] = field(default_factory=list)
    refused: list[tuple[Reply, str]] = field(default_factory=list)
    kept: list[tuple[Reply, str]] = field(default_factory=list)  # earlier, overtaken or waiting for the chair


MAX_REPLY_BYTES = 1024 * 1024
TOO_LARGE = "The reply is larger than 1 MB."


def replies_apply(data: bytes | str, *, sender: str, source: str = "reply") -> ReplyOutcome:
    """Apply an iTIP REPLY (the text/calendar body of an attendee's email) sent by ``sender``.

    Each answer is applied or refused on its own (a refusal rolls back that answer only). Raises
    ICalError if the object is unreadable, too large, or holds more than one event."""
    from notifications.models import CalendarEntry

    if len(data) > MAX_REPLY_BYTES:
        raise ICalError(TOO_LARGE)
    raw = data.encode() if isinstance(data, str) else data
    held = raw.upper().count(b"BEGIN:VEVENT")
    if held > 1:  # counted before parsing: a reply with thousands of events costs nothing
        raise ICalError(f"A reply answers one event; this one holds {held}.")
    outcome = ReplyOutcome()
    replies = replies_parse(data)
    events = {(r.uid, r.recurrence_id) for r in replies}
    if len(events) > 1:
        raise ICalError(f"A reply answers one event; this one holds {len(events)}.")
    by_email = {r.attendee_email: r for r in replies}
    for reply in replies:
        if reply.response == "needs_action":
            continue
        entry = CalendarEntry.objects.select_related("meeting__panel", "item").filter(uid=reply.uid).first()
        if entry is None:
            outcome.refused.append((reply, f"No meeting has the UID {reply.uid}."))
            continue
        deputy = by_email.get(reply.delegated_to) if reply.delegated_to else None
        try:
            result = rsvp_record(entry=entry, email=reply.attendee_email, response=reply.response,
                                 comment=reply.comment, sender=sender, sequence=reply.sequence, stamp=reply.stamp,
                                 deputy_name=(deputy.attendee_name if deputy else "") or reply.delegated_to,
                                 deputy_email=reply.delegated_to, source=source)
        except ValidationError as exc:
            outcome.refused.append((reply, "; ".join(m for ms in exc.message_dict.values() for m in ms)))
        else:
            if result.outcome in ("earlier", "overtaken", "duplicate"):
                outcome.kept.append((reply, result.message))
            else:
                outcome.applied.append(reply)
    return outcome


def sender_of(raw: bytes) -> str:
    """The bare address in an email's From header, lower-cased ("" if none)."""
    from email import message_from_bytes, policy
    from email.utils import parseaddr

    message = message_from_bytes(raw, policy=policy.compat32)
    return parseaddr(str(message.get("From", "")))[1].strip().lower()


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
