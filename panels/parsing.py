"""Strict parsing of numbers that arrive as text (query strings, form fields, file cells): ASCII digits only
(``"²"`` and ``"٣"`` pass ``str.isdigit`` but are not numbers here), and within what the database holds, so a
bad value is a 400 or "not found", never a 500 (issue 14)."""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2**63 - 1  # BigAutoField
MAX_INT = 2**31 - 1


def is_plain_digits(text: str, *, max_length: int = 19) -> bool:
    return 0 < len(text) <= max_length and text.isascii() and text.isdigit()


def parse_id(value, *, maximum: int = MAX_ID) -> int | None:
    """A non-negative whole number written in ASCII digits, at most ``maximum``; None for anything else."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not is_plain_digits(text, max_length=len(str(maximum))):
        return None
    number = int(text)
    return number if number <= maximum else None


def parse_ids(values: Iterable) -> list[int]:
    return [n for n in (parse_id(v) for v in values) if n is not None]


def parse_flag(value: str | None) -> bool | None:
    """A yes/no query parameter as the API schema states it (``true`` or ``false``); absent is False; None for
    anything else (a 400 naming the parameter)."""
    if value is None:
        return False
    return {"true": True, "false": False}.get(value)
