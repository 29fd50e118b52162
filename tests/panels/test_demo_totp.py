"""``manage.py demo_totp``: the demo authenticator's code, readable and fresh enough to type."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_otp.oath import TOTP

from panels.demo import DEMO_TOTP_KEY
from panels.management.commands.demo_totp import FRESH_SECONDS, demo_code_at


def _token_at(when: int) -> str:
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY), t0=0)
    totp.time = when
    return f"{totp.token():06d}"


def test_a_code_with_time_to_spare_is_printed_at_once():
    start = 1_800_000_000 - 1_800_000_000 % 30  # the first second of a 30-second step
    found = demo_code_at(start + 5)
    assert (found.code, found.wait, found.remaining) == (_token_at(start), 0, 25)


def test_a_code_about_to_expire_is_replaced_by_the_next_one_after_a_wait():
    start = 1_800_000_000 - 1_800_000_000 % 30
    found = demo_code_at(start + 30 - (FRESH_SECONDS - 1))
    assert found.wait == FRESH_SECONDS - 1
    assert found.code == _token_at(start + 30) != _token_at(start)
    assert found.remaining == 30


def test_the_code_is_alone_on_its_line_and_the_note_follows_after_a_space():
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_totp", stdout=out, stderr=err)
    assert len(out.getvalue()) == 7 and out.getvalue()[:6].isdigit() and out.getvalue().endswith("\n")
    assert err.getvalue().splitlines()[-1].startswith(" (valid for about ")
