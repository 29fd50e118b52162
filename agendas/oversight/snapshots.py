"""The oversight rows of a service, computed once per change in the background and stored for every process.

Reading and computing 10,000 children takes seconds, and the figures change only when a record does. So:

- a change the reports read (the events ``connect`` subscribes to) asks for a rebuild after its commit:
  ``oversight_rows_request`` marks the service's ``OversightRows`` pending and runs the job "oversight_rows"
  through ``panels.jobs.run_job`` (Celery in the production shape, a thread in the embedded one);
- the job (``oversight_rows_build``) reads every child (``selectors.child_rows``), and stores the rows with the
  key of what they were made from (the data stamp, the panels' names and settings, the rows' format);
- a reader (``report_rows``) reads the stamp (one query) and the stored row's key (one query): the same key, the
  stored rows (kept in memory by each process while the key stands, else one more query to load them); another
  key (a change the events do not carry: a record page, the API), the last complete rows with the
  time they were made, shown on the page as "figures as of HH:MM, being updated", and a rebuild asked for; no
  stored rows yet (the service's first reading), the rows computed in the request, as before, and stored;
  stored rows older than ``OVERSIGHT_ROWS_SECONDS`` (ten minutes) are served as current and rebuilt behind, so
  a change neither the events nor the stamp see (an episode's dates corrected in place on its page) shows
  within that time;
- a job stuck longer than ``JOB_TIMEOUT_SECONDS`` is failed with a message (``oversight_rows_fail_stuck``, on beat
  with the imports' and on the next reading); a failed one is run again on the next reading or change.

Who may see which child is never stored: the lists ask live (``selectors.visible_child_ids``).
The rows are pickled: they are our own frozen dataclasses, and the blob is signed with the secret key and checked
before it is read, so a row altered in the database is refused (and rebuilt), never unpickled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import pickle
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from agendas.models import OversightRows
from agendas.oversight.aggregate import ChildRow
from agendas.oversight.selectors import ReportScope, child_rows, data_stamp, service_scope
from agendas.rules import ChildFacts
from agendas.statutory import Requirement
from agendas.workdays import WorkingCalendar
from panels.jobs import job_rows_fail_stuck, job_take

logger = logging.getLogger(__name__)

JOB_KIND = "oversight_rows"
# the rows' shape: a deploy that changes it makes every stored snapshot stale (rebuilt, never misread)
ROWS_FORMAT = tuple(tuple(f.name for f in dataclasses.fields(cls)) for cls in (ChildRow, ChildFacts, Requirement))
_SALT = "agendas.oversight.snapshots"
STUCK_MESSAGE = ("The figures stopped being computed (it ran for longer than {minutes} minutes); "
                 "they are asked for again.")
Status = OversightRows.Status


@dataclass(frozen=True)
class RowsRead:
    """The rows a reader gets; ``updating_since`` is when they were made when a newer set is being computed."""

    rows: list[ChildRow]
    updating_since: datetime | None = None
    key: str = ""  # what the service's data is now (``rows_key``): a file made from an older key is out of date


def rows_key(stamp: tuple, scope: ReportScope) -> str:
    # the service's own location is read into every row's distance from home: a change to it is a new key
    made_of = (stamp, tuple(sorted(scope.settings.items())), tuple(sorted(scope.panel_names.items())), ROWS_FORMAT,
               (scope.service.latitude, scope.service.longitude))
    return hashlib.sha256(repr(made_of).encode()).hexdigest()


def rows_dump(rows: list[ChildRow]) -> bytes:
    body = zlib.compress(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL), 1)
    return salted_hmac(_SALT, body, algorithm="sha256").digest() + body


def rows_load(blob: bytes | memoryview) -> list[ChildRow] | None:
    """The rows of a stored blob, or None when its signature does not match (it is then never unpickled)."""
    blob = bytes(blob)
    signature, body = blob[:32], blob[32:]
    if not body or not hmac.compare_digest(signature, salted_hmac(_SALT, body, algorithm="sha256").digest()):
        return None
    return pickle.loads(zlib.decompress(body))  # noqa: S301 - our own signed rows (see the module's docstring)


# --- each process keeps the rows it last read, while their key and build stand -----------------------------------
_KEPT: OrderedDict[int, tuple[tuple, list[ChildRow]]] = OrderedDict()
_KEPT_LOCK = threading.Lock()
_KEPT_SERVICES = 4


def _keep(service_id: int, version: tuple, rows: list[ChildRow]) -> None:
    with _KEPT_LOCK:
        _KEPT[service_id] = (version, rows)
        _KEPT.move_to_end(service_id)
        while len(_KEPT) > _KEPT_SERVICES:
            _KEPT.popitem(last=False)


def _kept(service_id: int, version: tuple) -> list[ChildRow] | None:
    with _KEPT_LOCK:
        kept = _KEPT.get(service_id)
        return kept[1] if kept is not None and kept[0] == version else None


def forget_rows() -> None:
    """Drop the rows kept in this process (the bench times a process's first reading with it)."""
    with _KEPT_LOCK:
        _KEPT.clear()


# --- the reader ----------------------------------------------------------------------------------------------------
def report_rows(*, scope: ReportScope, calendar: WorkingCalendar) -> RowsRead:
    """The rows of the scope's service: stored (two or three queries), or the last complete ones while newer are
    computed, or (none stored yet) computed now and stored."""
    service_id = scope.service.pk
    key = rows_key(data_stamp(service_id=service_id), scope)
    stored = OversightRows.objects.filter(service_id=service_id).values_list("pk", "key", "built_at").first()
    rows, built_at = None, None
    if stored is not None and stored[2] is not None:
        built_at = stored[2]
        rows = _kept(service_id, stored)
        if rows is None:
            rows = rows_load(OversightRows.objects.filter(pk=stored[0]).values_list("rows", flat=True).get())
            if rows is not None:
                _keep(service_id, stored, rows)
    if stored is None or built_at is None or rows is None:  # the first reading (or a blob that failed its check)
        rows = child_rows(scope=scope, calendar=calendar)
        oversight_rows_store(service_id=service_id, key=key, rows=rows)
        return RowsRead(rows, key=key)
    if stored[1] == key:
        if timezone.now() - built_at > timedelta(seconds=getattr(settings, "OVERSIGHT_ROWS_SECONDS", 600)):
            oversight_rows_request(service_id=service_id, pk=stored[0])  # a change no stamp sees shows by then
        return RowsRead(rows, key=key)
    oversight_rows_request(service_id=service_id, pk=stored[0])
    return RowsRead(rows, updating_since=built_at, key=key)


def oversight_rows_store(*, service_id: int, key: str, rows: list[ChildRow]) -> None:
    """Store rows computed in a request (the first reading of a service); a job under way is left to finish."""
    now = timezone.now()
    blob = rows_dump(rows)
    stored, _ = OversightRows.objects.update_or_create(service_id=service_id,
                                                        defaults={"key": key, "rows": blob, "built_at": now})
    _keep(service_id, (stored.pk, key, now), rows)


# --- the job -------------------------------------------------------------------------------------------------------
def oversight_rows_request(*, service_id: int, pk: int | None = None) -> bool:
    """Ask for the service's rows (``OversightRows`` ``pk``, found when not given) to be computed again after the
    current commit; a service whose reports nobody has read yet has none (its first reading computes them). A job
    stuck past its timeout is failed first; one waiting is left to run; one running is asked to run once more.
    Three queries whatever the state (four without ``pk``). True when a job is started."""
    from panels.jobs import run_job

    oversight_rows_fail_stuck(service_id=service_id)
    if pk is None:
        pk = OversightRows.objects.filter(service_id=service_id).values_list("pk", flat=True).first()
        if pk is None:
            return False
    OversightRows.objects.filter(pk=pk, status=Status.RUNNING).update(again=True)
    if OversightRows.objects.filter(pk=pk, status__in=(Status.READY, Status.FAILED)).update(
            status=Status.PENDING, requested_at=timezone.now(), started_at=None, again=False):
        run_job(JOB_KIND, pk)
        return True
    return False


def oversight_rows_build(job_id: int) -> None:
    """The job: compute the service's rows and store them (taken only while pending: never run twice at once)."""
    from agendas.services import working_calendar

    if not job_take(OversightRows, job_id):
        return  # gone, or already taken by another run
    job = OversightRows.objects.select_related("service").only("service").get(pk=job_id)
    try:
        scope = service_scope(job.service)
        key = rows_key(data_stamp(service_id=job.service_id), scope)  # before the rows: a change meanwhile shows
        blob = rows_dump(child_rows(scope=scope, calendar=working_calendar()))
    except Exception as exc:
        logger.exception("oversight rows of service %s failed", job.service_id)
        OversightRows.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.FAILED, message=f"The figures could not be computed: {type(exc).__name__}.")
        return
    OversightRows.objects.filter(pk=job_id, status=Status.RUNNING).update(
        status=Status.READY, key=key, rows=blob, built_at=timezone.now(), message="")
    if OversightRows.objects.filter(pk=job_id, status=Status.READY, again=True).update(again=False):
        oversight_rows_request(service_id=job.service_id, pk=job_id)


def oversight_rows_fail_stuck(*, now: datetime | None = None, service_id: int | None = None) -> int:
    """Fail every rebuild waiting or running for longer than JOB_TIMEOUT_SECONDS (its worker died, the process
    restarted), with a message; the next reading or change asks for it again. Returns how many."""
    return job_rows_fail_stuck(OversightRows, message=STUCK_MESSAGE, what="oversight rebuild(s)",
                               now=now, service_id=service_id)
