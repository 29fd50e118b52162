"""python manage.py demo_totp — the current two-factor code of the demo authenticator (panels.demo).

Only the published demo key: it reads no user's device, so it gives nothing away about real accounts."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from panels.demo import DEMO_TOTP_KEY, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current 6-digit code for the demo users' authenticator (demo data only)."

    def handle(self, *args, **options) -> None:
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
        remaining = totp.step - int(totp.time - totp.t0) % totp.step
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(f"(valid for about {remaining} more seconds; each code works once per user; "
                          f"authenticator-app key: {DEMO_TOTP_SECRET})")
