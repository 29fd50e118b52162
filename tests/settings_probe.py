"""One interpreter for the settings tests (issue 18): ``probe.run(args, env)`` stands for
``subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True)``.

Settings are read once per process, from the environment, so each of these tests needs a process of its own. Instead
of a fresh interpreter each (start-up and imports: most of their time), one probe server is started per test process;
it imports the libraries once and answers each request from a *forked* child: a new process, with the request's
environment and arguments, that runs ``python -c CODE`` or ``python manage.py …`` exactly as the command line would
(``config.settings`` and the apps are imported in the child, never in the server), its exit status, stdout and
stderr returned as a ``subprocess.CompletedProcess``. Linux (fork) only, like the rest of the suite.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# third-party modules only: nothing here may read the project's settings
PRELOAD = ("django", "django.core.management", "django.core.checks", "django.test", "django.db.models",
           "django.contrib.auth.models", "django.contrib.admin", "rest_framework", "channels", "celery",
           "dj_database_url", "csp", "jinja2", "icalendar", "psycopg", "drf_spectacular", "axes", "django_otp")


def _child(request: dict) -> None:
    """In the forked child: become ``python ARGS`` with the request's environment; never returns."""
    import runpy
    import traceback

    os.environ.clear()
    os.environ.update(request["env"])
    args = request["args"]
    code = 0
    try:
        if args[0] == "-c":
            sys.argv = ["-c", *args[2:]]
            exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})  # noqa: S102 (python -c)
        else:
            sys.argv = list(args)
            runpy.run_path(str(ROOT / args[0]), run_name="__main__")
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 (the uncaught exception of a command line: traceback, status 1)
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _serve() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001, S112 (a module that cannot load before settings is loaded by the child)
            continue
    answer = os.fdopen(os.dup(1), "w")
    for line in sys.stdin:
        request = json.loads(line)
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                _child(request)
            _, status = os.waitpid(pid, 0)
            out.seek(0)
            err.seek(0)
            reply = {"returncode": os.waitstatus_to_exitcode(status),
                     "stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace")}
        answer.write(json.dumps(reply) + "\n")
        answer.flush()


class Probe:
    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def run(self, args, env: dict[str, str]) -> subprocess.CompletedProcess:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                server_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
                self._proc = subprocess.Popen([sys.executable, __file__], cwd=ROOT, env=server_env, text=True,
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(json.dumps({"args": list(args), "env": dict(env)}) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the settings probe server exited")
        reply = json.loads(line)
        return subprocess.CompletedProcess([sys.executable, *args], reply["returncode"], reply["stdout"],
                                           reply["stderr"])

    def close(self) -> None:
        with self._lock:
            if self._proc is not None:
                assert self._proc.stdin is not None and self._proc.stdout is not None
                self._proc.stdin.close()
                self._proc.wait(timeout=30)
                self._proc.stdout.close()
                self._proc = None


probe = Probe()
atexit.register(probe.close)

if __name__ == "__main__":
    _serve()
