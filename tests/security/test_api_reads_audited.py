"""Reads of a child's record, an agenda or approved minutes through the API are audited like the pages."""

from __future__ import annotations

from panels.models import AuditEntry


def test_api_reads_are_audited(world, client):
    client.force_login(world.users["coordinator"])
    assert client.get(f"/api/children/{world.child.pk}/").status_code == 200
    assert client.get(f"/api/meetings/{world.meeting.pk}/agenda/").status_code == 200
    reads = {(e.action, e.child_id, e.meeting_id, e.detail.get("via")) for e in AuditEntry.objects.all()}
    assert ("child.viewed", world.child.pk, None, "api") in reads
    assert ("agenda.viewed", None, world.meeting.pk, "api") in reads
