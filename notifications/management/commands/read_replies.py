"""Apply attendees' replies (iTIP METHOD:REPLY emails) from files: .eml messages, an mbox, a Maildir,
or bare .ics objects. For a mail gateway that can only drop files; others POST to /api/itip/replies/.

Each message is applied or refused on its own, with a one-line reason; a bad one never stops the rest.
Only the attendee answers for themself, so the sender is the email's From (a bare .ics has none and is
refused). Maildir messages read are moved to ``cur/`` with the Seen flag, and seen ones are skipped, so
a second run applies nothing twice. Exits 1 when anything was refused or unreadable.
"""

from __future__ import annotations

import mailbox
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notifications.ical import ICalError
from notifications.rsvp import MAX_REPLY_BYTES, TOO_LARGE, replies_apply, reply_from_email, sender_of


def _messages(path: Path):
    """(name, bytes, done) for every message; ``done`` marks a Maildir message as read."""
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            box = mailbox.Maildir(path, create=False)
            for key in sorted(box.keys()):
                message = box.get_message(key)
                if "S" in message.get_flags():
                    continue  # processed by an earlier run

                def done(key=key, message=message):
                    message.set_subdir("cur")
                    message.add_flag("S")
                    box[key] = message

                yield f"{path}/{key}", message.as_bytes(), done
        else:
            for child in sorted(path.iterdir()):
                if child.is_file():
                    yield from _messages(child)
    elif path.suffix.lower() in (".mbox", ".mbx"):
        for index, message in enumerate(mailbox.mbox(path, create=False)):
            yield f"{path}#{index}", message.as_bytes(), None
    else:
        yield str(path), path.read_bytes(), None


class Command(BaseCommand):
    help = "Apply calendar replies from .eml/.ics files, an mbox or a Maildir."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders to read")

    def handle(self, *args, **options):
        applied = kept = refused = unreadable = 0
        for raw_path in options["paths"]:
            path = Path(raw_path)
            if not path.exists():
                raise CommandError(f"{raw_path}: no such file or folder")
            for name, data, done in _messages(path):
                try:
                    if len(data) > MAX_REPLY_BYTES:
                        raise ICalError(TOO_LARGE)
                    bare = data.lstrip().upper().startswith(b"BEGIN:VCALENDAR")
                    calendar = data if bare else reply_from_email(data)
                    outcome = replies_apply(calendar, sender="" if bare else sender_of(data), source="mailbox")
                except ICalError as exc:
                    unreadable += 1
                    self.stderr.write(f"{name}: unreadable: {exc}")
                else:
                    applied += len(outcome.applied)
                    kept += len(outcome.kept)
                    refused += len(outcome.refused)
                    for reply, why in outcome.refused:
                        self.stderr.write(f"{name}: {reply.attendee_email}: refused: {why}")
                    for reply, why in outcome.kept:
                        self.stdout.write(f"{name}: {reply.attendee_email}: kept: {why}")
                if done is not None:
                    done()
        self.stdout.write(f"{applied} replies applied, {kept} kept without change, {refused} refused, "
                          f"{unreadable} messages unreadable.")
        if refused or unreadable:
            raise CommandError(f"{refused} replies refused, {unreadable} messages unreadable.", returncode=1)
