"""Wide tables scroll inside their own container on a phone, not the whole page (issue 15, point 11)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [p for app in ("config", "panels", "agendas", "minutes", "notifications")
             for p in (ROOT / app / "jinja2").rglob("*.html")]
WRAPPER = re.compile(r'<div class="convene-table-scroll[^"]*" role="region" aria-label="[^"]+" tabindex="0">\s*'
                     r'<table class="govuk-table"')


def test_every_govuk_table_sits_in_a_focusable_labelled_scrolling_container():
    bare = []
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        if text.count('<table class="govuk-table"') != len(WRAPPER.findall(text)):
            bare.append(str(template.relative_to(ROOT)))
    assert TEMPLATES and not bare, f"tables outside a .convene-table-scroll container: {bare}"


def test_the_container_scrolls_sideways():
    css = (ROOT / "frontend" / "convene.css").read_text(encoding="utf-8")
    assert re.search(r"\.convene-table-scroll \{[^}]*overflow-x: auto", css)
