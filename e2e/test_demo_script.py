"""``bash .ci/demo`` as a newcomer meets it (issue 15, point 11): with PORT set the emails link to that port; the
logins are the last thing printed, once the server listens; no background log lines or warnings bury them.

Slow (it seeds the whole demo service): .ci/test runs it in a process of its own, alongside the other end-to-end
tests (each with its own var directory and demo database)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_the_demo_prints_its_logins_last_once_listening_and_its_emails_follow_the_port(tmp_path):
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "CONVENE_VAR_DIR": str(tmp_path)}
    env.pop("SITE_URL", None)
    proc = subprocess.Popen(["bash", ".ci/demo"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 900
        listening_when_printed = None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Convene is running at" in line:
                listening_when_printed = _listening(port)
            if "to an authenticator app" in line:  # the last line of the logins
                break
        output = "\n".join(lines)
        assert listening_when_printed, f"'running' printed before the server listened:\n{output}"
        assert lines[-1].strip().endswith("Other users may set one up."), output
        assert f"http://127.0.0.1:{port}/" in output
        for noise in ("No hostname was supplied", "succeeded in", "Warning", "!!", "Uvicorn running"):
            assert noise not in output, f"{noise!r} in the demo's output:\n{output}"
        start = next(i for i, line in enumerate(lines) if "Convene is running at" in line)
        assert [line for line in lines[start:] if "Demo logins" in line], output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as response:
            assert response.status == 200
        mail = [p.read_text(encoding="utf-8", errors="replace") for p in (tmp_path / "mailbox").glob("*")]
        assert mail, "the demo sent no mail"
        links = "\n".join(mail)
        assert f"http://127.0.0.1:{port}/" in links
        assert "127.0.0.1:8000" not in links
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
