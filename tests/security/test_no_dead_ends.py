"""No dead ends (issue 15, point 9): every persona signs in, follows every link on every page it can reach
(GET only, within the site) and never meets "Page not found" or a server error.

A link a persona is shown must lead somewhere that persona may go: a 404 here is a page offering a link to
something the viewer may not see (the secure-estate partner's "Action register", the case manager's meeting
links from a child's "Panels and agendas"), or a link to an address that does not exist.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

from panels.enums import MembershipRole
from tests.factories import MembershipFactory
from tests.security.matrix import PERSONAS, build_matrix_world

SKIP_PREFIXES = ("/admin/", "/static/", "/api/schema/")  # Django's admin (no persona is staff); files; the schema
MAX_PAGES = 400  # per persona: far more than the small world has; a runaway (a link loop with growing queries) fails


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "webcal:", "tel:", "javascript:")):
            continue
        absolute, _ = urldefrag(urljoin("http://testserver" + url, href))
        parts = urlsplit(absolute)
        if parts.netloc != "testserver" or not parts.path or parts.path.startswith(SKIP_PREFIXES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(client: Client, start: str = "/") -> tuple[list[str], int]:
    """Breadth-first over every same-site link; returns the dead ends (status, url, found on) and pages seen."""
    seen = {start: "(start)"}
    queue = deque([start])
    dead: list[str] = []
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            target = urlsplit(urljoin("http://testserver" + url, response.headers["Location"]))
            target_url = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc in ("", "testserver") and target_url not in seen:
                seen[target_url] = url
                queue.append(target_url)
            continue
        if response.status_code == 404 or response.status_code >= 500:
            dead.append(f"{response.status_code} {url} (linked from {seen[url]})")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in links_of(url, response.content.decode("utf-8", "replace")):
            if link not in seen:
                seen[link] = url
                queue.append(link)
        assert len(seen) < MAX_PAGES, f"more than {MAX_PAGES} pages reachable: a link loop? last: {url}"
    return dead, len(seen)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_a_persona_can_reach_leads_somewhere(world, persona):
    mw = build_matrix_world(world)
    # as in the demo, the secure-estate partner is a member of the panel (it sees the panel's page)
    MembershipFactory(panel=world.panel, user=world.users["invited_yoi"], role=MembershipRole.PARTNER)
    client = Client()
    if persona != "anonymous":
        client.force_login(mw.users[persona])
    dead, pages = crawl(client)
    assert pages > (1 if persona == "anonymous" else 5), f"{persona} reached only {pages} page(s)"
    assert not dead, f"{persona} meets {len(dead)} dead end(s):\n  " + "\n  ".join(dead)


def test_the_crawler_reads_links_within_the_site_only():
    html = ('<a href="/meetings/1/">m</a><a href="https://example.org/">x</a><a href="#main">skip</a>'
            '<a href="mailto:a@b.example">mail</a><a href="?page=2">next</a><a href="/admin/">admin</a>')
    assert links_of("/meetings/", html) == ["/meetings/1/", "/meetings/", "/meetings/?page=2"]
