"""Accessible Word documents (python-docx): what the minutes and the resettlement plan share."""

from __future__ import annotations

from typing import Any


def table(document: Any, headers: list[str], rows: list[list[str]]) -> Any:
    """A table with a bold header row that repeats on each page and is read as headers by screen readers."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = text
        if cell.paragraphs[0].runs:
            cell.paragraphs[0].runs[0].bold = True
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(marker)
    for row in rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text
    return grid
