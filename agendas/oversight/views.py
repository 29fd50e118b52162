"""The oversight pages (docs/oversight.md): reports, their lists of children, downloads and the board pack.

Who: ``permissions.can_view_reports`` (service managers, the strategic leads and chairs of the service's panels);
anyone else gets 404. Figures count the whole service; a list of children shows only those the viewer may see
case by case, and every such read is audited with the children listed. Downloads and the board pack leave the
service: counts from 1 to 4 in them are suppressed.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import threading
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agendas.models import BoardPackFile
from agendas.oversight import aggregate as agg
from agendas.oversight import board_files, charts, selectors, snapshots, tables
from agendas.services import working_calendar
from agendas.statutory import REQUIREMENT_CODES, TITLES
from agendas.workdays import add_months
from panels.audit import audit_children_read, audit_record

REPORTS = {"timeliness": "Timeliness of statutory requirements", "releases": "Release outcomes",
           "custody": "Custody now and the youth-to-adult pipeline"}
BREAKDOWNS = {"timeliness": agg.TIMELINESS_BY, "releases": agg.RELEASE_BY, "custody": agg.CUSTODY_BY}
DEFAULT_BY = {"timeliness": "requirement", "releases": "month", "custody": "establishment"}
FIGURES = {"timeliness": ("due", "met_on_time", "met_late", "open"), "releases": tuple(agg.RELEASE_FIGURES),
           "custody": ("remand", "sentenced", "all")}
FIGURE_LABELS = {**agg.STATUS_LABELS, **agg.RELEASE_FIGURES, "remand": "Remanded", "sentenced": "Sentenced",
                 "all": "In custody"}
AUDIENCES = {"full": "Full (inside the service): names and references",
             "summary": "Summary (leaves the service): references only, counts under 5 suppressed"}


_GC_LOCK = threading.Lock()
_GC_PAUSED = {"views": 0, "was_enabled": False}


def cyclic_gc_paused(view):
    """Run the view with Python's cyclic garbage collector paused: the figures allocate many short-lived objects,
    and each collection would walk the 10,000 kept rows (docs/performance.md: half of a kept-rows reading). What
    the view allocates has no cycles and is freed by reference counting; the collector runs again after the last
    paused view ends (a count, so overlapping views in threads never leave it off)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with _GC_LOCK:
            if _GC_PAUSED["views"] == 0:
                _GC_PAUSED["was_enabled"] = gc.isenabled()
                gc.disable()
            _GC_PAUSED["views"] += 1
        try:
            return view(*args, **kwargs)
        finally:
            with _GC_LOCK:
                _GC_PAUSED["views"] -= 1
                if _GC_PAUSED["views"] == 0 and _GC_PAUSED["was_enabled"]:
                    gc.enable()

    return wrapper


class BadQuery(Exception):
    pass


def _date(request, name: str, default: date) -> date:
    raw = request.GET.get(name, "")[:10]
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadQuery(f"{name}: {raw!r} is not a date (write it as YYYY-MM-DD)") from None


def _query(request, report: str, today: date) -> dict[str, Any]:
    """The report's filters from the query string, checked: period, breakdown, requirement."""
    start = _date(request, "from", add_months(today.replace(day=1), -11))
    end = _date(request, "to", today)
    if end < start:
        raise BadQuery("to: the end of the period is before its start")
    if (end - start).days > 366 * 5:
        raise BadQuery("from: a period is at most five years long")
    by = request.GET.get("by", "")[:20] or DEFAULT_BY[report]
    if by not in BREAKDOWNS[report]:
        raise BadQuery(f"by: {by!r} is not a breakdown of this report (choose one of {', '.join(BREAKDOWNS[report])})")
    code = request.GET.get("code", "")[:40]
    if code and code not in REQUIREMENT_CODES:
        raise BadQuery(f"code: {code!r} is not a statutory requirement")
    return {"from": start, "to": end, "by": by, "code": code}


def _bad(message: str) -> HttpResponse:
    return HttpResponse(f"The report cannot be made: {message}.", status=400, content_type="text/plain; charset=utf-8")


