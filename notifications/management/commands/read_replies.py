"""Apply attendees' replies (iTIP METHOD:REPLY emails) from files: .eml messages, an mbox, a Maildir,
or bare .ics objects. For a mail gateway that can only drop files; others POST to /api/itip/replies/."""

from __future__ import annotations

import mailbox
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notifications.ical import ICalError
from notifications.rsvp import replies_apply, reply_from_email


def _messages(path: Path):
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            for key, message in mailbox.Maildir(path, create=False).items():
                yield f"{path}/{key}", message.as_bytes()
        else:
            for child in sorted(path.iterdir()):
                if child.is_file():
                    yield from _messages(child)
    elif path.suffix.lower() in (".mbox", ".mbx"):
        for index, message in enumerate(mailbox.mbox(path, create=False)):
            yield f"{path}#{index}", message.as_bytes()
    else:
        yield str(path), path.read_bytes()


class Command(BaseCommand):
    help = "Apply calendar replies from .eml/.ics files, an mbox or a Maildir."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders to read")

    def handle(self, *args, **options):
        applied = refused = unreadable = 0
        for raw_path in options["paths"]:
            path = Path(raw_path)
            if not path.exists():
                raise CommandError(f"{raw_path}: no such file or folder")
            for name, data in _messages(path):
                try:
                    calendar = data if data.lstrip().upper().startswith(b"BEGIN:VCALENDAR") else reply_from_email(data)
                    outcome = replies_apply(calendar, source="mailbox")
                except ICalError as exc:
                    unreadable += 1
                    self.stderr.write(f"{name}: {exc}")
                    continue
                applied += len(outcome.applied)
                refused += len(outcome.refused)
                for reply, why in outcome.refused:
                    self.stderr.write(f"{name}: {reply.attendee_email}: {why}")
        self.stdout.write(f"{applied} replies applied, {refused} refused, {unreadable} messages unreadable.")
