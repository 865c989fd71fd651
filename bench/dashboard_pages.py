"""The DPMD dashboard's pages as a coordinator opens them: first view, weight and load time in
Debian's Chromium, against a running system (``./simpul up --demo``), signed in as DPMD of
Kutai Kartanegara with a development token.

Each run opens every page in a fresh browser context (nothing cached, as on a first visit) and
reads the Navigation and Resource Timing entries: bytes transferred and the load event, beside
the targets (first view ≤ 1 s and ≤ 300 KB). The Capaian page's matrix and trend come after
its first view; their time to be in place is printed too. One screenshot per page is kept in
``.artefacts/screenshots/demo-<page>.png``.

    uv run python -m bench.dashboard_pages [--gateway http://127.0.0.1:8100] [--runs 5]
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx

from bench.common import KUKAR, Report, parser, percentile
from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.devstack.chromium import ensure_chromium_installed
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.browser import CHROMIUM_ARGS
from simpul_platform.testing.browser_checks import page_weight, screenshot

LOAD_TARGET_MS = 1000.0
WEIGHT_TARGET_KB = 300.0


def pages(posyandu_id: str, month: str) -> list[tuple[str, str]]:
    return [
        ("ringkasan", f"/dashboard/ringkasan?wilayah={KUKAR}"),
        ("capaian", f"/dashboard/capaian?wilayah={KUKAR}&period={month}"),
        ("lokus", f"/dashboard/lokus?wilayah={KUKAR}&period={month}"),
        ("rujukan", f"/dashboard/rujukan?wilayah={KUKAR}"),
        ("kedaruratan", f"/dashboard/kedaruratan?wilayah={KUKAR}&period={month[:4]}"),
        ("posyandu", f"/dashboard/posyandu/{posyandu_id}?period={month}"),
    ]


async def a_posyandu(gateway: str, registry: str, token: str) -> str:
    """The first posyandu of Tenggarong, as the header's search would open it."""
    async with httpx.AsyncClient(timeout=30) as client:
        found = await client.get(
            f"{registry}/v1/posyandu",
            params={"wilayah": f"{KUKAR}.06", "page_size": 1},
            headers={"Authorization": f"Bearer {token}"},
        )
        found.raise_for_status()
        ready = await client.get(f"{gateway}/readyz")
        ready.raise_for_status()
    posyandu_id: str = found.json()["items"][0]["id"]
    return posyandu_id


async def open_page(
    browser: Any, gateway: str, token: str, path: str
) -> tuple[Any, Any, Any, float]:
    """A fresh context signed in, the page opened; its weight and its time to completeness
    (the Capaian page's matrix and trend in place, else the load event)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_cookies(
        [{"name": "simpul_session", "value": token, "url": f"{gateway}/dashboard"}]
    )
    page = await context.new_page()
    started = time.perf_counter()
    await page.goto(gateway + path)
    weight = await page_weight(page)
    if "/capaian" in path:
        # The matrix and the trend lose their data-src once fetched and put in place.
        await page.wait_for_function("() => !document.querySelector('[data-src]')", timeout=60_000)
    complete_ms = (time.perf_counter() - started) * 1000
    return context, page, weight, complete_ms


def show(report: Report, name: str, loads: Sequence[float], kbs: Sequence[float]) -> None:
    p50, worst = percentile(loads, 50), max(loads)
    report.figure(f"{name}: load, p50", p50, "ms")
    report.figure(
        f"{name}: load, slowest of {len(loads)}",
        worst,
        "ms",
        target=f"≤ {LOAD_TARGET_MS:.0f} ms",
        met=worst <= LOAD_TARGET_MS,
    )
    heaviest = max(kbs)
    report.figure(
        f"{name}: transferred",
        heaviest,
        "KB",
        target=f"≤ {WEIGHT_TARGET_KB:.0f} KB",
        met=heaviest <= WEIGHT_TARGET_KB,
    )


async def measure(gateway: str, registry: str, runs: int) -> None:
    from playwright.async_api import async_playwright

    report = Report("dashboard_pages")
    settings = ServiceSettings()  # the development key `./simpul up` runs with
    token = mint_token(settings, "dpmd-kukar", ["dpmd"], [KUKAR], timedelta(hours=2))
    month = local_today(settings).strftime("%Y-%m")
    posyandu_id = await a_posyandu(gateway, registry, token)
    executable = ensure_chromium_installed()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable), args=list(CHROMIUM_ARGS)
        )
        try:
            for name, path in pages(posyandu_id, month):
                loads: list[float] = []
                kbs: list[float] = []
                completes: list[float] = []
                for run in range(runs):
                    context, page, weight, complete = await open_page(browser, gateway, token, path)
                    loads.append(weight.load_ms)
                    kbs.append(weight.transferred_bytes / 1024)
                    completes.append(complete)
                    if run == 0:
                        await screenshot(page, f"demo-{name}")
                    await context.close()
                show(report, name, loads, kbs)
                if name == "capaian":
                    middle = percentile(completes, 50)
                    report.figure("capaian: matrix and trend in place, p50", middle, "ms")
        finally:
            await browser.close()
    report.summary(f"six pages of {KUKAR} in Chromium, {runs} first visits each")


if __name__ == "__main__":
    args = parser(__doc__ or "")
    args.add_argument("--gateway", default="http://127.0.0.1:8100")
    args.add_argument("--registry", default="http://127.0.0.1:8101")
    args.add_argument("--runs", type=int, default=5)
    options = args.parse_args()
    asyncio.run(measure(options.gateway, options.registry, 2 if options.quick else options.runs))
