"""``agenda_dryrun``: the rules on a cohort given as JSON, without a database (docs/agenda-rules.md v2, §5–7).

Pure: text in, (output, errors) out. Children are read in cohort format version 2; any date works (the
working calendar grows to cover it). Input is strict: every problem is reported, one line each, naming
the panel or child reference and the field.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from agendas.rules import CODES_BY_KIND, ChildFacts, RuleSettings, place_for_panel
from agendas.workdays import WorkingCalendar
from panels.cohort import parse_record

TOP_KEYS = {"panels", "children"}
PANEL_KEYS = {"name", "kind", "meetings", "settings"}
KINDS = tuple(CODES_BY_KIND)


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _strict_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _panels(raw: Any, errors: list[str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        errors.append("panels: must be a list")
        return []
    panels, names = [], set()
    for index, panel in enumerate(raw, start=1):
        where = f"panel #{index}"
        if not isinstance(panel, dict):
            errors.append(f"{where}: must be an object")
            continue
        name = panel.get("name")
        if isinstance(name, str) and name.strip():
            where = f'panel "{name}"'
            if name in names:
                errors.append(f"{where}: name: appears more than once")
            names.add(name)
        else:
            errors.append(f"{where}: name: is required (non-empty text)")
        for key in sorted(set(panel) - PANEL_KEYS):
            errors.append(f"{where}: {key}: is not a panel field")
        for key in ("kind", "meetings"):
            if key not in panel:
                errors.append(f"{where}: {key}: is required")
        kind = panel.get("kind")
        if "kind" in panel and kind not in KINDS:
            errors.append(f"{where}: kind: {kind!r} is not one of {', '.join(KINDS)}")
        meetings: list[date] = []
        if "meetings" in panel:
            if not isinstance(panel["meetings"], list):
                errors.append(f"{where}: meetings: must be a list of YYYY-MM-DD dates")
            else:
                seen: set[date] = set()
                for value in panel["meetings"]:
                    day = _strict_date(value)
                    if day is None:
                        errors.append(f"{where}: meetings: {value!r} is not a date in the form YYYY-MM-DD")
                    elif day in seen:
                        errors.append(f"{where}: meetings: {value} appears twice")
                    else:
                        seen.add(day)
                        meetings.append(day)
        settings_raw = panel.get("settings", {})
        settings = None
        if not isinstance(settings_raw, dict):
            errors.append(f"{where}: settings: must be an object")
        else:
            settings, problems = RuleSettings.from_dict(settings_raw)
            errors.extend(f"{where}: settings.{p}" for p in problems)
        panels.append({"name": name, "kind": kind, "meetings": sorted(meetings), "settings": settings})
    return panels


def _children(raw: Any, errors: list[str]) -> list[ChildFacts]:
    if not isinstance(raw, list):
        errors.append("children: must be a list")
        return []
    children, references = [], set()
    for index, child in enumerate(raw, start=1):
        if not isinstance(child, dict):
            errors.append(f"child #{index}: must be an object")
            continue
        reference = child.get("reference")
        where = f"child {reference}" if isinstance(reference, str) and reference else f"child #{index}"
        record, problems = parse_record(child, mode="dryrun", json_mode=True)
        errors.extend(f"{where}: {p.field}: {p.message}" for p in problems)
        if record["reference"]:
            if record["reference"] in references:
                errors.append(f"{where}: reference: appears more than once")
            references.add(record["reference"])
        if not problems:
            children.append(ChildFacts.from_record(record))
    return children


def run_dryrun(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        return None, [f"input: the key {exc.args[0]!r} appears twice in one object"]
    except json.JSONDecodeError as exc:
        return None, [f"input: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"]
    if not isinstance(data, dict):
        return None, ["input: must be a JSON object with panels and children"]
    errors: list[str] = [f"{key}: is not a top-level field" for key in sorted(set(data) - TOP_KEYS)]
    if "panels" not in data:
        errors.append("panels: is required")
    panels = _panels(data.get("panels", []), errors)
    children = _children(data.get("children", []), errors)
    if errors:
        return None, errors
    every_date = [d for p in panels for d in p["meetings"]]
    calendar = WorkingCalendar.england(min(every_date).year - 3, max(every_date).year + 2) if every_date else None
    meetings = []
    for panel in panels:
        if not panel["meetings"]:
            continue
        for result in place_for_panel(children, kind=panel["kind"], meeting_dates=panel["meetings"],
                                      settings=panel["settings"], calendar=calendar):
            meetings.append({
                "panel": panel["name"], "kind": panel["kind"], "date": result.date.isoformat(),
                "items": [
                    {"child": item.child, "late": item.late,
                     "reasons": [{"code": r.code, "due": r.due.isoformat() if r.due else None, "late": r.late}
                                 for r in item.reasons]}
                    for item in result.items
                ],
            })
    return {"meetings": meetings}, []
