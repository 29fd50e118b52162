"""Collaborative minute text: Yjs update log, server-side state, text snapshots, compaction."""

from __future__ import annotations

import re

import nh3
from django.db import transaction
from pycrdt import Doc, XmlFragment, merge_updates

from minutes.models import MinuteDocument, MinuteUpdate

FIELD = "default"  # TipTap's Collaboration extension keeps the document in this XmlFragment
COMPACT_AFTER = 200
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(paragraph|heading|listItem|blockquote)>")


def document_get_or_create(*, meeting_id: int, child_id: int | None, section: str) -> MinuteDocument:
    document, _ = MinuteDocument.objects.get_or_create(meeting_id=meeting_id, child_id=child_id, section=section)
    return document


def document_state(document_id: int) -> bytes | None:
    updates = list(MinuteUpdate.objects.filter(document_id=document_id).order_by("id")
                   .values_list("data", flat=True))
    if not updates:
        return None
    return merge_updates(*[bytes(u) for u in updates]) if len(updates) > 1 else bytes(updates[0])


def load_doc(document_id: int) -> Doc:
    doc = Doc()
    state = document_state(document_id)
    if state:
        doc.apply_update(state)
    return doc


def doc_text(doc: Doc) -> str:
    """Plain text of the shared document, one block per line."""
    xml = str(doc.get(FIELD, type=XmlFragment))
    text = _BLOCK_END.sub("\n", xml)
    return nh3.clean(_TAG.sub("", text), tags=set()).strip()


def _lock(document_id: int) -> None:
    # A bare lock on the row: no default ordering, so no outer join (PostgreSQL refuses those).
    list(MinuteDocument.objects.select_for_update().filter(pk=document_id).order_by().values_list("pk"))


def update_store(*, document_id: int, update: bytes) -> None:
    """Store one update durably, before anyone else is told of it: two statements, nothing read back.

    Writers of one document are serialised on its row, so the log's ids grow in commit order.
    """
    with transaction.atomic():
        _lock(document_id)
        MinuteUpdate.objects.create(document_id=document_id, data=update)


def snapshot_refresh(*, document_id: int) -> str:
    """Make the plain-text snapshot from the stored log (and compact a long log). Called shortly after
    writes settle, when the last writer leaves, and by anything that needs the text (approval, exports)."""
    with transaction.atomic():
        _lock(document_id)
        state = document_state(document_id)
        if state is None:  # no live text was ever written: the stored text stands
            return MinuteDocument.objects.filter(pk=document_id).values_list("text", flat=True).first() or ""
        doc = Doc()
        doc.apply_update(state)
        text = doc_text(doc)
        MinuteDocument.objects.filter(pk=document_id).update(text=text)
    if MinuteUpdate.objects.filter(document_id=document_id).count() > COMPACT_AFTER:
        document_compact(document_id=document_id)
    return text


def update_persist(*, document_id: int, update: bytes) -> str:
    """Store one update and refresh the snapshot at once (imports, the demo, tests)."""
    update_store(document_id=document_id, update=update)
    return snapshot_refresh(document_id=document_id)


def meeting_snapshots_refresh(*, meeting_id: int) -> None:
    """Bring every text snapshot of a meeting up to date (before approval freezes them)."""
    for document_id in MinuteDocument.objects.filter(meeting_id=meeting_id).values_list("pk", flat=True):
        snapshot_refresh(document_id=document_id)


def document_compact(*, document_id: int) -> int:
    """Merge the update log into one row. Returns how many rows were merged."""
    with transaction.atomic():
        rows = list(MinuteUpdate.objects.select_for_update().filter(document_id=document_id).order_by("id"))
        if len(rows) < 2:
            return 0
        merged = merge_updates(*[bytes(r.data) for r in rows])
        MinuteUpdate.objects.filter(pk__in=[r.pk for r in rows]).delete()
        MinuteUpdate.objects.create(document_id=document_id, data=merged)
    return len(rows)
