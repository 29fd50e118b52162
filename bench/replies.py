"""Benchmark: what a reply holding many events costs before it is refused (issue 13: 20,000 events used to
be applied in 252 s with 20,000 audit rows).

    .venv/bin/python bench/replies.py [--events 20000 4000]

Builds an Outlook-style REPLY (tests/notifications/replies/outlook.ics) holding N copies of its event and
times ``replies_apply`` refusing it (median of 20 runs); counts the audit rows and reply records written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _setup import ROOT, django_setup, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, nargs="+", default=[20_000, 4_000])
    args = parser.parse_args()
    django_setup()
    from notifications.ical import ICalError
    from notifications.models import ReplyRecord
    from notifications.rsvp import replies_apply
    from panels.models import AuditEntry

    one = (Path(ROOT) / "tests/notifications/replies/outlook.ics").read_text() % {
        "uid": "meeting-1@bench.example", "email": "a@agency.example", "EMAIL": "A@AGENCY.EXAMPLE",
        "partstat": "ACCEPTED", "sequence": 0, "stamp": "20270101T090000Z", "name": "A", "comment": ""}
    head, rest = one.split("BEGIN:VEVENT", 1)
    body, tail = rest.split("END:VEVENT", 1)
    for n in args.events:
        data = (head + f"BEGIN:VEVENT{body}END:VEVENT\r\n" * n + tail.lstrip("\r\n")).encode()

        def refuse(data=data) -> str:
            try:
                replies_apply(data, sender="a@agency.example")
            except ICalError as exc:
                return str(exc)
            return "applied"

        seconds, reason = timed(refuse, repeat=20)
        print(f"{n:,} events, {len(data):,} bytes: {seconds * 1e6:,.0f} µs (median of 20) -> {reason!r}; "
              f"{AuditEntry.objects.count()} audit rows, {ReplyRecord.objects.count()} reply records")


if __name__ == "__main__":
    main()
