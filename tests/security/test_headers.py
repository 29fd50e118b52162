"""Every page carries the browser policy headers; no template needs an inline script or handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("persona", ["anonymous", "coordinator", "invited_partner"])
def test_pages_carry_csp_frame_referrer_and_nosniff_headers(world, login, persona):
    client = login(world, persona)
    url = reverse("login") if persona == "anonymous" else reverse("home")
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = directives(response["Content-Security-Policy"])
    script = csp["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'self'" in script
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    # The GOV.UK template's one inline script carries this response's nonce, and it is the only inline script.
    nonce = next(s for s in script if s.startswith("'nonce-"))[len("'nonce-"):-1]
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)
    assert inline == [f' nonce="{nonce}"']


def test_each_response_gets_a_fresh_nonce(client, db):
    first = client.get(reverse("login"))["Content-Security-Policy"]
    second = client.get(reverse("login"))["Content-Security-Policy"]
    assert first != second


def test_api_docs_page_runs_no_inline_script(world, login):
    client = login(world, "coordinator")
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert all(f'nonce="{nonce}"' in tag for tag in inline), f"an inline script without the response's nonce: {inline}"


TEMPLATE_DIRS = [p for p in ROOT.glob("*/jinja2") if ".venv" not in p.parts]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def test_no_template_has_an_inline_script_event_handler_or_javascript_url():
    templates = [p for d in TEMPLATE_DIRS for p in d.rglob("*.html")] + list((ROOT / "frontend").rglob("*.html"))
    assert len(templates) > 20
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert offenders == []