def _setup(request):
    """The viewer's scope, today and the service's rows (agendas/oversight/snapshots.py: stored once per change;
    while newer ones are computed, ``scope.updating_since`` says when these were made and the pages say so)."""
    scope = selectors.report_scope_for(user=request.user)
    read = snapshots.report_rows(scope=scope, calendar=working_calendar())
    if read.updating_since is not None:
        scope = dataclasses.replace(scope, updating_since=read.updating_since)
    return scope, timezone.localdate(), read.rows


PAGE_SIZE = 50  # children per page of a case list on screen (the downloads and the PDF list them all)


def _page(request, items: list, param: str = "page") -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param, "")[:6])


def _by_next_date(cases: list, today: date) -> list:
    """(row, next requirement) pairs, the soonest next key date first (overdue ones first), none open last."""
    return sorted(cases, key=lambda c: (c[1] is None, c[1].due if c[1] else today, c[0].reference))


def report_request(view):
    """What the report views share: an unknown report (or download format) is a 404; the viewer's scope, today and
    the computed rows are set up; the query parsed, a bad one answered 400 naming what is wrong. The view is called
    as ``view(request, report, scope, today, rows, query, **kwargs)``."""

    @functools.wraps(view)
    def wrapped(request, report: str, **kwargs):
        if report not in REPORTS or kwargs.get("fmt", "csv") not in ("csv", "xlsx"):
            raise Http404("No such report")
        scope, today, rows = _setup(request)
        try:
            query = _query(request, report, today)
        except BadQuery as exc:
            return _bad(str(exc))
        return view(request, report, scope, today, rows, query, **kwargs)

    return wrapped


def _groups(report: str, rows, query: dict[str, Any], today: date, scope) -> list:
    if report == "timeliness":
        return agg.timeliness(rows, start=query["from"], end=query["to"], today=today, by=query["by"],
                              code=query["code"] or None, panel_of=scope.panel_of)
    if report == "releases":
        return agg.release_outcomes(rows, start=query["from"], end=query["to"], today=today, by=query["by"])
    return agg.custody_now(rows, today=today, by=query["by"])


def _params(query: dict[str, Any]) -> dict[str, str]:
    return {"from": query["from"].isoformat(), "to": query["to"].isoformat(), "by": query["by"],
            **({"code": query["code"]} if query["code"] else {})}


def _tables(report: str, groups, rows, query, today) -> tuple[list[tables.Table], list[dict[str, str]]]:
    """The report's tables and charts (each chart with its summary; its data is the table named ``table``)."""
    base = _params(query)

    def link(key: str, figure: str, by: str = query["by"]) -> str:
        return reverse("oversight_children", args=[report]) + "?" + urlencode({**base, "by": by, "key": key,
                                                                                "figure": figure})

    if report == "timeliness":
        months = agg.monthly_on_time(rows, months=agg.month_starts(min(query["to"], today), 12), today=today)
        trend = tables.trend_table(months)
        series = [m.percent_on_time for m in months]
        known = [(m.label, p) for m, p in zip(months, series, strict=True) if p is not None]
        summary = ("No statutory requirement fell due in these months." if not known else
                   f"Met on time: {known[-1][1]}% in {known[-1][0]}"
                   + (f", from {known[0][1]}% in {known[0][0]}." if len(known) > 1 else "."))
        chart = {"src": charts.line_chart(title="Statutory requirements met on time (%)",
                                          labels=[m.label for m in months], series=[("Met on time (%)", series)],
                                          percent=True),
                 "summary": summary, "table": "trend"}
        return [tables.timeliness_table(groups, by=query["by"], link=link), trend], [chart]
    if report == "releases":
        distance = tables.distance_table(agg.distance_shares(rows, start=query["from"], end=query["to"]),
                                         link=lambda key, figure: link(key, figure, "distance"))
        return [tables.release_table(groups, by=query["by"], link=link), distance], []
    days = [add_months(first, 1) - timedelta(days=1) for first in agg.month_starts(today, 12)]
    points = agg.custody_population(rows, days=[min(d, today) for d in days])
    summary = (f"{points[-1][1]} children in custody on {points[-1][0]:%-d %B %Y}; "
               f"{points[0][1]} on {points[0][0]:%-d %B %Y}.")
    chart = {"src": charts.bar_chart(title="Children in custody at each month's end",
                                     labels=[f"{d:%b %Y}" for d, _ in points], values=[n for _, n in points],
                                     name="Children in custody"),
             "summary": summary, "table": "population"}
    return [tables.custody_table(groups, by=query["by"], link=link), tables.population_table(points)], [chart]


