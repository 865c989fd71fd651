"""The Capaian SPM page over real services (registry, health, social and the gateway as
processes on the real broker and PostgreSQL, seeded through their APIs), read with plain HTTP
and in a real browser: the matrix's figures equal ``/v1/scorecard`` for the wilayah and each
child, drill-down kabupaten → kecamatan → desa → posyandu (a desa's rows are its posyandu, each
equal to ``/v1/scorecard?...&posyandu_id=`` and linking to the posyandu's page), the CSV and
Excel exports equal to the page, the trend equal to each month's scorecard, a kecamatan user
refused another kecamatan; and in Chromium at 360 and 1280 px: no console error, the trend
shown, no serious axe violation.

The data: Tenggarong (64.02.06) with Posyandu Mawar (two balita, measured this month) and
Posyandu Kenanga (one balita, not measured) at Rapak Lambur and Posyandu Melati (one balita,
measured) at another desa; Sebulu (64.02.07) with Posyandu Cempaka (one balita, not measured).
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from dashboard_capaian_seed import (
    DPMD,
    DPMD_TOKEN,
    MELATI_DESA,
    PERIOD,
    RAPAK_LAMBUR,
    TODAY,
    TOKENS,
    seed,
)
from dashboard_html import Tables, as_number, cell_text
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from simpul_platform.auth import mint_token
from simpul_platform.testing.browser_checks import (
    assert_no_serious_violations,
    axe_scan,
    page_weight,
    screenshot,
)
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e

TENGGARONG, SEBULU = "64.02.06", "64.02.07"
TP_TENGGARONG_TOKEN = mint_token(TOKENS, "tp-tenggarong", ["tp:kecamatan"], [TENGGARONG])


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    # A page asks every field once per kecamatan at once; on a busy two-core runner a cold
    # service may take longer than the default 2 s budget, and the breaker would then skip it.
    extra = {"GATEWAY_UPSTREAM_TIMEOUT_S": "10"}
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "social", "gateway"],
        extra,
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture(scope="module")
async def seeded(stack: Stack) -> dict[str, str]:
    return await seed(stack)


async def signed_in(stack: Stack, token: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=stack.url("gateway"), timeout=60)
    client.cookies.set("simpul_session", token, path="/dashboard")
    return client


@pytest.fixture
async def dpmd(stack: Stack, seeded: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in(stack, DPMD_TOKEN)
    try:
        yield client
    finally:
        await client.aclose()


async def scorecard(
    stack: Stack, wilayah: str, period: str = PERIOD, posyandu_id: str | None = None
) -> dict[str, Any]:
    params = {"wilayah": wilayah, "period": period}
    if posyandu_id is not None:
        params["posyandu_id"] = posyandu_id
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        response = await client.get("/v1/scorecard", params=params, headers=DPMD)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def figures(card: dict[str, Any]) -> dict[str, str]:
    """The scorecard's percent per indicator as the page writes it in ``data-value``."""
    return {
        row["indicator"]["code"]: ""
        if row["indicator"]["percent"] is None
        else str(row["indicator"]["percent"])
        for row in card["rows"]
        if row["status"] == "ok" and row.get("indicator")
    }


async def matrix_of(client: httpx.AsyncClient, wilayah: str) -> tuple[str, list[dict[str, str]]]:
    """The whole matrix, as the page without script shows it (the first view's link)."""
    params = {"wilayah": wilayah, "period": PERIOD}
    page = await client.get("/dashboard/capaian/rincian", params=params)
    assert page.status_code == 200, page.text
    return page.text, Tables(page.text).tables["matrix"]


