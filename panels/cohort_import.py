"""Cohort import and export services (docs/cohort-format.md).

An import is checked whole before anything is written: every problem is reported with its row,
reference and field, and the file is applied in one transaction or not at all. Children are matched
on ``reference`` within the importing service, so re-importing a file updates rather than duplicates.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import OperationalError, close_old_connections, transaction
from django.utils import timezone

from panels import cohort, secure_estate
from panels.audit import audit_record
from panels.enums import AgencyKind, EpisodeKind
from panels.events import event_emit
from panels.models import Agency, Child, CohortImport, LegalEpisode, User
from panels.records import CHILD_FIELDS, child_to_record, desired_episodes, episode_matches, episode_values
from panels.release_services import address_changes_from_import
from panels.spreadsheets import csv_unescape, safe_row

logger = logging.getLogger(__name__)
FIELD_NAMES = [spec.name for spec in cohort.FIELDS]
VERSION_1_NOTICE = (
    "This file is in cohort format version 1: it has no columns recording the statutory meetings about a child "
    "as held (" + ", ".join(cohort.HELD_ON_FIELDS) + "). A panel's discussion no longer counts as such a "
    "meeting, so the initial planning, remand planning, first and penultimate resettlement, final release review, "
    "post-release review and transition meeting reasons, and the education interview after release, show on the "
    "agendas until the meetings are recorded as held: add these columns to the file when your case management "
    "system can export them."
)
INLINE_ROW_LIMIT = 500  # larger files run in the background with a progress bar
PROGRESS_EVERY = 250
Progress = Callable[[int, int], None]


PROBLEM_CAP = 1000  # problems listed for one file; the rest are counted by kind (issue 14)
PROBLEM_TEXT_MAX = 300  # characters of one problem's message (a message may quote the bad cell)


def _problem(row: int | None, reference: str | None, field: str | None, message: str) -> dict[str, Any]:
    if len(message) > PROBLEM_TEXT_MAX:
        message = message[:PROBLEM_TEXT_MAX - 1] + "…"
    return {"row": row, "reference": (reference or "")[:40], "field": (field or "")[:60], "message": message}


def problems_capped(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first ``PROBLEM_CAP`` problems, then (when there are more) one summary line counting every problem
    by kind (the column, or "file"), so a bad file's report stays small whatever its size."""
    if len(problems) <= PROBLEM_CAP:
        return problems
    by_kind: dict[str, int] = {}
    for p in problems:
        by_kind[p["field"] or "file"] = by_kind.get(p["field"] or "file", 0) + 1
    counts = ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])))
    summary = _problem(None, None, None, "")
    summary.update(summary=True, total=len(problems), by_kind=by_kind,
                   message=f"{len(problems) - PROBLEM_CAP} more problems are not listed. "
                           f"All {len(problems)} by column: {counts}"[:2000])
    return [*problems[:PROBLEM_CAP], summary]


