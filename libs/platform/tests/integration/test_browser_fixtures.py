"""The real-browser fixtures against a small app served on loopback: a page loads and answers a
click, a page's errors are caught and fail its test, axe tells an unlabelled input from a clean
page, a screenshot is kept, and the weight helper counts what came over the wire."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from playwright.async_api import Page, expect

from simpul_platform.testing.browser import BrowserErrors, BrowserProblemsError
from simpul_platform.testing.browser_checks import (
    assert_no_serious_violations,
    axe_scan,
    page_weight,
    screenshot,
    screenshot_dir,
)
from simpul_platform.testing.server import served

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# As strict as the dashboard's pages will be: scripts from the site's own files only. axe must
# still run in such a page.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"

CLEAN = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Ringkasan</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/site.css">
<script src="/assets/app.js" defer></script></head>
<body><main><h1>Ringkasan posyandu</h1>
<p id="status">Belum dihitung</p>
<label for="wilayah">Wilayah</label> <input id="wilayah" name="wilayah" value="64.02">
<button type="button" id="hitung">Hitung</button>
</main></body></html>"""

APP_JS = """document.getElementById('hitung').addEventListener('click', () => {
  document.getElementById('status').textContent = 'Dihitung: 12 posyandu';
});"""

# Dark text on white: well past AA contrast, so a clean page is clean for axe too.
SITE_CSS = "body { font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; }\n" * 40

UNLABELLED = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Tanpa label</title>
<link rel="icon" href="data:,"></head>
<body><main><h1>Cari</h1><input id="cari" type="text"></main></body></html>"""

BROKEN = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Rusak</title>
<link rel="icon" href="data:,"><script src="/assets/broken.js"></script>
<link rel="stylesheet" href="/assets/missing.css"></head>
<body><main><h1>Rusak</h1></main></body></html>"""

BROKEN_JS = "console.error('wilayah tidak dikenal: 99.99'); null.length;"


def _png(width: int, height: int) -> bytes:
    """A tiny valid grey PNG, so the weight page fetches an image of known size."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


IMAGE = _png(40, 30)
WEIGHT = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Berat</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/site.css"></head>
<body><main><h1>Berat halaman</h1><img src="/assets/grafik.png" alt="Grafik capaian">
</main></body></html>"""


def _app() -> FastAPI:
    app = FastAPI()
    pages = {"clean": CLEAN, "unlabelled": UNLABELLED, "broken": BROKEN, "weight": WEIGHT}
    assets = {
        "app.js": (APP_JS.encode(), "text/javascript"),
        "broken.js": (BROKEN_JS.encode(), "text/javascript"),
        "site.css": (SITE_CSS.encode(), "text/css"),
        "grafik.png": (IMAGE, "image/png"),
    }

    @app.get("/{name}")
    async def page(name: str) -> Response:
        if name not in pages:
            return Response(status_code=404)
        return HTMLResponse(pages[name], headers={"Content-Security-Policy": CSP})

    @app.get("/assets/{name}")
    async def asset(name: str) -> Response:
        if name not in assets:
            return Response(status_code=404)
        body, media_type = assets[name]
        return Response(body, media_type=media_type)

    return app


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with served(_app()) as url:
        yield url


async def test_a_page_loads_and_answers_a_click(browser_page: Page, site: str) -> None:
    await browser_page.goto(f"{site}/clean")
    await expect(browser_page.get_by_role("heading", level=1)).to_have_text("Ringkasan posyandu")
    await expect(browser_page.locator("#status")).to_have_text("Belum dihitung")

    await browser_page.get_by_role("button", name="Hitung").click()

    await expect(browser_page.locator("#status")).to_have_text("Dihitung: 12 posyandu")


async def test_a_pages_errors_and_failed_requests_are_recorded(
    browser_page: Page, browser_errors: BrowserErrors, site: str
) -> None:
    await browser_page.goto(f"{site}/broken")
    await browser_page.wait_for_load_state("load")

    problems = "\n".join(browser_errors.problems)
    assert "console error: wilayah tidak dikenal: 99.99" in problems
    assert "uncaught exception: Cannot read properties of null (reading 'length')" in problems
    assert f"HTTP 404 GET {site}/assets/missing.css" in problems
    assert len(browser_errors.problems) == 3  # a 404 is told once, not again as console text
    with pytest.raises(BrowserProblemsError) as failed:
        browser_errors.check()
    assert "3 problem(s)" in str(failed.value)
    assert all(f"  - {problem}" in str(failed.value) for problem in browser_errors.problems)

    # What a test expects is allowed; the rest still fails it at teardown.
    browser_errors.allow(r"wilayah tidak dikenal")
    assert all("wilayah tidak dikenal" not in p for p in browser_errors.unexpected())
    browser_errors.allow(r"reading 'length'")
    browser_errors.allow(r"missing\.css")
    assert browser_errors.unexpected() == []


async def test_axe_finds_an_input_without_a_label(browser_page: Page, site: str) -> None:
    await browser_page.goto(f"{site}/unlabelled")

    violations = await axe_scan(browser_page)

    label = [v for v in violations if v["id"] == "label"]
    assert len(label) == 1
    assert label[0]["impact"] == "critical"
    assert [node["target"] for node in label[0]["nodes"]] == [["#cari"]]
    with pytest.raises(AssertionError, match=r"(?s)label \(critical\).*at #cari: <input"):
        assert_no_serious_violations(violations)


async def test_a_clean_page_has_no_serious_violations(browser_page: Page, site: str) -> None:
    await browser_page.goto(f"{site}/clean")

    violations = await axe_scan(browser_page)

    assert_no_serious_violations(violations)
    assert [v["id"] for v in violations if v["id"] in {"label", "color-contrast"}] == []


async def test_a_screenshot_is_kept_as_an_artefact(browser_page: Page, site: str) -> None:
    await browser_page.set_viewport_size({"width": 360, "height": 640})
    await browser_page.goto(f"{site}/clean")

    path = await screenshot(browser_page, "browser fixtures/clean 360px")

    assert path == screenshot_dir() / "browser-fixtures-clean-360px.png"
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 360  # the phone-width viewport
    assert height >= 640  # the whole page: at least the viewport


async def test_the_weight_helper_counts_the_bytes_that_came(browser_page: Page, site: str) -> None:
    await browser_page.goto(f"{site}/weight")

    weight = await page_weight(browser_page)
    print(f"weight page: {weight}")

    # Nothing is compressed on this server, so the bodies are the files themselves.
    assert weight.requests == 3
    assert weight.body_bytes == len(WEIGHT) + len(SITE_CSS) + len(IMAGE)
    assert weight.transferred_bytes > weight.body_bytes  # plus each response's headers
    assert weight.load_ms >= weight.dom_content_loaded_ms > 0