@login_required
@require_GET
@cyclic_gc_paused
def oversight_index(request):
    scope, today, rows = _setup(request)
    year_ago = add_months(today, -12)
    total = agg.timeliness_total(agg.timeliness(rows, start=year_ago, end=today, today=today))
    custody = agg.in_custody(rows, today=today)
    return render(request, "oversight/index.html", {
        "scope": scope, "reports": REPORTS, "total": total, "in_custody": len(custody), "year_ago": year_ago,
        "today": today, "periods": [f"{d:%Y-%m}" for d in reversed(agg.month_starts(today, 6))],
    })


@login_required
@require_GET
@cyclic_gc_paused
@report_request
def oversight_report(request, report: str, scope, today: date, rows, query: dict[str, Any]):
    groups = _groups(report, rows, query, today, scope)
    report_tables, report_charts = _tables(report, groups, rows, query, today)
    context: dict[str, Any] = {
        "scope": scope, "report": report, "title": REPORTS[report], "query": query, "tables": report_tables,
        "charts": report_charts, "breakdowns": BREAKDOWNS[report], "codes": [(c, TITLES[c]) for c in REQUIREMENT_CODES],
        "download": urlencode(_params(query)), "today": today,
    }
    if report == "custody":  # case-level lists: only the children the viewer may see, audited
        custody = agg.in_custody(rows, today=today)
        pipeline = agg.y2a_pipeline(rows, today=today)
        visible = selectors.visible_child_ids(user=request.user, child_ids=[r.id for r in custody]
                                              + [p.row.id for p in pipeline])
        listed = _by_next_date([(r, r.next_due(today)) for r in custody if r.id in visible], today)
        context["custody_page"] = page = _page(request, listed)  # paged on screen; the downloads list them all
        context["custody_list"] = list(page.object_list)
        turning = [p for p in pipeline if p.row.id in visible]
        context["pipeline_page"] = pipeline_page = _page(request, turning, "pipeline_page")
        context["pipeline"] = list(pipeline_page.object_list)
        context["custody_query"] = urlencode({**_params(query), "pipeline_page": pipeline_page.number})
        context["pipeline_query"] = urlencode({**_params(query), "page": page.number})
        context["hidden"] = len(custody) + len(pipeline) - len(listed) - len(turning)
        shown = [(r.id, r.reference) for r, _ in context["custody_list"]] + \
            [(p.row.id, p.row.reference) for p in context["pipeline"]]
        audit_children_read(actor=request.user, action="oversight.custody_viewed", children=shown, request=request)
    return render(request, "oversight/report.html", context)


@login_required
@require_GET
@cyclic_gc_paused
@report_request
def oversight_children(request, report: str, scope, today: date, rows, query: dict[str, Any]):
    """The children behind one figure of a report, as the viewer may see them (audited, with the children)."""
    key, figure = request.GET.get("key", "")[:200], request.GET.get("figure", "")[:20]
    if figure not in FIGURES[report]:
        return _bad(f"figure: {figure!r} is not a figure of this report (one of {', '.join(FIGURES[report])})")
    group = next((g for g in _groups(report, rows, query, today, scope) if g.key == key), None)
    ids = group.figure(figure).children if group is not None else []
    visible = selectors.visible_child_ids(user=request.user, child_ids=ids)
    by_id = {row.id: row for row in rows}
    shown = [by_id[i] for i in ids if i in visible]
    audit_children_read(actor=request.user, action="oversight.children_viewed", children=[(r.id, r.reference)
                        for r in shown], request=request, detail={"report": report, "figure": figure})
    code = query["code"] or (key if report == "timeliness" and query["by"] == "requirement" else "")
    return render(request, "oversight/children.html", {
        "scope": scope, "report": report, "title": REPORTS[report], "query": query, "group": group,
        "figure_label": FIGURE_LABELS[figure], "children": shown, "hidden": len(ids) - len(shown),
        "code": code, "today": today, "back": reverse("oversight_report", args=[report]) + "?"
        + urlencode(_params(query)),
    })


