"""The generated documentation is current, and the layers keep their promises."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from panels.management.commands.model_diagram import render

ROOT = Path(__file__).resolve().parent.parent


def test_data_model_diagram_is_up_to_date():
    assert (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8") == render(), (
        "run: python manage.py model_diagram > docs/data-model.md"
    )


PURE = ["agendas/rules.py", "agendas/merge.py", "agendas/workdays.py", "agendas/dryrun.py", "panels/permissions.py",
        "panels/cohort.py", "panels/cadence.py", "panels/keydates.py", "panels/resettlement.py", "agendas/statutory.py",
        "agendas/oversight/aggregate.py", "notifications/ladder.py"]


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


_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _markdown_files() -> list[Path]:
    skip = {".venv", "node_modules", "static", ".git", "var"}
    return [p for p in ROOT.rglob("*.md") if not skip & set(p.relative_to(ROOT).parts)]


def test_every_relative_link_in_the_repository_resolves_inside_it():
    """A clone has nothing beside it: a relative link must name a file (and heading) in the repository."""
    broken = []
    for path in _markdown_files():
        for target in _LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # absolute URLs (https:, mailto:, webcal:) and same-page anchors
            file_part, _, anchor = target.partition("#")
            resolved = (path.parent / file_part).resolve()
            where = f"{path.relative_to(ROOT)} -> {target}"
            if not resolved.is_relative_to(ROOT):
                broken.append(f"{where} (outside the repository)")
            elif not resolved.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{where} (no such heading)")
    assert not broken, "\n".join(broken)


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", path.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_the_link_check_sees_a_link_outside_the_repository(tmp_path):
    """The check above cannot pass vacuously: the pattern finds the links it must judge."""
    assert _LINK.findall("see [the rules](../shared/agenda-rules.md) and ![shot](docs/a.png \"t\")") == [
        "../shared/agenda-rules.md", "docs/a.png"]
    assert len(_markdown_files()) >= 5
