"""``bench.scale``'s page: the dashboard's scorecard page (Capaian) of the kabupaten for the
month, opened ``runs`` times in Debian's Chromium as a first visit (a fresh context each time,
signed in as DPMD of the kabupaten), as ``bench.dashboard_pages`` opens it: its load event,
the bytes transferred and the time until its matrix and trend are in place.
"""

from __future__ import annotations

from datetime import timedelta

from bench.common import KUKAR, TOKENS, Report, percentile
from bench.dashboard_pages import open_page, show
from simpul_platform.auth import mint_token
from simpul_platform.devstack.chromium import ensure_chromium_installed
from simpul_platform.testing.browser import CHROMIUM_ARGS


async def capaian(report: Report, gateway: str, month: str, runs: int) -> None:
    from playwright.async_api import async_playwright

    token = mint_token(TOKENS, "bench-dpmd", ["dpmd"], [KUKAR], timedelta(hours=2))
    path = f"/dashboard/capaian?wilayah={KUKAR}&period={month}"
    executable = ensure_chromium_installed()
    loads, kbs, completes = [], [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable), args=list(CHROMIUM_ARGS)
        )
        try:
            for _ in range(runs):
                context, _page, weight, complete = await open_page(browser, gateway, token, path)
                loads.append(weight.load_ms)
                kbs.append(weight.transferred_bytes / 1024)
                completes.append(complete)
                await context.close()
        finally:
            await browser.close()
    show(report, f"capaian {month} (Chromium)", loads, kbs)
    report.figure(
        f"capaian {month}: matrix and trend in place, p50", percentile(completes, 50), "ms"
    )
    report.figure(f"capaian {month}: matrix and trend in place, slowest", max(completes), "ms")
