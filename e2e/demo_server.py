"""The demo service served for a browser: used by the browser tests (conftest.py) and the browser benchmark
(bench/cockpit_browser.py). Plain functions, no pytest."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django_otp.oath import TOTP

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "convene-demo-2026"
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # panels.demo.DEMO_TOTP_KEY (published, demo only)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoServer:
    """The demo service on its own SQLite file in ``var``, served by uvicorn on a free loopback port."""

    def __init__(self, var: Path):
        self.env = {**os.environ, "CONVENE_VAR_DIR": str(var), "DATABASE_URL": "", "REDIS_URL": "",
                    "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
        self.manage = [sys.executable, "manage.py"]
        subprocess.run([*self.manage, "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        subprocess.run([*self.manage, "seed_demo", "--quiet-logins"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env["SITE_URL"] = self.url  # websocket origins are checked with the port
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                                      "--no-access-log", "config.asgi:application"], cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("uvicorn did not start")

    def shell(self, code: str) -> str:
        """Run Python in the server's database (manage.py shell); its last line of output."""
        result = subprocess.run([*self.manage, "shell", "-c", code], cwd=ROOT, env=self.env, check=True,
                                capture_output=True, text=True)
        return result.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def sign_in(page, url: str, username: str) -> None:
    """Password, then (managers, coordinators and chairs) the demo authenticator's two-factor code."""
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: u == url + "/" or "/accounts/two-factor/" in u)
    if "/accounts/two-factor/" in page.url:
        page.fill("#id_token", f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}")
        page.click("#main-content button:has-text('Continue')")
        page.wait_for_url(url + "/")


Shell = Callable[[str], str]
