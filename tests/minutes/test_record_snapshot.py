"""One typed snapshot of the minutes record (``minutes.record``): what approval stores, and what every rendering
reads, whichever version of the code stored it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from minutes.record import SCHEMA_VERSION, ActionEntry, ChildEntry, MeetingFacts, RecordSnapshot, ReviewEntry

# a revision's snapshot as approval stored it before the schema had a version (version 1)
VERSION_1 = {
    "meeting": {"panel": "Resettlement panel", "starts_at": "2026-03-02T10:00:00+00:00", "location": "Room 1"},
    "items": [{"child_id": 7, "reference": "YJ-0007", "name": "Sam Example", "establishment_id": 3}],
    "sections": [{"child_id": 7, "section": "general", "text": "Address confirmed."}],
    "decisions": [{"id": 1, "child_id": 7, "text": "Keep on the panel"}],
    "actions": [{"id": 2, "child_id": 7, "description": "Book a visit", "owner": "", "owner_agency": "YOI",
                 "owner_agency_id": 4, "due_date": "2026-03-16", "pathway": None, "status": "open"}],
    "attendance": [{"child_id": None, "name": "Ada Chair", "agency": "", "status": "present"}],
    "reviews": [{"child_id": 7, "review_by": "2026-04-01"}],
}


def test_a_version_1_snapshot_is_read():
    snapshot = RecordSnapshot.from_json(VERSION_1)
    assert snapshot.actions[0].due_date == date(2026, 3, 16)
    assert snapshot.reviews == (ReviewEntry(7, date(2026, 4, 1)),)


def test_a_version_1_decision_has_nobody_named_as_its_recorder():
    assert RecordSnapshot.from_json(VERSION_1).decisions[0].recorded_by == ""


def test_a_version_1_action_without_a_pathway_reads_as_an_empty_pathway():
    assert RecordSnapshot.from_json(VERSION_1).actions[0].pathway == ""


def test_what_is_stored_carries_the_schema_version():
    assert RecordSnapshot.from_json(VERSION_1).to_json()["schema_version"] == SCHEMA_VERSION


def test_a_stored_snapshot_reads_back_the_same():
    snapshot = RecordSnapshot(
        meeting=MeetingFacts("Panel", datetime(2026, 3, 2, 10, tzinfo=UTC)),
        items=(ChildEntry(7, "YJ-0007", "Sam Example", None),),
        actions=(ActionEntry(2, 7, "Book a visit", "Owen Owner", "YOI", 4, date(2026, 3, 16), "open"),),
        reviews=(ReviewEntry(7, date(2026, 3, 2) + timedelta(days=30)),))
    assert RecordSnapshot.from_json(snapshot.to_json()) == snapshot


def test_a_snapshot_from_a_newer_version_is_refused_with_its_version():
    with pytest.raises(ValueError, match="version 99"):
        RecordSnapshot.from_json({**VERSION_1, "schema_version": 99})
