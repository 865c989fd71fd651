"""No service imports another: each service, the gateway and the shared libraries stand on the
platform alone (the demo population is part of it), so any one of them can be built, deployed and
changed without the others. Scans the source packages, their tests and the pyproject files: a
service's tests stand in for its producers with the platform's test peers (``testing.peers``),
and the platform's tests import no service at all. The workspace's own ``tests/`` (contract
tests, end-to-end tests that start several services as processes) and ``bench/`` may use them
all."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Member:
    """A workspace member: its distribution name, import name and source folder."""

    folder: Path
    project: str
    package: str

    @property
    def src(self) -> Path:
        return self.folder / "src" / self.package

    @property
    def tests(self) -> Path:
        return self.folder / "tests"

    def dependencies(self) -> set[str]:
        data = tomllib.loads((self.folder / "pyproject.toml").read_text())
        project = data.get("project", {})
        declared = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            declared += extra
        for group in data.get("dependency-groups", {}).values():
            declared += [d for d in group if isinstance(d, str)]
        return {_normalise(re.split(r"[\s\[<>=!~;]", d, maxsplit=1)[0]) for d in declared}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _member(folder: Path) -> Member:
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]["name"]
    (package,) = [p.name for p in (folder / "src").iterdir() if p.name.startswith("simpul_")]
    return Member(folder, _normalise(project), package)


SERVICES = [_member(f) for f in sorted((ROOT / "services").iterdir()) if f.is_dir()]
SERVICES.append(_member(ROOT / "gateway"))
LIBRARIES = [_member(f) for f in sorted((ROOT / "libs").iterdir()) if f.is_dir()]
# Each member's source package, and its tests where it has them.
SCANNED = [(m, m.src) for m in SERVICES + LIBRARIES] + [
    (m, m.tests) for m in SERVICES + LIBRARIES if m.tests.is_dir()
]


def imported_packages(source: Path) -> dict[str, set[str]]:
    """Every top-level package each module under ``source`` imports (lazy imports included),
    by the module's path relative to the workspace."""
    found: dict[str, set[str]] = {}
    for path in sorted(source.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_the_workspace_has_the_members_this_test_guards():
    assert {"simpul_registry", "simpul_health", "simpul_social", "simpul_gateway"} <= {
        s.package for s in SERVICES
    }
    assert "simpul_platform" in {lib.package for lib in LIBRARIES}


def test_the_tests_of_the_services_and_the_platform_are_scanned():
    scanned = {folder.relative_to(ROOT).as_posix() for _, folder in SCANNED}
    assert {"services/health/tests", "services/social/tests", "libs/platform/tests"} <= scanned


@pytest.mark.parametrize(
    ("member", "folder"),
    SCANNED,
    ids=[f"{m.package}-{folder.relative_to(m.folder).parts[0]}" for m, folder in SCANNED],
)
def test_no_module_imports_a_service_other_than_its_own(member: Member, folder: Path):
    others = {s.package for s in SERVICES} - {member.package}
    crossings = {
        module: sorted(names & others)
        for module, names in imported_packages(folder).items()
        if names & others
    }
    assert crossings == {}


@pytest.mark.parametrize("member", SERVICES + LIBRARIES, ids=lambda m: m.package)
def test_no_pyproject_depends_on_another_service(member: Member):
    others = {s.project for s in SERVICES} - {member.project}
    assert member.dependencies() & others == set()
