"""No service imports another: each service, the gateway and the shared libraries stand on the
platform (and the demo population) alone, so any one of them can be built, deployed and changed
without the others. Scans the source packages and the pyproject files; tests are another matter
(a service's tests feed its replica through the platform's test peers, not through a service)."""

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
    assert {"simpul_platform", "simpul_demo"} <= {lib.package for lib in LIBRARIES}


@pytest.mark.parametrize("member", SERVICES + LIBRARIES, ids=lambda m: m.package)
def test_no_source_module_imports_a_service_other_than_its_own(member: Member):
    others = {s.package for s in SERVICES} - {member.package}
    crossings = {
        module: sorted(names & others)
        for module, names in imported_packages(member.src).items()
        if names & others
    }
    assert crossings == {}


@pytest.mark.parametrize("member", SERVICES + LIBRARIES, ids=lambda m: m.package)
def test_no_pyproject_depends_on_another_service(member: Member):
    others = {s.project for s in SERVICES} - {member.project}
    assert member.dependencies() & others == set()
