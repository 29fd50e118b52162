"""Approved minutes: one rendering per audience, the same in the page, the PDF, the DOCX and the API;
corrections; amendments only through a new revision."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from agendas.models import AgendaItem
from minutes import presenters, services
from minutes.models import CorrectionRequest, MinuteDocument
from panels.enums import MeetingStatus
from panels.permissions import Viewer
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

SECRET_HEALTH = "Under the care of the fictional Larkhollow in-reach team."
SECRET_POLICE = "Intelligence on associates in the fictional Marsh estate."
OTHER_CHILD_TEXT = "Placement at Fenmoor reviewed."


@pytest.fixture
def approved(world):
    """A held meeting with two children (one at the YOI, one at the STC), every kind of record, approved."""
    w = world
    m = w.meeting
    m.status = MeetingStatus.IN_PROGRESS
    m.save()
    for position, child in enumerate((w.child, w.other_child), start=1):
        AgendaItem.objects.create(meeting=m, child=child, position=position)
    chair = w.users["chair"]
    texts = {(None, "general"): "Apologies from children's social care.",
             (w.child, "general"): "Release address confirmed with housing.",
             (w.child, "health"): SECRET_HEALTH,
             (w.child, "police_intel"): SECRET_POLICE,
             (w.other_child, "general"): OTHER_CHILD_TEXT}
    for (child, section), text in texts.items():
        MinuteDocument.objects.create(meeting=m, child=child, section=section, text=text)
    services.attendance_set(meeting=m, actor=chair, name="Ada Fenwick", status="present", agency=w.service)
    services.attendance_set(meeting=m, actor=chair, name="Kit Marlow", status="remote", agency=w.yoi, child=w.child)
    services.decision_record(meeting=m, actor=chair, child=w.child, text="Keep on the High Risk Panel")
    services.decision_record(meeting=m, actor=chair, child=w.other_child, text="Step down to Resettlement")
    services.action_create(meeting=m, actor=chair, child=w.child, description="Book a pre-release visit",
                           owner_agency=w.yoi, owner=w.users["invited_yoi"], due_date=m.local_date + timedelta(14))
    services.next_review_set(meeting=m, actor=chair, child=w.child, review_by=m.local_date + timedelta(28))
    m.status = MeetingStatus.CLOSED
    m.save()
    services.minutes_approve(meeting=m, actor=chair)
    return w


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_full_record_for_the_service_and_a_partner_agencys_view(approved):
    w = approved
    revision = w.meeting.minutes_revisions.get()
    full = presenters.record_for(revision=revision, viewer=Viewer.of(w.users["coordinator"]))
    assert [i.reference for i in full.items] == ["", "YJ-0001", "YJ-0002"]
    child = full.items[1]
    assert [s.label for s in child.sections] == ["General", "Health", "Police intelligence"]
    assert [d.text for d in child.decisions] == ["Keep on the High Risk Panel"] and child.review_by is not None
    assert [a.name for a in child.attendance] == ["Kit Marlow"]

    yoi = presenters.record_for(revision=revision, viewer=presenters.agency_viewer(w.yoi), audience="agency")
    assert [i.reference for i in yoi.items] == ["", "YJ-0001"] and yoi.hidden == 1
    assert [s.label for s in yoi.items[1].sections] == ["General"]  # no restricted section for a YOI

    police = presenters.record_for(revision=revision, viewer=presenters.agency_viewer(w.police), audience="agency")
    assert [s.label for s in police.items[1].sections] == ["General", "Police intelligence"]

    summary = presenters.record_for(revision=revision, viewer=Viewer.of(w.users["chair"]), audience="summary")
    assert all(not i.sections for i in summary.items)
    assert summary.items[1].actions[0].description == "Book a pre-release visit"


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "api"])
def test_a_secure_estate_partner_gets_only_its_child_in_every_output(approved, login, fmt):
    w = approved
    client = login(w, "invited_yoi")
    if fmt == "html":
        response = client.get(reverse("minutes_approved", args=[w.meeting.pk]))
        text = response.content.decode()
    elif fmt == "api":
        response = client.get(f"/api/meetings/{w.meeting.pk}/minutes/approved/")
        text = response.content.decode()
    else:
        response = client.get(reverse("minutes_approved_download", args=[w.meeting.pk, 1, fmt]))
        text = _pdf_text(response.content) if fmt == "pdf" else _docx_text(response.content)
    assert response.status_code == 200
    assert "YJ-0001" in text and "Release address confirmed" in text
    for secret in ("YJ-0002", OTHER_CHILD_TEXT, SECRET_HEALTH, SECRET_POLICE, "Step down"):
        assert secret not in text


def test_a_partner_cannot_ask_for_another_agencys_view(approved, login):
    w = approved
    client = login(w, "invited_yoi")
    response = client.get(reverse("minutes_approved", args=[w.meeting.pk]),
                          {"audience": "agency", "agency": w.stc.pk})
    body = response.content.decode()
    assert "YJ-0001" in body and "YJ-0002" not in body


def test_the_chair_produces_any_invited_agencys_view_and_downloads_it(approved, login):
    w = approved
    client = login(w, "chair")
    response = client.get(reverse("minutes_approved_download", args=[w.meeting.pk, 1, "pdf"]),
                          {"audience": "agency", "agency": w.stc.pk})
    text = _pdf_text(response.content)
    assert "YJ-0002" in text and "YJ-0001" not in text and "Fenmoor" in text
    assert response["Content-Disposition"].endswith('-r1-agency.pdf"')
    docx = client.get(reverse("minutes_approved_download", args=[w.meeting.pk, 1, "docx"]), {"audience": "summary"})
    document = Document(io.BytesIO(docx.content))
    assert document.core_properties.language == "en-GB"
    assert [p.style.name for p in document.paragraphs][:1] == ["Title"]
    assert SECRET_HEALTH not in _docx_text(docx.content)  # a summary has no discussion text


def test_the_pdf_is_tagged_for_assistive_technology(approved, login):
    w = approved
    client = login(w, "chair")
    content = client.get(reverse("minutes_approved_download", args=[w.meeting.pk, 1, "pdf"])).content
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("High Risk Panel")


def test_after_approval_partners_read_the_record_not_the_draft(approved, login):
    w = approved
    services.decision_record(meeting=w.meeting, actor=w.users["chair"], child=w.child, text="Amended decision")
    partner = login(w, "invited_partner")
    assert partner.get(reverse("minutes_page", args=[w.meeting.pk])).url == reverse("minutes_approved",
                                                                                     args=[w.meeting.pk])
    body = partner.get(reverse("minutes_approved", args=[w.meeting.pk])).content.decode()
    assert "Amended decision" not in body
    chair = login(w, "chair")
    MinuteDocument.objects.filter(meeting=w.meeting, child=w.child, section="general").update(
        text="Release address confirmed with housing.\nTenancy starts on release day.")
    page = chair.get(reverse("minutes_approved", args=[w.meeting.pk])).content.decode()
    assert "Changes since approval" in page and "Tenancy starts on release day." in page


def test_corrections_flow_from_a_partner_to_a_new_revision(approved, login):
    w = approved
    partner = login(w, "invited_partner")
    url = reverse("minutes_correction_add", args=[w.meeting.pk, 1])
    partner.post(url, {"text": " "})
    assert not CorrectionRequest.objects.exists()  # an empty request is refused, with a message
    partner.post(url, {"text": "Probation attended remotely."})
    correction = CorrectionRequest.objects.get()
    assert correction.agency == w.probation
    chair = login(w, "chair")
    assert "Probation attended remotely." in chair.get(reverse("minutes_page", args=[w.meeting.pk])).content.decode()
    chair.post(reverse("minutes_attendance_add", args=[w.meeting.pk]), {"name": "Sam Okafor", "status": "remote"})
    chair.post(reverse("minutes_approve", args=[w.meeting.pk]),
               {"reason": "Attendance corrected", "corrections": [correction.pk],
                "confirm": "yes"})  # the meeting's end time is still to come: approving early is confirmed
    correction.refresh_from_db()
    assert correction.status == "accepted" and correction.corrected_in.number == 2
    page = login(w, "invited_partner").get(reverse("minutes_approved", args=[w.meeting.pk])).content.decode()
    assert "Sam Okafor" in page and "Accepted" in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_approved_minutes_are_need_to_know(approved, login, persona, django_assert_max_num_queries):
    w = approved
    client = login(w, persona)
    allowed = {"coordinator", "chair", "invited_partner", "invited_yoi", "invited_stc"}
    # constant whatever the record's size: the chair's page also diffs the live draft (a dozen reads)
    with django_assert_max_num_queries(28):
        response = client.get(reverse("minutes_approved", args=[w.meeting.pk]))
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if persona in allowed else 404)
    for name, args in (("minutes_approved_download", [w.meeting.pk, 1, "docx"]),
                       ("minutes_correction_add", [w.meeting.pk, 1])):
        call = client.post if name == "minutes_correction_add" else client.get
        status = call(reverse(name, args=args), {"text": "x"} if call == client.post else {}).status_code
        if persona not in allowed:
            assert status in (302, 404)
    decline = client.post(reverse("minutes_correction_decline", args=[w.meeting.pk, 999]), {"resolution": "x"})
    if persona not in ("coordinator", "chair"):
        assert decline.status_code in (302, 404)


def test_no_approved_minutes_is_not_found(world, login):
    client = login(world, "chair")
    assert client.get(reverse("minutes_approved", args=[world.meeting.pk])).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_event_log_resumes_from_a_clients_last_id(approved, login, persona, django_assert_max_num_queries):
    w = approved
    client = login(w, persona)
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/meetings/{w.meeting.pk}/events/", {"after": 0})
    if persona not in {"coordinator", "chair", "invited_partner", "invited_yoi", "invited_stc"}:
        assert response.status_code in (403, 404)
        return
    data = response.json()
    kinds = [e["kind"] for e in data["events"]]
    ids = [e["id"] for e in data["events"]]
    assert ids == sorted(ids) and data["refresh"] is False and "minutes.approved" in kinds
    children = {e["child_id"] for e in data["events"]} - {None}
    if persona == "invited_yoi":
        assert children == {w.child.pk}  # nothing about the STC's child, not even that it changed
    again = client.get(f"/api/meetings/{w.meeting.pk}/events/", {"after": data["last_id"]}).json()
    assert again["events"] == [] and again["last_id"] == data["last_id"]
    assert client.get(f"/api/meetings/{w.meeting.pk}/events/", {"after": "x"}).status_code == 400


def test_a_client_too_far_behind_is_told_to_refresh(approved, login, monkeypatch):
    w = approved
    original = services.events_since
    monkeypatch.setattr(services, "events_since", lambda **kw: original(**{**kw, "limit": 2}))
    data = login(w, "chair").get(f"/api/meetings/{w.meeting.pk}/events/", {"after": 0}).json()
    assert data["refresh"] is True and data["events"] == []


def test_approval_stores_the_snapshot_with_its_schema_version(approved):
    from minutes.record import SCHEMA_VERSION

    assert approved.meeting.minutes_revisions.get().snapshot["schema_version"] == SCHEMA_VERSION


def test_a_revision_stored_before_the_schema_version_still_renders(approved, login):
    """Revisions approved before the snapshot had a version (no ``schema_version``, no decision recorders) are
    read as they were stored."""
    revision = approved.meeting.minutes_revisions.get()
    old = {key: value for key, value in revision.snapshot.items() if key != "schema_version"}
    old["decisions"] = [{k: v for k, v in d.items() if k != "recorded_by"} for d in old["decisions"]]
    revision.snapshot = old
    revision.save()
    body = login(approved, "chair").get(reverse("minutes_approved", args=[approved.meeting.pk])).content.decode()
    assert "Keep on the High Risk Panel" in body
