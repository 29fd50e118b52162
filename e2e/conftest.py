"""End-to-end tests: a real ASGI server (uvicorn, websockets included) and Debian's Chromium.

They run in their own pytest process (``pytest e2e``): Playwright's sync API and pytest-asyncio do
not share one process well (stack-notes.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "convene-demo-2026"
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # panels.demo.DEMO_TOTP_KEY (published, demo only)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The demo service on its own SQLite file, served by uvicorn on a free loopback port."""
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "CONVENE_VAR_DIR": str(var), "DATABASE_URL": "", "REDIS_URL": "",
           "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_demo", "--quiet-logins"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    env["SITE_URL"] = f"http://127.0.0.1:{port}"  # websocket origins are checked with the port (issue 14)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                             "--no-access-log", "config.asgi:application"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.fail("uvicorn did not start")

    def shell(code: str) -> str:
        result = subprocess.run([*manage, "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True,
                                text=True)
        return result.stdout.strip().splitlines()[-1]

    yield {"url": f"http://127.0.0.1:{port}", "shell": shell}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
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
        page.goto(server["url"] + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: url == server["url"] + "/" or "/accounts/two-factor/" in url)
        if "/accounts/two-factor/" in page.url:  # managers, coordinators and chairs: the demo authenticator's code
            page.fill("#id_token", f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}")
            page.click("#main-content button:has-text('Continue')")
            page.wait_for_url(server["url"] + "/")
        _signed_in_states[username] = context.storage_state()
        return page

    yield _open
    for context in contexts:
        context.close()