def read_rows(text: str, *, ignore_columns: Iterable[str] = ()) -> tuple[list[dict[str, str]], list[dict]]:
    """Parse CSV text into row dicts (keys = header), with file-level problems."""
    ignore = set(ignore_columns)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return [], [_problem(None, None, None, "The file is empty: it needs a header row and at least one child.")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        raw_rows = list(reader)
    except csv.Error as exc:
        return [], [_problem(None, None, None, f"The file is not valid CSV: {exc}")]
    problems = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(_problem(1, None, name, f"Column {name!r} appears more than once in the header."))
        seen.add(name)
        if name not in FIELD_NAMES and name not in ignore:
            problems.append(_problem(1, None, name, f"Unknown column {name!r}. Known columns: see cohort-format."))
    for spec in cohort.FIELDS:
        if spec.required_import and spec.name not in seen:
            problems.append(_problem(1, None, spec.name, f"Required column {spec.name!r} is missing."))
    if problems:
        return [], problems
    rows = []
    for line_no, values in enumerate(raw_rows, start=2):
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(header):
            problems.append(
                _problem(line_no, values[0] if values else None, None,
                         f"Has {len(values)} cells but the header has {len(header)}.")
            )
            continue
        row = {k: csv_unescape(v) for k, v in zip(header, values, strict=True) if k not in ignore}
        row["__row__"] = line_no
        rows.append(row)
    if not rows and not problems:
        problems.append(_problem(None, None, None, "The file has a header but no children."))
    return rows, problems


def _secure_agencies() -> dict[str, Agency]:
    """The secure-estate agencies by their name, case-folded (records carry the name after validation)."""
    return {a.name.casefold(): a for a in Agency.objects.filter(kind=AgencyKind.SECURE_ESTATE)}


def validate_rows(
    rows: list[dict[str, Any]], *, service: Agency, today: date, progress: Progress | None = None
) -> tuple[list[dict[str, Any]], list[dict]]:
    """Turn row dicts into normalised records, collecting every problem."""
    problems: list[dict] = []
    records: list[dict[str, Any]] = []
    users_by_email = {
        u.email.casefold(): u
        for u in User.objects.filter(agency=service, is_active=True).exclude(email="").only("id", "email")
    }
    establishments = _secure_agencies()
    spellings = secure_estate.spellings_index([(a.name, a.short_name) for a in establishments.values()])
    first_row_of: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        line_no = row.pop("__row__")
        record, errors = cohort.parse_record(row, mode="import", json_mode=False)
        reference = record.get("reference") or row.get("reference", "").strip() or None
        if not errors:
            errors = cohort.consistency_errors(record, today=today)
        for error in errors:
            problems.append(_problem(line_no, reference, error.field, error.message))
        if reference:
            if reference in first_row_of:
                problems.append(_problem(line_no, reference, "reference",
                                         f"Duplicate reference: already used on row {first_row_of[reference]}."))
            else:
                first_row_of[reference] = line_no
        email = record.get("case_manager_email")
        if email and email.casefold() not in users_by_email:
            problems.append(_problem(line_no, reference, "case_manager_email",
                                     f"{email} is not an active user of {service.name}."))
        name = record.get("establishment")
        known_as = spellings.get(secure_estate.spelling_key(name)) if name else None
        agency = establishments[known_as.casefold()] if known_as else None
        if agency:
            record["establishment"] = agency.name  # one spelling in the database and the export
        elif name:
            nearest = secure_estate.closest(name, spellings)
            hint = f" Did you mean {' or '.join(repr(n) for n in nearest)}?" if nearest else ""
            problems.append(_problem(line_no, reference, "establishment",
                                     f"Unknown establishment {name!r}.{hint} Otherwise add it as a "
                                     "secure-estate agency (Admin → Agencies) first."))
        elif agency and agency.establishment_type and record.get("establishment_type") not in (
            None, agency.establishment_type
        ):
            problems.append(_problem(line_no, reference, "establishment_type",
                                     f"{agency.name} is a {agency.establishment_type}, "
                                     f"not a {record['establishment_type']}."))
        record["_case_manager"] = users_by_email.get(email.casefold()) if email else None
        records.append(record)
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
    return records, problems


def _apply(records: list[dict[str, Any]], *, service: Agency, day: date,
           actor: User | None = None) -> tuple[int, int, int]:
    """Write the records (inside the caller's transaction). Returns (created, updated, unchanged). A release-address
    status that changes adds a dated change to the child's address history (``day``: the import day)."""
    establishments = _secure_agencies()
    refs = [r["reference"] for r in records]
    existing = {
        c.reference: c
        for c in Child.objects.filter(service=service, reference__in=refs).prefetch_related("episodes")
    }
    new_children, changed_children, unchanged = [], [], 0
    episode_creates: list[LegalEpisode] = []
    episode_updates: list[LegalEpisode] = []
    address_changes: list[tuple[Child, str | None, str | None]] = []
    for record in records:
        values = {n: record[n] for n in CHILD_FIELDS}
        values["preferred_name"] = values["preferred_name"] or ""
        values["case_manager"] = record["_case_manager"]
        child = existing.get(record["reference"])
        if child is None:
            child = Child(service=service, reference=record["reference"], **values)
            new_children.append(child)
            address_changes.append((child, None, values["release_address_status"]))
            current: dict[str, LegalEpisode] = {}
        else:
            child_changed = any(getattr(child, k) != v for k, v in values.items())
            address_changes.append((child, child.release_address_status, values["release_address_status"]))
            for k, v in values.items():
                setattr(child, k, v)
            current = {e.kind: e for e in child.episodes.all() if e.is_current}
        episodes_changed = False
        wanted = desired_episodes(record)
        for kind in (EpisodeKind.REMAND, EpisodeKind.SENTENCE):
            episode = current.get(kind)
            spec = wanted.get(kind)
            target = episode_values(spec, establishments) if spec else None
            if episode is None and target is None or (
                episode is not None and target is not None and episode_matches(episode, target)
            ):
                continue
            episodes_changed = True
            if episode is not None and target is not None and episode.start_date == target["start_date"]:
                for k, v in target.items():
                    setattr(episode, k, v)
                episode_updates.append(episode)
                continue
            if episode is not None:  # superseded: kept as history
                episode.is_current = False
                episode_updates.append(episode)
            if target is not None:
                episode_creates.append(LegalEpisode(child=child, kind=kind, is_current=True, **target))
        if child.pk is None:
            continue
        if child_changed or episodes_changed:
            changed_children.append(child)
        else:
            unchanged += 1
    Child.objects.bulk_create(new_children)
    update_fields = [*CHILD_FIELDS, "case_manager", "updated_at"]
    now = timezone.now()
    for child in changed_children:
        child.updated_at = now
    Child.objects.bulk_update(changed_children, update_fields, batch_size=500)
    # Superseded episodes first, so the "one current per kind" constraint holds throughout.
    LegalEpisode.objects.bulk_update(
        episode_updates, ["is_current", "start_date", "establishment", *_episode_fields()], batch_size=500
    )
    for episode in episode_creates:
        episode.child_id = episode.child.pk
    LegalEpisode.objects.bulk_create(episode_creates, batch_size=500)
    address_changes_from_import(address_changes, day=day, actor=actor)
    return len(new_children), len(changed_children), unchanged


def _episode_fields() -> list[str]:
    from panels.records import EPISODE_FIELDS

    return list(EPISODE_FIELDS)


def cohort_import_create(
    *, service: Agency, actor: User, text: str, filename: str, dry_run: bool = False,
    ignore_columns: Iterable[str] = (),
) -> CohortImport:
    return CohortImport.objects.create(
        service=service, uploaded_by=actor, filename=filename[:255], source=text, dry_run=dry_run,
        ignore_columns=sorted(set(ignore_columns)),
    )


def cohort_import_process(*, job: CohortImport, today: date | None = None) -> CohortImport:
    """Check the whole file, then apply it in one transaction (unless a dry run or rejected)."""
    today = today or timezone.localdate()

    def progress(done: int, total: int) -> None:
        try:  # best effort: a progress figure must never fail the import
            CohortImport.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)
        except OperationalError:  # e.g. SQLite's table lock while a reader polls the progress
            logger.info("import %s: progress %s/%s not recorded (database busy)", job.pk, done, total)

    try:
        rows, problems = read_rows(job.source, ignore_columns=job.ignore_columns)
        job.total_rows = len(rows)
        job.status = CohortImport.Status.VALIDATING
        job.save(update_fields=["total_rows", "status"])
        records, row_problems = validate_rows(rows, service=job.service, today=today, progress=progress)
        problems += row_problems
        job.processed_rows = len(rows)
        if not problems:
            job.notices = _notices(job, columns=set(rows[0]) if rows else set())
        if problems:
            job.status, job.problems = CohortImport.Status.REJECTED, problems_capped(problems)
        elif job.dry_run:
            existing = set(
                Child.objects.filter(service=job.service, reference__in=[r["reference"] for r in records])
                .values_list("reference", flat=True)
            )
            job.created_count = sum(1 for r in records if r["reference"] not in existing)
            job.updated_count = len(records) - job.created_count
            job.status = CohortImport.Status.VALIDATED
        else:
            CohortImport.objects.filter(pk=job.pk).update(status=CohortImport.Status.APPLYING)
            with transaction.atomic():
                job.created_count, job.updated_count, job.unchanged_count = _apply(
                    records, service=job.service, day=today, actor=job.uploaded_by)
                audit_record(actor=job.uploaded_by, action="cohort.imported",
                             detail={"import_id": job.pk, "filename": job.filename, "created": job.created_count,
                                     "updated": job.updated_count})
                event_emit("panels.cohort.imported", {"service_id": job.service_id, "import_id": job.pk})
            job.status = CohortImport.Status.APPLIED
    except Exception:
        logger.exception("cohort import %s failed", job.pk)
        job.status = CohortImport.Status.FAILED
        job.problems = [_problem(None, None, None, "The import failed unexpectedly; nothing was changed.")]
    job.finished_at = timezone.now()
    job.save()
    return job