async def test_the_matrix_equals_the_scorecard_of_the_wilayah_and_of_each_child(stack, dpmd):
    started = time.perf_counter()
    html, rows = await matrix_of(dpmd, "64.02")
    print(
        f"capaian 64.02 whole matrix: {len(html) / 1024:.1f} KB HTML in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms ({len(rows)} rows)"
    )
    own = await scorecard(stack, "64.02")
    assert [row["code"] for row in rows] == ["64.02", *(c["code"] for c in own["children"])]
    assert rows[0]["name"] == own["name"] and own["name"].endswith("Kutai Kartanegara")
    for row in rows:
        card = own if row["code"] == "64.02" else await scorecard(stack, row["code"])
        expected = figures(card)
        assert expected, row["code"]  # health and social answered with their indicators
        assert {k: row[k] for k in expected} == expected, row["code"]
    # The figures the seed makes, so the comparison is not of empty cells alone.
    by_code = {row["code"]: row for row in rows}
    measured = [k for k, v in by_code[TENGGARONG].items() if v not in ("", "0.0") and "." in k]
    assert measured, by_code[TENGGARONG]
    assert by_code[TENGGARONG] != by_code[SEBULU]
    # Education, housing, public works and trantib run no service here: their columns say so.
    assert by_code["64.02"]["field:education"] == "layanan belum ada"
    assert 'class="status">layanan belum ada<' in html
    assert 'class="legend"' in html and "tercapai" in html


async def test_the_first_view_is_the_wilayahs_row_and_fetches_the_rest(stack, dpmd):
    params = {"wilayah": "64.02", "period": PERIOD}
    started = time.perf_counter()
    first = await dpmd.get("/dashboard/capaian", params=params)
    took = (time.perf_counter() - started) * 1000
    print(
        f"capaian 64.02 first view (own row): {len(first.content) / 1024:.1f} KB in {took:.0f} ms"
    )
    rows = Tables(first.text).tables["matrix"]
    assert [r["code"] for r in rows] == ["64.02"]
    assert {k: rows[0][k] for k in figures(await scorecard(stack, "64.02"))} == figures(
        await scorecard(stack, "64.02")
    )
    fragment = f"/dashboard/capaian/rincian?wilayah=64.02&amp;period={PERIOD}&amp;fragment=1"
    assert f'data-src="{fragment}"' in first.text
    assert f'href="/dashboard/capaian/rincian?wilayah=64.02&amp;period={PERIOD}"' in first.text
    piece = await dpmd.get(fragment.replace("&amp;", "&"))
    assert piece.status_code == 200 and "<html" not in piece.text
    _, whole = await matrix_of(dpmd, "64.02")
    assert Tables(piece.text).tables["matrix"] == whole


async def test_drill_down_from_kabupaten_to_kecamatan_to_desa(stack, dpmd):
    html, _ = await matrix_of(dpmd, "64.02")
    down = f"/dashboard/capaian?wilayah={TENGGARONG}&amp;period={PERIOD}"
    assert f'href="{down}"' in html
    response, rows = await matrix_of(dpmd, TENGGARONG)
    tenggarong = await scorecard(stack, TENGGARONG)
    assert [r["code"] for r in rows] == [TENGGARONG, *(c["code"] for c in tenggarong["children"])]
    desa = {r["code"]: r for r in rows}
    for code in (RAPAK_LAMBUR, MELATI_DESA):
        expected = figures(await scorecard(stack, code))
        assert {k: desa[code][k] for k in expected} == expected
    assert f"/dashboard/capaian?wilayah=64.02&amp;period={PERIOD}" in response  # up
    assert f"/dashboard/capaian?wilayah={RAPAK_LAMBUR}&amp;period={PERIOD}" in response  # down
    desa = await dpmd.get("/dashboard/capaian", params={"wilayah": RAPAK_LAMBUR, "period": PERIOD})
    assert [r["code"] for r in Tables(desa.text).tables["matrix"]] == [RAPAK_LAMBUR]
    assert "Capaian per posyandu dan indikator" in desa.text  # a desa: its posyandu next
    fragment = f"/dashboard/capaian/rincian?wilayah={RAPAK_LAMBUR}&amp;period={PERIOD}"
    assert f'data-src="{fragment}&amp;fragment=1"' in desa.text