@login_required
@require_GET
@cyclic_gc_paused
@report_request
def oversight_download(request, report: str, scope, today: date, rows, query: dict[str, Any], fmt: str):
    report_tables, _ = _tables(report, _groups(report, rows, query, today, scope), rows, query, today)
    if scope.updating_since is not None:  # never stale silently: the download says so first
        as_of = timezone.localtime(scope.updating_since)
        report_tables = [tables.Table("as_of", f"Figures as of {as_of:%H:%M} on {as_of.day} {as_of:%b %Y}, being "
                                      "updated: a record changed since and the new figures were being computed", []),
                         *report_tables]
    audit_record(actor=request.user, action="oversight.downloaded", request=request,
                 detail={"report": report, "format": fmt, **_params(query)})
    name = f"convene-{report}-{query['from']}-{query['to']}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(tables.tables_csv(report_tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(tables.tables_xlsx(report_tables, title=REPORTS[report]),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the board pack ----------------------------------------------------------------------------------------
def board_params(params, today: date) -> tuple[str, str, date, date]:
    """The board pack's period (as asked, its first and last day) and audience, checked (``BadQuery``)."""
    raw = params.get("period", "")[:7] or f"{today:%Y-%m}"
    try:
        first = date.fromisoformat(raw + "-01")
    except ValueError:
        raise BadQuery(f"period: {raw!r} is not a month (write it as YYYY-MM)") from None
    audience = params.get("audience", "full")
    if audience not in AUDIENCES:
        raise BadQuery(f"audience: {audience!r} is not one of {', '.join(AUDIENCES)}")
    last = min(add_months(first, 1) - timedelta(days=1), today)
    if last < first:
        raise BadQuery(f"period: {raw} has not begun")
    return raw, audience, first, last


def board_context(*, user, scope, rows, today: date, params, page: str | None) -> dict[str, Any]:
    """The board pack's figures and case list (the children ``user`` may see): on screen one page of the list
    (``page``, ``PAGE_SIZE``), in the PDF (``page`` None) all. Not audited: the page and the download are."""
    raw, audience, first, last = board_params(params, today)
    months = agg.monthly_on_time(rows, months=agg.month_starts(last, 6), today=today)
    points = agg.custody_population(rows, days=[min(add_months(m, 1) - timedelta(days=1), today)
                                                for m in agg.month_starts(last, 6)])
    released = agg.release_outcomes(rows, start=first, end=last, today=today, by="month")
    release = released[0] if released else agg.ReleaseGroup(f"{first:%Y-%m}", f"{first:%B %Y}")
    overdue = sum(1 for row in rows for r in row.requirements if r.status(today) == "overdue"
                  and r.due >= add_months(today, -12))
    custody = sorted(agg.in_custody(rows, today=last), key=lambda r: (r.establishment or "", r.reference))
    visible = selectors.visible_child_ids(user=user, child_ids=[r.id for r in custody])
    listed = [(r, r.next_due(today)) for r in custody if r.id in visible]
    cases_page = Paginator(listed, PAGE_SIZE).get_page(page) if page is not None else None
    cases = list(cases_page.object_list) if cases_page is not None else listed
    trend = tables.trend_table(months)
    population = tables.population_table(points)
    summary = f"{points[-1][1]} children in custody on {points[-1][0]:%-d %B %Y}."
    return {
        "scope": scope, "first": first, "last": last, "period": raw, "audience": audience, "audiences": AUDIENCES,
        "months": months, "this_month": months[-1], "points": points, "release": release, "overdue": overdue,
        "cases": cases, "cases_page": cases_page, "listed": len(listed),
        "hidden": len(custody) - len(listed), "trend": trend, "population": population,
        "suppressed": audience == "summary", "today": today, "generated": timezone.now(), "made_for": user,
        "trend_chart": charts.line_chart(title="Statutory requirements met on time (%)",
                                         labels=[m.label for m in months],
                                         series=[("Met on time (%)", [m.percent_on_time for m in months])],
                                         percent=True),
        "population_chart": charts.bar_chart(title="Children in custody at each month's end",
                                             labels=[f"{d:%b %Y}" for d, _ in points],
                                             values=[n for _, n in points], name="Children in custody"),
        "population_summary": summary,
        "query": urlencode({"period": raw, "audience": audience}),
    }


