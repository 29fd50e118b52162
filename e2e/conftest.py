"""End-to-end tests: a real ASGI server (uvicorn, websockets included) and Debian's Chromium.

They run in their own pytest process (``pytest e2e``): Playwright's sync API and pytest-asyncio do
not share one process well (stack-notes.md).
"""

from __future__ import annotations

import pytest
from demo_server import CHROMIUM_ARGS, DemoServer, chromium_path, sign_in
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The demo service on its own SQLite file, served by uvicorn on a free loopback port."""
    demo = DemoServer(tmp_path_factory.mktemp("var"))
    yield {"url": demo.url, "shell": demo.shell}
    demo.stop()


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _signed_in_states():
    """Cookies of each demo user once fully signed in: a two-factor code works once per user, so a user signs in
    through the browser (password, then code) once per session and later contexts reuse the session."""
    return {}


@pytest.fixture
def signed_in(browser, server, _signed_in_states):
    contexts = []

    def _open(username: str):
        state = _signed_in_states.get(username)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, storage_state=state)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        if state is not None:
            page.goto(server["url"] + "/")
            return page
        sign_in(page, server["url"], username)
        _signed_in_states[username] = context.storage_state()
        return page

    yield _open
    for context in contexts:
        context.close()
