"""python manage.py demo_totp — the current two-factor code of the demo authenticator (panels.demo).

Only the published demo key: it reads no user's device, so it gives nothing away about real accounts.

The code goes to standard output on a line of its own (``code=$(manage.py demo_totp)`` gets just the code);
how long it stays valid goes to standard error on the next line. A code with fewer than ``FRESH_SECONDS`` left
would likely expire while it is typed, so the command waits for the next one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from panels.demo import DEMO_TOTP_KEY, DEMO_TOTP_SECRET

FRESH_SECONDS = 10


@dataclass(frozen=True)
class DemoCode:
    code: str
    wait: int  # seconds to wait before the code is current (0: now)
    remaining: int  # seconds the code is valid for once current


def demo_code_at(now: float) -> DemoCode:
    """The code to print at ``now`` (Unix time): the current one, or the next when fewer than FRESH_SECONDS remain."""
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY), t0=0)
    totp.time = int(now)
    remaining = totp.step - int(totp.time - totp.t0) % totp.step
    if remaining >= FRESH_SECONDS:
        return DemoCode(code=f"{totp.token():06d}", wait=0, remaining=remaining)
    totp.time = int(now) + remaining
    return DemoCode(code=f"{totp.token():06d}", wait=remaining, remaining=totp.step)


class Command(BaseCommand):
    help = "Print the current 6-digit code for the demo users' authenticator (demo data only)."

    def handle(self, *args, **options) -> None:
        found = demo_code_at(time.time())
        if found.wait:
            self.stderr.write(f" (the current code expires in {found.wait} seconds: waiting for the next one)",
                              style_func=lambda text: text)
            time.sleep(found.wait)
        self.stdout.write(found.code)
        self.stderr.write(f" (valid for about {found.remaining} more seconds; each code works once per user; "
                          f"authenticator-app key: {DEMO_TOTP_SECRET})", style_func=lambda text: text)
