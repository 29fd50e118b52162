"""The cohort interchange format (docs/cohort-format.md) as data: field specs, parsing, consistency checks.

Pure: no ORM, no clock ("today" is passed in). Used by the CSV import, the cohort export, the REST API
and ``agenda_dryrun``, so every entry point reads a child the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from panels.parsing import is_plain_digits

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # string | date | enum | int | bool | email
    choices: tuple[str, ...] | None = None
    required_import: bool = False
    required_dryrun: bool = False
    min: int | None = None
    max: int | None = None


@dataclass
class FieldError(Exception):
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _enum(name, *choices, **kw) -> FieldSpec:
    return FieldSpec(name, "enum", tuple(choices), **kw)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("reference", "string", required_import=True, required_dryrun=True, min=1, max=40),
    FieldSpec("given_name", "string", required_import=True, max=100),
    FieldSpec("family_name", "string", required_import=True, max=100),
    FieldSpec("preferred_name", "string", max=100),
    FieldSpec("date_of_birth", "date", required_import=True, required_dryrun=True),
    _enum("gender", "female", "male", "other", "unknown"),
    _enum("legal_status", "remand", "sentenced", "community", "released", "closed",
          required_import=True, required_dryrun=True),
    _enum("sentence_type", "dto", "s250", "s90", "yro", "referral_order", "remand_yda", "remand_la", "other"),
    FieldSpec("remand_date", "date"),
    FieldSpec("sentence_date", "date"),
    FieldSpec("custody_entry_date", "date"),
    FieldSpec("sentence_length_months", "int", min=1, max=600),
    FieldSpec("release_date", "date"),
    FieldSpec("early_release_date", "date"),
    FieldSpec("actual_release_date", "date"),
    FieldSpec("order_end_date", "date"),
    FieldSpec("licence_end_date", "date"),
    FieldSpec("looked_after", "bool"),
    FieldSpec("ehcp", "bool"),
    FieldSpec("school_age", "bool"),
    _enum("rosh", "low", "medium", "high", "very_high"),
    _enum("mappa_category", "1", "2", "3"),
    _enum("mappa_level", "1", "2", "3"),
    FieldSpec("mappa_referred_on", "date"),
    FieldSpec("establishment", "string", max=200),
    _enum("establishment_type", "yoi", "stc", "sch"),
    FieldSpec("victims", "bool"),
    _enum("transfer_decision", "transfer", "retain", "undecided"),
    FieldSpec("transfer_date", "date"),
    FieldSpec("case_manager_email", "email", max=254),
    # version 2 (2026-12-03): the statutory meetings recorded as held, the release address, ethnicity
    *(FieldSpec(name, "date") for name in (
        "ipm_held_on", "remand_planning_held_on", "first_planning_held_on", "penultimate_held_on",
        "final_review_held_on", "post_release_review_held_on", "transition_meeting_held_on", "ete_interview_on",
    )),
    _enum("release_address_status", "none", "proposed", "assessed", "confirmed"),
    _enum("ethnicity", "asian", "black", "mixed", "white", "other", "not_stated"),
)
# v2: the dates that record a statutory meeting (or the ETE interview) as held; their absence from a file's
# header marks a version 1 file
HELD_ON_FIELDS = ("ipm_held_on", "remand_planning_held_on", "first_planning_held_on", "penultimate_held_on",
                  "final_review_held_on", "post_release_review_held_on", "transition_meeting_held_on",
                  "ete_interview_on")
FIELDS_BY_NAME = {spec.name: spec for spec in FIELDS}
_NUMERIC_ENUMS = {"mappa_category", "mappa_level"}


def _is_unknown(raw: Any, json_mode: bool) -> bool:
    if raw is None:
        return True
    return isinstance(raw, str) and (raw == "" if json_mode else raw.strip() == "")


def parse_value(spec: FieldSpec, raw: Any, *, json_mode: bool) -> Any:
    """The Python value of one cell or JSON value, ``None`` for unknown; raises FieldError."""
    if _is_unknown(raw, json_mode):
        return None
    if isinstance(raw, str) and not json_mode:
        raw = raw.strip()
    kind = spec.type
    if kind == "bool":
        if json_mode and isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise FieldError(spec.name, f"{raw!r} is not a yes/no value (use true/false, yes/no or 1/0)")
    if kind == "int":
        if isinstance(raw, bool) or not (isinstance(raw, int) or isinstance(raw, str) and is_plain_digits(raw)):
            raise FieldError(spec.name, f"{raw!r} is not a whole number")
        value = int(raw)
        if spec.min is not None and value < spec.min or spec.max is not None and value > spec.max:
            raise FieldError(spec.name, f"{value} is outside {spec.min}–{spec.max}")
        return value
    if kind == "enum":
        if spec.name in _NUMERIC_ENUMS and json_mode and isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        if not isinstance(raw, str) or raw not in spec.choices:
            raise FieldError(spec.name, f"{raw!r} is not one of: {', '.join(spec.choices)}")
        return raw
    if not isinstance(raw, str):
        raise FieldError(spec.name, f"{raw!r} is not text")
    if kind == "date":
        if not _DATE.match(raw):
            raise FieldError(spec.name, f"{raw!r} is not a date in the form YYYY-MM-DD")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise FieldError(spec.name, f"{raw!r} is not a real date") from None
    if spec.max is not None and len(raw) > spec.max:
        raise FieldError(spec.name, f"is {len(raw)} characters long; at most {spec.max} are allowed")
    if spec.min is not None and len(raw) < spec.min:
        raise FieldError(spec.name, "is empty")
    if kind == "email" and not _EMAIL.match(raw):
        raise FieldError(spec.name, f"{raw!r} is not an email address")
    return raw


def parse_record(
    raw: dict[str, Any], *, mode: str, json_mode: bool, ignore_columns=()
) -> tuple[dict[str, Any], list[FieldError]]:
    """A normalised record (every field present, ``None`` = unknown) and every problem found."""
    if mode not in ("import", "dryrun"):
        raise ValueError(f"unknown mode {mode!r}")
    errors: list[FieldError] = []
    ignore = set(ignore_columns)
    for key in raw:
        if key not in FIELDS_BY_NAME and key not in ignore:
            errors.append(FieldError(str(key), "is not a field of the cohort format"))
    record: dict[str, Any] = {}
    get = raw.get
    for spec in FIELDS:
        given = get(spec.name)
        if given is None:  # absent or null: unknown (most of a record's 40 fields; no parsing to do)
            value = None
        else:
            try:
                value = parse_value(spec, given, json_mode=json_mode)
            except FieldError as exc:
                errors.append(exc)
                record[spec.name] = None
                continue
        if value is None and (spec.required_import if mode == "import" else spec.required_dryrun):
            errors.append(FieldError(spec.name, "is required"))
        record[spec.name] = value
    return record, errors


def age_on(date_of_birth: date, day: date) -> int:
    return relativedelta(day, date_of_birth).years


def consistency_errors(record: dict[str, Any], *, today: date) -> list[FieldError]:
    """The import's cross-field checks (docs/cohort-format.md); each names the fields involved."""
    errors: list[FieldError] = []
    dob = record.get("date_of_birth")
    if dob:
        if dob > today:
            errors.append(FieldError("date_of_birth", f"{dob} is in the future"))
        elif not 8 <= age_on(dob, today) <= 25:
            errors.append(FieldError("date_of_birth", f"gives an age of {age_on(dob, today)}; "
                                                      "children in the cohort are 8 to 25"))
    sentence, entry = record.get("sentence_date"), record.get("custody_entry_date")
    if dob and sentence and sentence < dob:
        errors.append(FieldError("sentence_date", f"{sentence} is before the date of birth {dob}"))
    for name in ("release_date", "actual_release_date"):
        value = record.get(name)
        for anchor_name, anchor in (("sentence_date", sentence), ("custody_entry_date", entry)):
            if value and anchor and value < anchor:
                errors.append(FieldError(name, f"{value} is before {anchor_name} {anchor}"))
    if record.get("order_end_date") and sentence and record["order_end_date"] < sentence:
        errors.append(FieldError("order_end_date", f"{record['order_end_date']} is before sentence_date {sentence}"))
    if record.get("legal_status") == "sentenced" and not sentence:
        errors.append(FieldError("sentence_date", "is required when legal_status is sentenced"))
    if record.get("legal_status") == "remand" and not record.get("remand_date"):
        errors.append(FieldError("remand_date", "is required when legal_status is remand"))
    for name in HELD_ON_FIELDS:
        held = record.get(name)
        if dob and held and held < dob:
            errors.append(FieldError(name, f"{held} is before the date of birth {dob}"))
    return errors


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def record_to_row(record: dict[str, Any]) -> dict[str, str]:
    """CSV cells for a record, in field order (the inverse of ``parse_record``)."""
    return {spec.name: format_value(record.get(spec.name)) for spec in FIELDS}
