"""The oversight reports as tables of cells: the page renders them (each count a link to its children), the
downloads write them (each count of 1 to 4 suppressed: a download leaves the service). One builder per report,
so the page, the CSV and the XLSX are the same figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agendas.oversight import aggregate as agg
from agendas.oversight.aggregate import SMALL
from agendas.statutory import MET_LATE, MET_ON_TIME
from panels.spreadsheets import csv_safe, safe_row

Link = Callable[[str, str], str]  # (group key, figure) -> the URL of its children


@dataclass(frozen=True)
class Cell:
    value: Any
    href: str = ""
    base: int | None = None  # the count of children this cell rests on: 1..4 is suppressed outside the service

    @property
    def small(self) -> bool:
        return self.base is not None and 0 < self.base < SMALL

    def exported(self) -> Any:
        if self.small:
            return agg.suppress(self.value) if self.value == self.base else "suppressed"
        return "" if self.value is None else self.value


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()  # column indexes holding numbers (right-aligned)


def _count(figure: agg.Figure, href: str) -> Cell:
    return Cell(figure.count, href if figure.count else "", figure.count)


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def timeliness_table(groups: Sequence[agg.TimelinessGroup], *, by: str, link: Link) -> Table:
    table = Table("timeliness", "Timeliness of statutory requirements",
                  [agg.TIMELINESS_BY[by], "Due", "Met on time", "Met late", "Median days late", "Worst days late",
                   "Still open", "Met on time (%)"], numeric=frozenset(range(1, 8)))
    for group in [*groups, agg.timeliness_total(groups)]:
        late = len(group.days_late)
        table.rows.append([
            Cell(group.label),
            *(_count(group.figure(s), link(group.key, s)) for s in ("due", MET_ON_TIME, MET_LATE)),
            Cell(_days(group.median_days_late), base=late), Cell(_days(group.worst_days_late), base=late),
            _count(group.open, link(group.key, "open")),
            Cell(group.percent_on_time, base=group.due.count),
        ])
    return table


def release_table(groups: Sequence[agg.ReleaseGroup], *, by: str, link: Link) -> Table:
    table = Table("releases", "Release outcomes", [agg.RELEASE_BY[by], *agg.RELEASE_FIGURES.values()],
                  numeric=frozenset(range(1, len(agg.RELEASE_FIGURES) + 1)))
    for group in groups:
        table.rows.append([Cell(group.label), *(_count(group.figure(name), link(group.key, name))
                                                for name in agg.RELEASE_FIGURES)])
    return table


def distance_table(shares: Sequence[agg.DistanceShare], *, link: Link) -> Table:
    """The children released by distance from home (HMIP's bands); ``link`` leads to the children of a band."""
    table = Table("distance", "Distance from home of the children released",
                  ["Distance from home", "Children released", "Share of all released (%)",
                   "Share of those with a known distance (%)"], numeric=frozenset({1, 2, 3}))
    for share in shares:
        table.rows.append([Cell(share.label), _count(share.figure, link(share.key, "released")),
                           Cell(share.percent, base=share.figure.count),
                           Cell(share.percent_known, base=share.figure.count)])
    return table


def custody_table(groups: Sequence[agg.CustodyGroup], *, by: str, link: Link) -> Table:
    table = Table("custody", "Children in custody now", [agg.CUSTODY_BY[by], "Remanded", "Sentenced", "All"],
                  numeric=frozenset({1, 2, 3}))
    for group in groups:
        table.rows.append([Cell(group.label), *(_count(group.figure(name), link(group.key, name))
                                                for name in ("remand", "sentenced", "all"))])
    return table


def population_table(points: Sequence[tuple[date, int]]) -> Table:
    table = Table("population", "Custody population at each month's end", ["Day", "Children in custody"],
                  numeric=frozenset({1}))
    for day, count in points:
        table.rows.append([Cell(f"{day.day} {day:%B %Y}"), Cell(count, base=count)])
    return table


def trend_table(months: Sequence[agg.TimelinessGroup]) -> Table:
    table = Table("trend", "Timeliness by month due", ["Month", "Due", "Met on time", "Met on time (%)"],
                  numeric=frozenset({1, 2, 3}))
    for month in months:
        table.rows.append([Cell(month.label), Cell(month.due.count, base=month.due.count),
                           Cell(month.met_on_time.count, base=month.met_on_time.count),
                           Cell(month.percent_on_time, base=month.due.count)])
    return table


# --- downloads ---------------------------------------------------------------------------------------------
def tables_csv(tables: Sequence[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for n, table in enumerate(tables):
        if n:
            writer.writerow([])
        writer.writerow(safe_row([table.title]))
        writer.writerow(safe_row(table.headers))
        for row in table.rows:
            writer.writerow(safe_row([cell.exported() for cell in row]))
    return out.getvalue()


def tables_xlsx(tables: Sequence[Table], *, title: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "author": "Convene"})
    bold = book.add_format({"bold": True})
    for table in tables:
        sheet = book.add_worksheet(table.key[:31])
        sheet.write_string(0, 0, csv_safe(table.title), bold)
        for col, header in enumerate(table.headers):
            sheet.write_string(1, col, csv_safe(header), bold)
            sheet.set_column(col, col, 14 if col else 36)
        for r, row in enumerate(table.rows, start=2):
            for col, cell in enumerate(row):
                value = cell.exported()
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(csv_safe(str(value))))
        sheet.freeze_panes(2, 1)
    book.close()
    return out.getvalue()
