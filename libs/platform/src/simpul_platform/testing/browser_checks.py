"""What a page test checks on a page the browser fixtures opened: accessibility (axe-core),
a screenshot kept as an artefact, and the page's weight.

axe-core's script comes with the ``axe-playwright-python`` package, so a scan needs no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from axe_playwright_python.async_playwright import Axe

from simpul_platform.devstack.project import project_root

if TYPE_CHECKING:
    from playwright.async_api import Page

SERIOUS = frozenset({"serious", "critical"})
SCREENSHOT_DIR = Path(".artefacts") / "screenshots"

_AXE = Axe()


# --------------------------------------------------------------------------- accessibility


async def axe_scan(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (all rules, every impact), as axe gives
    them: each with ``id``, ``impact``, ``help``, ``helpUrl`` and the ``nodes`` it found.
    ``context`` limits the scan to a CSS selector."""
    results = await _AXE.run(page, context=context)
    return cast(list[dict[str, Any]], results.response["violations"])


def serious_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in SERIOUS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One readable paragraph per violation: rule, impact, what it asks, where it is."""
    parts = []
    for v in violations:
        lines = [f"{v['id']} ({v.get('impact')}): {v.get('help')}  [{v.get('helpUrl')}]"]
        for node in v.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            html = " ".join(str(node.get("html", "")).split())
            lines.append(f"    at {target}: {html[:200]}")
        parts.append("\n".join(lines))
    return "\n".join(parts)


def assert_no_serious_violations(violations: list[dict[str, Any]]) -> None:
    """Fail listing every serious or critical violation; minor and moderate ones pass."""
    serious = serious_violations(violations)
    assert not serious, (
        f"{len(serious)} serious or critical accessibility violation(s):\n"
        + describe_violations(serious)
    )


# --------------------------------------------------------------------------- screenshots


def screenshot_dir() -> Path:
    """Where screenshots go: ``.artefacts/screenshots/`` in the checkout (ignored by git)."""
    return project_root() / SCREENSHOT_DIR


async def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save the page as ``<name>.png`` among the test artefacts and say where."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "page"
    path = screenshot_dir() / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path


# --------------------------------------------------------------------------- weight


@dataclass(frozen=True)
class PageWeight:
    """What loading the page cost, from the browser's Performance API. ``transferred_bytes``
    counts what came over the wire (headers included, compressed bodies as sent) for the
    document and every resource; times are milliseconds from the navigation's start."""

    transferred_bytes: int
    body_bytes: int
    requests: int
    dom_content_loaded_ms: float
    load_ms: float

    def __str__(self) -> str:
        return (
            f"{self.transferred_bytes / 1024:.1f} KB transferred in {self.requests} request(s) "
            f"(bodies {self.body_bytes / 1024:.1f} KB); DOMContentLoaded "
            f"{self.dom_content_loaded_ms:.0f} ms, load {self.load_ms:.0f} ms"
        )


_WEIGHT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const entries = [nav, ...performance.getEntriesByType('resource')].filter(Boolean);
  const sum = (key) => entries.reduce((total, e) => total + (e[key] || 0), 0);
  return {
    transferred: sum('transferSize'),
    bodies: sum('encodedBodySize'),
    requests: entries.length,
    domContentLoaded: nav ? nav.domContentLoadedEventEnd - nav.startTime : 0,
    load: nav ? nav.loadEventEnd - nav.startTime : 0,
  };
}"""


async def page_weight(page: Page) -> PageWeight:
    """The weight and load time of the page's last navigation (and what it fetched since).
    Meant to be reported by page tests, not asserted against: times vary with the machine."""
    await page.wait_for_load_state("load")
    # loadEventEnd is set only once the load handlers have returned: wait for that too.
    await page.wait_for_function(
        "() => (performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? 1) > 0"
    )
    found = await page.evaluate(_WEIGHT_JS)
    return PageWeight(
        transferred_bytes=int(found["transferred"]),
        body_bytes=int(found["bodies"]),
        requests=int(found["requests"]),
        dom_content_loaded_ms=float(found["domContentLoaded"]),
        load_ms=float(found["load"]),
    )