async def test_a_desas_rows_are_its_posyandu_each_its_own_scorecard_and_page(stack, dpmd, seeded):
    html, rows = await matrix_of(dpmd, RAPAK_LAMBUR)
    desa = await scorecard(stack, RAPAK_LAMBUR)
    mine = {
        seeded["Posyandu Mawar"]: "Posyandu Mawar",
        seeded["Posyandu Kenanga"]: "Posyandu Kenanga",
    }
    assert {c["posyandu_id"]: c["name"] for c in desa["children"]} == mine
    assert [r["code"] for r in rows] == [
        RAPAK_LAMBUR,
        *(c["posyandu_id"] for c in desa["children"]),
    ]
    assert "Persentase capaian per posyandu dan indikator SPM" in html
    links = Tables(html).links
    cards = {}
    for child, row in zip(desa["children"], rows[1:], strict=True):
        pid = child["posyandu_id"]
        assert child["href"] == (
            f"/v1/scorecard?wilayah={RAPAK_LAMBUR}&posyandu_id={pid}&period={PERIOD}"
        )
        cards[pid] = await scorecard(stack, RAPAK_LAMBUR, posyandu_id=pid)
        assert (cards[pid]["name"], cards[pid]["children"]) == (mine[pid], [])
        expected = figures(cards[pid])
        assert expected and {k: row[k] for k in expected} == expected, pid
        assert row["name"] == mine[pid]
        assert f"/dashboard/posyandu/{pid}?period={PERIOD}" in links
        # The posyandu's figures are health's own for it, not the desa's.
        async with httpx.AsyncClient(base_url=stack.url("health"), timeout=30) as client:
            own = await client.get(
                "/v1/indicators", params={"posyandu_id": pid, "period": PERIOD}, headers=DPMD
            )
        health = [r["indicator"] for r in cards[pid]["rows"] if r["field"] == "health"]
        assert health == own.json(), pid
    mawar, kenanga = (figures(cards[seeded[n]]) for n in ("Posyandu Mawar", "Posyandu Kenanga"))
    assert mawar != kenanga  # two balita measured at Mawar, none at Kenanga
    page = await dpmd.get(
        f"/dashboard/posyandu/{seeded['Posyandu Mawar']}", params={"period": PERIOD}
    )
    assert page.status_code == 200 and "Posyandu Mawar" in page.text
    exported = await dpmd.get(
        "/dashboard/capaian.csv", params={"wilayah": RAPAK_LAMBUR, "period": PERIOD}
    )
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[4][0] == "Kode / ID posyandu"
    assert lines[5:] == [list(row.values()) for row in rows]
    # A posyandu of another desa is not found under this one, even for DPMD.
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        elsewhere = await client.get(
            "/v1/scorecard",
            params={"wilayah": RAPAK_LAMBUR, "posyandu_id": seeded["Posyandu Melati"]},
            headers=DPMD,
        )
    assert elsewhere.status_code == 404, elsewhere.text