def _pdf_status(request, *, scope, params, today: date, data_key: str | None = None) -> dict[str, Any]:
    """What the board page says of the viewer's PDF of this period and audience (board_files.py)."""
    raw, audience, _first, _last = board_params(params, today)
    job = board_files.board_file_for(service_id=scope.service.pk, user=request.user, period=raw,
                                     audience=audience)
    stale = False
    if job is not None and job.status == job.Status.DONE:
        if data_key is None:
            data_key = snapshots.rows_key(selectors.data_stamp(service_id=scope.service.pk), scope)
        stale = job.rows_key != data_key
    return {"pdf_job": job, "pdf_stale": stale, "period": raw, "audience": audience,
            "query": urlencode({"period": raw, "audience": audience})}


@login_required
@require_GET
@cyclic_gc_paused
def oversight_board(request):
    """The board pack on screen, and the state of the viewer's PDF of it; htmx polls the PDF's state here
    (``HX-Request``: the status fragment alone, 286 once the job has ended so that the polling stops)."""
    if request.headers.get("HX-Request"):
        scope, today = selectors.report_scope_for(user=request.user), timezone.localdate()
        try:
            status = _pdf_status(request, scope=scope, params=request.GET, today=today)
        except BadQuery as exc:
            return _bad(str(exc))
        job = status["pdf_job"]
        return render(request, "oversight/_board_pdf_status.html", status,
                      status=286 if job is None or job.is_finished else 200)
    scope = selectors.report_scope_for(user=request.user)
    read = snapshots.report_rows(scope=scope, calendar=working_calendar())
    if read.updating_since is not None:
        scope = dataclasses.replace(scope, updating_since=read.updating_since)
    today = timezone.localdate()
    try:
        context = board_context(user=request.user, scope=scope, rows=read.rows, today=today, params=request.GET,
                                page=request.GET.get("page", "")[:6])
        context.update(_pdf_status(request, scope=scope, params=request.GET, today=today, data_key=read.key))
    except BadQuery as exc:
        return _bad(str(exc))
    audit_children_read(actor=request.user, action="oversight.board_pack_viewed", request=request,
                        children=[(r.id, r.reference) for r, _ in context["cases"]],
                        detail={"period": context["period"], "audience": context["audience"]})
    return render(request, "oversight/board.html", {**context, "for_pdf": False})


@login_required
@require_POST
def oversight_board_prepare(request):
    """"Prepare the PDF": the viewer's PDF of the period and audience made in the background (board_files.py)."""
    scope = selectors.report_scope_for(user=request.user)
    try:
        raw, audience, _first, _last = board_params(request.POST, timezone.localdate())
    except BadQuery as exc:
        return _bad(str(exc))
    board_files.board_file_request(service=scope.service, user=request.user, period=raw, audience=audience,
                                   request=request)
    return redirect(reverse("oversight_board") + "?" + urlencode({"period": raw, "audience": audience}))


@login_required
@require_GET
def oversight_board_file(request, file_id: int):
    """A made board pack PDF (``BoardPackFile``), for a reader of its service who may see every child listed in
    it (404 for anyone else), audited with those children; never cached. Its own reader whose view has narrowed
    since it was made is sent back to the board page to prepare it again."""
    scope = selectors.report_scope_for(user=request.user)
    job = get_object_or_404(BoardPackFile, pk=file_id, service_id=scope.service.pk, status=BoardPackFile.Status.DONE)
    children = [(child_id, reference) for child_id, reference in job.children]
    if selectors.visible_child_ids(user=request.user, child_ids=[c for c, _ in children]) != {c for c, _ in children}:
        if job.requested_by_id != request.user.pk:
            raise Http404("No such file")
        board_files.board_file_withdraw(job=job)
        return redirect(reverse("oversight_board") + "?" + urlencode({"period": job.period, "audience": job.audience}))
    audit_children_read(actor=request.user, action="oversight.board_pack_viewed", children=children,
                        request=request, detail={"period": job.period, "audience": job.audience, "file": job.pk})
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="convene-board-pack-{job.period}-{job.audience}.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response
