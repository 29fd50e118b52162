"""The events catalogue keeps its promises: every event is a named dataclass in its app's ``events.py``, emitted as
an object (never a string built on the spot), with at least one findable emitter, and subscribers name events by
their constants."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from panels.events import MEETING_STATUS_EVENTS, Event

ROOT = Path(__file__).resolve().parent.parent
APPS = ["panels", "agendas", "minutes", "notifications"]


def _catalogue() -> list[type[Event]]:
    import importlib

    found: list[type[Event]] = []
    for app in APPS:
        module = importlib.import_module(f"{app}.events")
        found += [obj for obj in vars(module).values()
                  if isinstance(obj, type) and issubclass(obj, Event) and obj.__module__ == module.__name__
                  and (obj.NAME or obj.__name__ == "MeetingStatusChanged")]
    return found


def _calls(name: str) -> list[ast.Call]:
    calls = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == name:
                    calls.append(node)
    return calls


def test_the_catalogue_is_found():
    assert {"AccessChanged", "MeetingStatusChanged", "AgendaPublished", "MinutesApproved",
            "DelegationRequested"} <= {e.__name__ for e in _catalogue()}


def test_every_event_is_a_dataclass():
    assert [e.__name__ for e in _catalogue() if not dataclasses.is_dataclass(e)] == []


def test_event_names_are_unique():
    names = [e.NAME for e in _catalogue() if e.NAME] + list(MEETING_STATUS_EVENTS.values())
    assert len(names) == len(set(names))


def test_events_are_emitted_as_objects_never_as_strings():
    emitted_strings = [ast.unparse(c) for c in _calls("event_emit")
                       if c.args and isinstance(c.args[0], ast.Constant | ast.JoinedStr)]
    assert emitted_strings == []


def test_every_event_in_the_catalogue_has_an_emitter():
    emitted = {ast.unparse(c.args[0].func) for c in _calls("event_emit") if c.args and isinstance(c.args[0], ast.Call)}
    emitted |= {"AccessChanged"} if _calls("access_changed") else set()
    assert sorted(e.__name__ for e in _catalogue() if e.__name__ not in emitted) == []


def test_subscribers_name_events_by_their_constants():
    literal = [ast.unparse(c) for c in _calls("event_subscribe")
               if c.args and (isinstance(c.args[0], ast.JoinedStr)
                              or (isinstance(c.args[0], ast.Constant) and c.args[0].value != "*"))]
    assert literal == []
