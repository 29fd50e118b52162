"""The outbox: every email Convene sends is written here first, in the caller's transaction, then
delivered by a worker with retries and backoff.

- ``outbox_enqueue`` writes a message (and replaces a waiting one with the same ``merge_key``: that is
  how a burst of changes to a meeting becomes one update). After the transaction commits, delivery is
  kicked off: a Celery task in the production shape; in the embedded shape Celery runs eagerly, so it
  happens in-process right after the commit.
- ``outbox_deliver`` claims due messages (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), sends
  them through the real transport (``settings.OUTBOX_TRANSPORT_BACKEND``: SMTP in production, a local
  mailbox folder in the embedded shape) and marks each sent only once the server accepted it. A refused
  or failed connection leaves the message waiting, with ``attempts`` and a growing delay; after
  ``MAX_ATTEMPTS`` it is marked failed and shown to the coordinator. ``manage.py deliver_outbox`` drains
  it by hand or in a loop; Celery beat runs it every minute in production.
- ``OutboxBackend`` is Django's ``EMAIL_BACKEND``: mail sent with ``django.core.mail`` (password resets
  and the like) goes through the outbox too.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
MAX_ATTEMPTS = 12  # 1, 2, 4 … 60 minutes apart: about eight hours of trying
BACKOFF_CAP = timedelta(hours=1)
CLAIM_TIMEOUT = timedelta(minutes=10)  # a worker that died mid-send: its claim lapses after this
BATCH = 100


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _message_id() -> str:
    return make_msgid(idstring=uuid.uuid4().hex[:12], domain=settings.SITE_DOMAIN)


def outbox_enqueue(
    *, kind: str, to: str, subject: str, body_text: str, body_html: str = "", ics: bytes | str = b"",
    ics_method: str = "", meeting=None, panel=None, recipient=None, merge_key: str = "",
    not_before: datetime | None = None, from_email: str = "", reply_to: str = "",
) -> OutboxMessage:
    """Write one message in the current transaction; it is delivered after commit."""
    if "\n" in subject or "\r" in subject:
        raise ValueError("An email subject cannot contain line breaks.")
    ics_text = ics.decode() if isinstance(ics, bytes) else ics
    if ics_text:
        inside = _method_of(ics_text)
        if ics_method and inside != ics_method.upper():
            raise ValueError(f"The calendar object says METHOD:{inside or '(none)'}, not {ics_method}.")
        ics_method = inside or "PUBLISH"
    now = timezone.now()
    if merge_key:
        OutboxMessage.objects.filter(merge_key=merge_key, status__in=[Status.PENDING, Status.RETRYING]).update(
            status=Status.SUPERSEDED, last_error="Replaced by a later message before it was sent.")
    message = OutboxMessage.objects.create(
        kind=kind, to=to, subject=subject[:300], body_text=body_text, body_html=body_html,
        ics=ics_text, ics_method=ics_method,
        meeting=meeting, panel=panel if panel is not None else (meeting.panel if meeting is not None else None),
        recipient=recipient, merge_key=merge_key, message_id=_message_id(), not_before=not_before or now,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL, reply_to=reply_to,
    )
    delivery_schedule(after_commit=True)
    return message


def _kick() -> None:
    from notifications.tasks import outbox_deliver_task

    try:
        outbox_deliver_task.delay()
    except Exception:  # the broker is down: the periodic run will pick the messages up
        logger.exception("could not queue outbox delivery; the next periodic run will send the messages")


def _method_of(ics: str) -> str:
    for line in ics.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
        if line.upper().startswith("BEGIN:VEVENT"):
            break
    return ""


def delivery_schedule(*, after_commit: bool = True) -> None:
    """Ask for one delivery run once the current transaction commits (Celery, eager when embedded)."""
    if not getattr(settings, "OUTBOX_DELIVER_ON_COMMIT", True):
        return
    if not after_commit:
        _kick()
    else:  # once per transaction (savepoint), however many messages it writes
        here = set(connection.savepoint_ids)
        if not any(func is _kick and sids == here for sids, func, _ in connection.run_on_commit):
            transaction.on_commit(_kick)


def email_of(message: OutboxMessage) -> EmailMultiAlternatives:
    """The MIME message, built the way Google Calendar's own invites are: multipart/mixed holding a
    multipart/alternative (text, HTML, text/calendar with the same method as the object) and the same
    calendar again as an ``invite.ics`` attachment for clients that only look at attachments."""
    headers = {"Message-ID": message.message_id, "Auto-Submitted": "auto-generated",
               "X-Auto-Response-Suppress": "OOF, AutoReply"}
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, from_email=message.from_email, to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None, headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.ics:
        method = message.ics_method or "PUBLISH"
        email.attach_alternative(message.ics, f"text/calendar; method={method}")  # Django adds the charset
        email.attach("invite.ics", message.ics.encode(), "application/ics")
    return email


def _claim(now: datetime, limit: int, only: list[int] | None) -> list[OutboxMessage]:
    due = OutboxMessage.objects.filter(status__in=[Status.PENDING, Status.RETRYING], not_before__lte=now)
    stale = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    with transaction.atomic():
        query = (due | stale).order_by("not_before", "id")
        if only is not None:
            query = query.filter(pk__in=only)
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        ids = list(query.values_list("pk", flat=True)[:limit])
        OutboxMessage.objects.filter(pk__in=ids).update(status=Status.SENDING, claimed_at=now)
    return list(OutboxMessage.objects.filter(pk__in=ids).order_by("not_before", "id"))


def _failed(message: OutboxMessage, error: Exception, now: datetime, result: Delivery) -> None:
    attempts = message.attempts + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    if attempts >= MAX_ATTEMPTS or isinstance(error, smtplib.SMTPRecipientsRefused):
        OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=attempts, last_error=text)
        result.failed += 1
        logger.error("outbox message %s to %s failed for good: %s", message.pk, message.to, text)
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.RETRYING, attempts=attempts, last_error=text, not_before=now + backoff(attempts))
        result.retrying += 1


def outbox_deliver(*, now: datetime | None = None, limit: int = BATCH, only: list[int] | None = None,
                   drain: bool = False) -> Delivery:
    """Send what is due. ``drain`` repeats until nothing due is left (or the server refuses)."""
    result = Delivery()
    while True:
        now_ = now or timezone.now()
        batch = _claim(now_, limit, only)
        if not batch:
            return result
        transport = get_connection(settings.OUTBOX_TRANSPORT_BACKEND, fail_silently=False)
        try:
            transport.open()
        except Exception as exc:  # the server is down: every claimed message waits for the next try
            for message in batch:
                _failed(message, exc, now_, result)
            return result
        try:
            for index, message in enumerate(batch):
                try:
                    transport.send_messages([email_of(message)])
                except (OSError, smtplib.SMTPException) as exc:
                    _failed(message, exc, now_, result)
                    # a refusal of this one message (recipient, sender, data) leaves the connection usable;
                    # anything else (SMTPException is an OSError too) means the connection is gone
                    refused = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
                    if not isinstance(exc, refused):
                        # the connection is gone: put the rest back as they were, untried
                        rest = [m.pk for m in batch[index + 1:]]
                        OutboxMessage.objects.filter(pk__in=rest, status=Status.SENDING).update(
                            status=Status.PENDING, claimed_at=None)
                        return result
                else:
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        status=Status.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, last_error="")
                    result.sent += 1
        finally:
            try:
                transport.close()
            except Exception:  # closing a broken connection must not hide what was sent
                logger.warning("closing the mail connection failed", exc_info=True)
        if not drain or len(batch) < limit:
            return result


def outbox_retry(*, message: OutboxMessage) -> None:
    """The coordinator asks to try a failed message again now."""
    OutboxMessage.objects.filter(pk=message.pk, status__in=[Status.FAILED, Status.RETRYING]).update(
        status=Status.PENDING, not_before=timezone.now(), attempts=0)
    delivery_schedule(after_commit=True)


class OutboxBackend(BaseEmailBackend):
    """``EMAIL_BACKEND``: mail sent through django.core.mail is written to the outbox, one row per address."""

    def send_messages(self, email_messages) -> int:
        count = 0
        with transaction.atomic():
            for email in email_messages:
                html = next((content for content, mimetype in getattr(email, "alternatives", [])
                             if mimetype == "text/html"), "")
                for address in email.recipients():
                    outbox_enqueue(kind=OutboxMessage.Kind.OTHER, to=address, subject=str(email.subject),
                                   body_text=email.body, body_html=html, from_email=email.from_email)
                count += 1
        return count
