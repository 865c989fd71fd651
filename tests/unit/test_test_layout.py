"""Every test sits in the folder of its tier: ``unit/``, ``integration/`` or ``e2e/``, marked
the same, so ``-m unit`` and ``tests/unit/`` select the same tests; every service has its
fixtures in one ``tests/conftest.py``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
TIERS = ("unit", "integration", "e2e")
MARK = re.compile(r"pytest\.mark\.(unit|integration|e2e)\b")


def _test_files() -> list[Path]:
    found: list[Path] = []
    for top in ("libs", "services", "gateway", "tests"):
        found += [
            p for p in (ROOT / top).rglob("test_*.py")
            if ".venv" not in p.parts and "frozen" not in p.parts
        ]
    return sorted(found)


def _tier_folder(path: Path) -> str | None:
    tiers = [part for part in path.relative_to(ROOT).parts if part in TIERS]
    return tiers[-1] if tiers else None


@pytest.mark.parametrize("path", _test_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_test_file_is_in_the_folder_of_its_marker(path: Path) -> None:
    folder = _tier_folder(path)
    marked = set(MARK.findall(path.read_text()))
    assert folder is not None, f"{path.relative_to(ROOT)} is in no unit/integration/e2e folder"
    assert marked == {folder}, f"{path.relative_to(ROOT)} is in {folder}/ but marked {marked}"


@pytest.mark.parametrize("service", sorted(p.name for p in (ROOT / "services").iterdir()))
def test_each_service_keeps_its_fixtures_in_one_conftest(service: str) -> None:
    tests = ROOT / "services" / service / "tests"
    assert (tests / "conftest.py").is_file()
    assert not [p for p in tests.iterdir() if p.name.startswith("test_")], (
        f"services/{service}/tests has tests outside unit/ and integration/"
    )