def _notices(job: CohortImport, *, columns: set[str]) -> list[str]:
    """What the importer should know about an accepted file: that a version 1 file (no ``*_held_on`` columns)
    leaves the meeting reasons on the agendas, said until the service has once applied such a file."""
    if columns & set(cohort.HELD_ON_FIELDS):
        return []
    earlier = (CohortImport.objects.filter(service=job.service, status=CohortImport.Status.APPLIED)
               .exclude(pk=job.pk).values_list("notices", flat=True))
    if any(VERSION_1_NOTICE in notices for notices in earlier):
        return []
    return [VERSION_1_NOTICE]


def cohort_import_start(*, job: CohortImport) -> None:
    """Process now for small files; in a background thread (after commit) for large ones."""
    if job.source.count("\n") <= INLINE_ROW_LIMIT:
        cohort_import_process(job=job)
        return

    def run() -> None:
        try:
            cohort_import_process(job=CohortImport.objects.select_related("service").get(pk=job.pk))
        finally:
            close_old_connections()

    transaction.on_commit(lambda: threading.Thread(target=run, name=f"cohort-import-{job.pk}", daemon=True).start())


def cohort_export_rows(children: Iterable[Child]) -> Iterable[dict[str, str]]:
    for child in children:
        yield cohort.record_to_row(child_to_record(child))


def cohort_export_csv(children: Iterable[Child]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_NAMES, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_row(row) for row in cohort_export_rows(children))  # no formulas (issue 14)
    return out.getvalue()