async def test_the_exports_read_back_as_the_page_shows_them(stack, dpmd):
    _, rows = await matrix_of(dpmd, TENGGARONG)
    params = {"wilayah": TENGGARONG, "period": PERIOD}
    exported = await dpmd.get("/dashboard/capaian.csv", params=params)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0] == ["Wilayah", f"{TENGGARONG} Tenggarong"]
    assert lines[1] == ["Periode", PERIOD] and lines[2][0] == "Dibuat"
    header, body = lines[4], lines[5:]
    assert header[:2] == ["Kode", "Nama"] and len(header) == len(rows[0])
    assert body == [list(row.values()) for row in rows]
    workbook = await dpmd.get("/dashboard/capaian.xlsx", params=params)
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    cells = [[cell_text(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert cells[5:] == [[cell_text(as_number(v)) for v in row] for row in body]


def chart_table(wilayah: str, code: str) -> str:
    """The id of an indicator's table beside its chart in the trend."""
    return "tren-" + re.sub(r"[^a-z0-9]+", "-", f"{wilayah}-{code}".lower()) + "-table"


async def test_the_trend_is_each_months_scorecard(stack, dpmd):
    trend = await dpmd.get(
        "/dashboard/capaian/tren", params={"wilayah": TENGGARONG, "period": PERIOD, "fragment": 1}
    )
    assert trend.status_code == 200 and "<html" not in trend.text
    tables = Tables(trend.text).tables
    months = [f"{TODAY.year}-{m:02d}" for m in range(1, TODAY.month + 1)]
    cards = {m: figures(await scorecard(stack, TENGGARONG, m)) for m in months}
    codes = {code for card in cards.values() for code in card}
    assert set(tables) == {chart_table(TENGGARONG, code) for code in codes}
    for code in codes:
        rows = tables[chart_table(TENGGARONG, code)]
        assert [r["period"] for r in rows] == months
        assert [r["percent"] for r in rows] == [cards[m].get(code, "") for m in months], code
    charted = len(codes)
    assert trend.text.count('role="img"') == charted


async def test_a_kecamatan_user_cannot_see_another_kecamatan(stack, seeded):
    client = await signed_in(stack, TP_TENGGARONG_TOKEN)
    try:
        other = await client.get("/dashboard/capaian", params={"wilayah": SEBULU})
        export = await client.get("/dashboard/capaian.csv", params={"wilayah": SEBULU})
        trend = await client.get("/dashboard/capaian/tren", params={"wilayah": SEBULU})
        own = await client.get("/dashboard/capaian/rincian", params={"wilayah": TENGGARONG})
    finally:
        await client.aclose()
    assert other.status_code == 403 and "Anda tidak berhak melihat wilayah ini" in other.text
    assert 'id="matrix"' not in other.text
    assert (export.status_code, trend.status_code) == (403, 403)
    assert own.status_code == 200
    assert RAPAK_LAMBUR in {r["code"] for r in Tables(own.text).tables["matrix"]}


# --------------------------------------------------------------------------- in a browser


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
async def test_the_page_in_a_browser(browser_page: Page, stack, seeded, width):
    gateway = stack.url("gateway")
    await browser_page.context.add_cookies(
        [
            {
                "name": "simpul_session",
                "value": DPMD_TOKEN,
                "domain": "127.0.0.1",
                "path": "/dashboard",
            }
        ]
    )
    await browser_page.set_viewport_size({"width": width, "height": 800})
    started = time.perf_counter()
    await browser_page.goto(f"{gateway}/dashboard/capaian?wilayah=64.02&period={PERIOD}")
    await expect(browser_page.get_by_role("heading", level=1)).to_contain_text("Capaian SPM")
    print(f"capaian 64.02 at {width} px, first view: {await page_weight(browser_page)}")
    # The first view's own row, then every kecamatan's fetched after it; then the trend, in
    # place of its link.
    await expect(browser_page.locator("#matrix tbody tr")).to_have_count(21, timeout=30_000)
    await expect(browser_page.locator("#trend .trend-item").first).to_be_visible(timeout=30_000)
    await expect(browser_page.locator("#trend")).to_have_attribute("aria-busy", "false")
    took = (time.perf_counter() - started) * 1000
    print(
        f"  matrix and trend in place {took:.0f} ms after navigating; with them: "
        f"{await page_weight(browser_page)}"
    )
    assert await browser_page.locator("#trend svg[role=img]").count() > 0
    assert_no_serious_violations(await axe_scan(browser_page))
    await screenshot(browser_page, f"capaian-64.02-{width}")
    await screenshot(browser_page, f"capaian-64.02-{width}-first-screen", full_page=False)
    # Drill-down by the link of Tenggarong's row.
    await browser_page.get_by_role("link", name="Tenggarong", exact=True).click()
    await expect(browser_page.get_by_role("heading", level=1)).to_contain_text("Tenggarong")
    await expect(browser_page.locator("#matrix tbody tr").first).to_have_attribute(
        "data-code", TENGGARONG
    )
    tenggarong = await scorecard(stack, TENGGARONG)
    await expect(browser_page.locator("#matrix tbody tr")).to_have_count(
        1 + len(tenggarong["children"]), timeout=30_000
    )
    await expect(browser_page.locator("#trend .trend-item").first).to_be_visible(timeout=30_000)
    assert_no_serious_violations(await axe_scan(browser_page))
    await screenshot(browser_page, f"capaian-64.02.06-{width}")
    # On to the desa: its posyandu fetched in place, then a posyandu's name opens its page.
    await browser_page.get_by_role("link", name="Rapak Lambur", exact=True).click()
    await expect(browser_page.get_by_role("heading", level=2).first).to_have_text(
        "Capaian per posyandu dan indikator"
    )
    await expect(browser_page.locator("#matrix tbody tr")).to_have_count(3, timeout=30_000)
    # The trend is fetched after the matrix: leaving before it lands would abort its request.
    await expect(browser_page.locator("#trend[data-src]")).to_have_count(0, timeout=30_000)
    await screenshot(browser_page, f"capaian-{RAPAK_LAMBUR}-{width}")
    await browser_page.get_by_role("link", name="Posyandu Mawar", exact=True).click()
    await expect(browser_page.get_by_role("heading", level=1)).to_contain_text("Posyandu Mawar")
