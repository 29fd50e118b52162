"""The board pack PDF, made in the background (docs/oversight.md "The board pack PDF").

WeasyPrint takes about a minute over the case list of a 10,000-child service (docs/performance.md): far beyond a
request. So "Prepare the PDF" on the board page (``board_file_request``) creates or reuses the reader's
``BoardPackFile`` for the period and audience, marks it pending and runs the job "board_pack_pdf" through
``panels.jobs.run_job`` (Celery in the production shape, a thread in the embedded one, which starts at once);
the job (``board_file_build``) renders the pack as its reader may see it and stores the PDF in the row with the
key of the rows it was made from. The board page polls the row's status (htmx) and then offers the download;
a PDF whose key is no longer the data's is offered as made before the latest changes. A job stuck longer than
``JOB_TIMEOUT_SECONDS`` is failed with a message (``board_files_fail_stuck``, on beat and on the next request).

Each reader has their own file: its case list is the children that reader may see.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from agendas.models import BoardPackFile
from panels.audit import audit_record
from panels.jobs import job_rows_fail_stuck, job_take

logger = logging.getLogger(__name__)

JOB_KIND = "board_pack_pdf"
STUCK_MESSAGE = "The PDF stopped being prepared (it ran for longer than {minutes} minutes): prepare it again."
Status = BoardPackFile.Status


def board_file_for(*, service_id: int, user, period: str, audience: str) -> BoardPackFile | None:
    """The reader's file of this period and audience, without its bytes (one query)."""
    return (BoardPackFile.objects.defer("pdf", "children")
            .filter(service_id=service_id, requested_by=user, period=period, audience=audience).first())


@transaction.atomic
def board_file_request(*, service, user, period: str, audience: str, request=None) -> BoardPackFile:
    """Ask for the reader's PDF of the period and audience: the row is created or reused; one already waiting or
    running is left to finish (a stuck one is failed first, then asked for again)."""
    from panels.jobs import run_job

    board_files_fail_stuck(service_id=service.pk)
    now = timezone.now()
    job, _ = BoardPackFile.objects.get_or_create(service=service, requested_by=user, period=period,
                                                 audience=audience, defaults={"requested_at": now,
                                                                              "status": Status.FAILED})
    if BoardPackFile.objects.filter(pk=job.pk, status__in=(Status.DONE, Status.FAILED)).update(
            status=Status.PENDING, requested_at=now, started_at=None, finished_at=None, message="", pdf=b"",
            children=[], rows_key=""):
        audit_record(actor=user, action="oversight.board_pack_requested", request=request,
                     detail={"period": period, "audience": audience, "file": job.pk})
        run_job(JOB_KIND, job.pk)
    job.refresh_from_db(fields=["status", "requested_at"])
    return job


def board_file_withdraw(*, job: BoardPackFile) -> None:
    """Take a made file out of reach (its reader may no longer see every child listed in it)."""
    BoardPackFile.objects.filter(pk=job.pk).update(
        status=Status.FAILED, pdf=b"", children=[],
        message="Who you may see has changed since the PDF was made: prepare it again.")


def board_file_render(job: BoardPackFile) -> tuple[bytes, list[list], str]:
    """The PDF of the job's pack as its reader may see it, the children listed in it, and the key of the rows it
    was made from ("" when they were older than the data: then it is out of date from the start)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from agendas.oversight import selectors, snapshots, views
    from agendas.services import working_calendar

    scope = selectors.report_scope_for(user=job.requested_by)
    if scope.service.pk != job.service_id:
        raise Http404("The reader no longer reads this service's reports")
    read = snapshots.report_rows(scope=scope, calendar=working_calendar())
    context = views.board_context(user=job.requested_by, scope=scope, rows=read.rows, today=timezone.localdate(),
                                  params={"period": job.period, "audience": job.audience}, page=None)
    html = render_to_string("oversight/board_pdf.html", {**context, "for_pdf": True})
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", custom_metadata=True)
    children = [[row.id, row.reference] for row, _ in context["cases"]]
    return pdf, children, read.key if read.updating_since is None else ""


def board_file_build(job_id: int) -> None:
    """The job: make the PDF and store it (taken only while pending: never run twice at once)."""
    if not job_take(BoardPackFile, job_id):
        return  # gone, or already taken by another run
    job = BoardPackFile.objects.select_related("requested_by").defer("pdf").get(pk=job_id)
    try:
        pdf, children, key = board_file_render(job)
    except Http404:
        BoardPackFile.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.FAILED, message="You no longer read this service's reports.")
        return
    except Exception as exc:
        logger.exception("board pack PDF %s failed", job_id)
        BoardPackFile.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.FAILED, message=f"The PDF could not be made: {type(exc).__name__}. Prepare it again.")
        return
    BoardPackFile.objects.filter(pk=job_id, status=Status.RUNNING).update(
        status=Status.DONE, pdf=pdf, children=children, rows_key=key, finished_at=timezone.now(), message="")


def board_files_fail_stuck(*, now: datetime | None = None, service_id: int | None = None) -> int:
    """Fail every PDF waiting or running for longer than JOB_TIMEOUT_SECONDS (its worker died, the process
    restarted), with a message; its reader can prepare it again. Returns how many."""
    return job_rows_fail_stuck(BoardPackFile, message=STUCK_MESSAGE, what="board pack PDF(s)",
                               now=now, service_id=service_id)
