"""The generated documentation is current, and the layers keep their promises."""

from __future__ import annotations

import ast
from pathlib import Path

from panels.management.commands.model_diagram import render

ROOT = Path(__file__).resolve().parent.parent


def test_data_model_diagram_is_up_to_date():
    assert (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8") == render(), (
        "run: python manage.py model_diagram > docs/data-model.md"
    )


PURE = ["agendas/rules.py", "agendas/workdays.py", "agendas/dryrun.py", "panels/permissions.py", "panels/cohort.py",
        "panels/cadence.py", "panels/keydates.py"]


def test_pure_modules_import_no_orm_and_read_no_clock():
    for path in PURE:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(m and (m.startswith("django.db") or m.endswith(".models") or m.endswith("selectors"))
                       for m in imported), path
        source = (ROOT / path).read_text(encoding="utf-8")
        assert "date.today(" not in source and "datetime.now(" not in source and "timezone.now(" not in source, path


APPS = ["panels", "agendas", "minutes", "notifications"]


def test_apps_import_only_to_their_left():
    for index, app in enumerate(APPS):
        forbidden = APPS[index + 1:]
        for path in (ROOT / app).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else [
                    a.name for a in node.names] if isinstance(node, ast.Import) else []
                for name in names:
                    assert name.split(".")[0] not in forbidden, f"{path.relative_to(ROOT)} imports {name}"
