"""One guard for every cell Convene writes to a CSV or spreadsheet file (issue 14).

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (``=HYPERLINK(...)``, ``@SUM(...)``): such a value is prefixed with ``'`` so it is shown as text. Every
CSV writer (the cohort export, the audit export, the subject-access export) passes its cells through
``csv_safe`` or writes rows with ``safe_row``; a test walks every writer with hostile values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")  # full-width forms too


def csv_safe(value: Any) -> Any:
    """``value`` as a spreadsheet will show it, never run it: text starting like a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any] | Iterable[Any]):
    """A whole row (a dict for ``csv.DictWriter``, or a sequence) with every cell through ``csv_safe``."""
    if isinstance(row, Mapping):
        return {key: csv_safe(value) for key, value in row.items()}
    return [csv_safe(value) for value in row]


def csv_unescape(value: str) -> str:
    """The reverse of ``csv_safe`` for a file Convene reads back (the cohort import of its own export)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_LEADS):
        return value[1:]
    return value
