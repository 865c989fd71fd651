"""Every Dockerfile in the repository, linted by dockerfilelint (npm, the version pinned in
deploy/tools/package-lock.json, installed by ``python -m simpul_platform.devstack.tools
install``). It checks instructions one by one: tagged base images, ``apt-get`` with ``-y`` and
its cache removed, no ``sudo``, valid ports, deprecated instructions. What it cannot see (the
final stage's user, its build tools, the locked ``uv sync``, Python 3.11 slim) is checked in
test_deploy_dockerfile.py, and the read-only root filesystem where the image is run
(test_deploy_compose.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from simpul_platform.devstack.tools import tool_path

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# Not the project's own files: environments, caches, installed packages.
SKIPPED = {".git", ".venv", ".cache", ".data", "node_modules", ".artefacts"}


def dockerfiles() -> list[Path]:
    """Dockerfile, Dockerfile.<name> and <name>.Dockerfile anywhere in the project, so a new
    one is linted without touching this test."""
    found = {*ROOT.rglob("Dockerfile"), *ROOT.rglob("Dockerfile.*"), *ROOT.rglob("*.Dockerfile")}
    return sorted(
        p
        for p in found
        if p.is_file()
        and not p.name.endswith(".dockerignore")
        and not SKIPPED.intersection(p.relative_to(ROOT).parts)
    )


def lint(files: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """dockerfilelint's issues per file. Paths are absolute: it lints an argument that is not
    an existing file as Dockerfile text, which would pass silently."""
    assert all(f.is_absolute() and f.is_file() for f in files)
    done = subprocess.run(
        [str(tool_path("dockerfilelint")), "-o", "json", *map(str, files)],
        cwd=ROOT,  # where it looks for a .dockerfilelintrc: the project's, if it ever has one
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stdout)
    # Its exit code is the number of issues: anything else means it did not lint.
    assert done.returncode == report["totalIssues"], done.stderr
    return {entry["file"]: entry["issues"] for entry in report["files"]}


def _explain(issues: dict[str, list[dict[str, Any]]]) -> str:
    return "\n".join(
        f"{Path(file).relative_to(ROOT) if Path(file).is_relative_to(ROOT) else file}:"
        f"{issue['line']}: [{issue['category']}] {issue['title']}: {issue['content']}"
        for file, found in issues.items()
        for issue in found
    )


def test_the_repository_has_the_deployment_dockerfile() -> None:
    assert ROOT / "deploy" / "Dockerfile" in dockerfiles()


def test_every_dockerfile_lints_clean() -> None:
    files = dockerfiles()
    issues = lint(files)
    assert sorted(issues) == sorted(map(str, files))  # each file was linted
    found = {file: found for file, found in issues.items() if found}
    assert not found, "dockerfilelint:\n" + _explain(found)


def test_the_linter_reports_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        "FROM python\n"
        "RUN apt-get update && apt-get install gcc\n"
        "RUN sudo pip install uv\n"
        "EXPOSE 70000\n"
        'CMD ["python", "-m", "app"]\n'
    )
    issues = lint([bad])[str(bad)]
    titles = {(int(i["line"]), i["title"]) for i in issues}
    assert {
        (1, "Base Image Missing Tag"),
        (2, "Missing parameter for `apt-get`"),
        (2, "apt-get update with matching cache rm"),
        (3, "Use Of sudo Is Not Allowed"),
        (4, "Invalid Port Exposed"),
    } <= titles, _explain({str(bad): issues})
