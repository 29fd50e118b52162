"""Collaborative minute text: Yjs update log, server-side state, text snapshots, compaction."""

from __future__ import annotations

import re

import nh3
from django.db import connection, transaction
from django.db.models import BinaryField, Case, F, Q, Value, When
from django.utils import timezone
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


def updates_store(batches: dict[int, list[bytes]]) -> dict[int, list[int]]:
    """Store the updates of several documents durably in one transaction: their rows locked (in id order, so
    concurrent writers cannot deadlock) and one multi-row insert. Returns the stored rows' ids by document; a
    document that no longer exists is left out (its updates are not stored).

    As in ``update_store``, a document's writers are serialised on its row, so its log ids grow in commit order.
    On PostgreSQL it is one statement in autocommit, one round trip, so the rows are locked only as long as the
    insert and its commit take (writers on other workers wait for them).
    """
    if connection.vendor == "postgresql" and connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute(_STORE_SQL, _store_params(batches))
            return _stored_ids(cursor.fetchall())
    documents = sorted(batches)
    with transaction.atomic():
        existing = list(MinuteDocument.objects.select_for_update().filter(pk__in=documents).order_by("pk")
                        .values_list("pk", flat=True))
        stored = MinuteUpdate.objects.bulk_create(
            [MinuteUpdate(document_id=document_id, data=update) for document_id in existing
             for update in batches[document_id]])
    return _stored_ids([(row.pk, row.document_id) for row in stored])


async def updates_store_async(conn, batches: dict[int, list[bytes]]) -> dict[int, list[int]]:
    """``updates_store`` on PostgreSQL over an asynchronous psycopg connection in autocommit (the live-minutes
    workers own one each, so a store is awaited on their event loop with no thread between): the same statement."""
    async with conn.cursor() as cursor:
        await cursor.execute(_STORE_SQL, _store_params(batches))
        return _stored_ids(await cursor.fetchall())


def _store_params(batches: dict[int, list[bytes]]) -> list:
    documents = sorted(batches)
    document_ids = [d for d in documents for _ in batches[d]]
    data = [update for d in documents for update in batches[d]]
    return [documents, document_ids, data, timezone.now()]


def _stored_ids(rows) -> dict[int, list[int]]:
    ids: dict[int, list[int]] = {}
    for pk, document_id in sorted(rows):
        ids.setdefault(document_id, []).append(pk)
    return ids


# MinuteDocument's and MinuteUpdate's tables
_STORE_SQL = """
WITH locked AS (
    SELECT id FROM minutes_minutedocument WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE
), incoming AS (
    SELECT * FROM unnest(%s::bigint[], %s::bytea[]) WITH ORDINALITY AS u(document_id, data, n)
)
INSERT INTO minutes_minuteupdate (document_id, data, created_at)
SELECT incoming.document_id, incoming.data, %s FROM incoming JOIN locked ON locked.id = incoming.document_id
ORDER BY incoming.n
RETURNING id, document_id
"""


def state_and_latest(document_id: int) -> tuple[bytes | None, int]:
    """The document's stored state, and the newest id of its log (0 if empty), read in one statement."""
    rows = list(MinuteUpdate.objects.filter(document_id=document_id).order_by("id").values_list("id", "data"))
    if not rows:
        return None, 0
    state = merge_updates(*[bytes(data) for _, data in rows]) if len(rows) > 1 else bytes(rows[0][1])
    return state, rows[-1][0]


def updates_after(document_id: int, after: int, upto: int, known: frozenset[int]) -> tuple[int, bytes | None]:
    """The newest id of a document's log, and the merge of its rows after ``after`` and up to ``upto`` that are not
    in ``known`` (None if there are none): what a worker that applied ``known`` and every row up to ``after`` has
    missed among the rows stored by ``upto``.

    One statement, so one snapshot of the log: a compaction replaces rows by one row with a newer id, and a
    statement sees either the rows or their replacement, never neither."""
    if connection.vendor == "postgresql":  # every worker runs this for every open document every few seconds:
        with connection.cursor() as cursor:  # one plain statement, the known ids as one array parameter
            cursor.execute(_MISSED_SQL, [upto, list(known), document_id, after])
            rows = cursor.fetchall()
    else:
        wanted = Q(id__lte=upto) & ~Q(id__in=known) if known else Q(id__lte=upto)
        rows = list(MinuteUpdate.objects.filter(document_id=document_id, id__gt=after).order_by("id")
                    .annotate(missed=Case(When(wanted, then=F("data")), default=Value(None),
                                          output_field=BinaryField()))
                    .values_list("id", "missed"))
    latest = rows[-1][0] if rows else after
    data = [bytes(missed) for _, missed in rows if missed is not None]
    if not data:
        return latest, None
    return latest, (merge_updates(*data) if len(data) > 1 else data[0])


_MISSED_SQL = """
SELECT id, CASE WHEN id <= %s AND NOT id = ANY(%s::bigint[]) THEN data END
FROM minutes_minuteupdate WHERE document_id = %s AND id > %s ORDER BY id
"""

_SNAPSHOT_LOCK = 0x6D696E73  # "mins": the class of the advisory locks that order text snapshots


def _lock_snapshot(document_id: int) -> None:
    """Order the text snapshot's writers, each reading the log after the one before it committed, without taking
    the row that update writers lock: a snapshot (which reads and merges the whole log) never holds up typing.
    PostgreSQL: an advisory lock for the transaction; SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_SNAPSHOT_LOCK, document_id & 0x7FFFFFFF])
    else:
        _lock(document_id)


def snapshot_refresh(*, document_id: int) -> str:
    """Make the plain-text snapshot from the stored log (and compact a long log). Called shortly after
    writes settle, when the last writer leaves, and by anything that needs the text (approval, exports)."""
    if MinuteUpdate.objects.filter(document_id=document_id).count() > COMPACT_AFTER:
        document_compact(document_id=document_id)  # first: the snapshot then merges one row and the few after it
    with transaction.atomic():
        _lock_snapshot(document_id)
        state = document_state(document_id)
        if state is None:  # no live text was ever written: the stored text stands
            return MinuteDocument.objects.filter(pk=document_id).values_list("text", flat=True).first() or ""
        doc = Doc()
        doc.apply_update(state)
        text = doc_text(doc)
        MinuteDocument.objects.filter(pk=document_id).update(text=text)
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
