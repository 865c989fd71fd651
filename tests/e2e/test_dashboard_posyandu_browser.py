"""The dashboard's pages in a real browser (Debian's Chromium through Playwright) over real
services: registry, health, social and the gateway as processes on the real broker and
PostgreSQL, seeded through their APIs (``dashboard_posyandu_seed``).

Each page loads without a console error at 360 px and 1280 px, its figures (``data-value``
cells) equal the gateway API's answer, axe finds no serious or critical violation, and the CSV
downloaded through the browser reads back as the page. Sign-in works by keyboard alone (pasting
a token, and the development mint form), sign-out ends the session, and a kecamatan user is
refused another kecamatan's page. Screenshots go to ``.artefacts/screenshots/``; the page
weights are printed (``-s``), not asserted.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dashboard_posyandu_seed import (
    DEVELOPMENT_ENV,
    DPMD,
    DPMD_TOKEN,
    PERIOD,
    SEBULU,
    TENGGARONG,
    TP_TENGGARONG_TOKEN,
    seed,
)
from playwright.async_api import Page, expect

from simpul_gateway.dashboard.i18n import ID
from simpul_platform.testing.browser import BrowserErrors
from simpul_platform.testing.browser_checks import (
    assert_no_serious_violations,
    axe_scan,
    page_weight,
    screenshot,
)
from simpul_platform.testing.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WIDTHS = (360, 1280)
# The cells of a table's body: one {data-key: data-value} per row.
_ROWS_JS = """(table) => [...table.querySelectorAll('tbody tr')].map((tr) =>
  Object.fromEntries([...tr.querySelectorAll('[data-value]')].map(
    (cell) => [cell.dataset.key, cell.dataset.value])))"""


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    extra = {**DEVELOPMENT_ENV, "GATEWAY_UPSTREAM_TIMEOUT_S": "1.0"}
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "social", "gateway"],
        extra,
        kafka=kafka_broker.managed,
    ).start()
    try:
        yield started
    finally:
        social = started.processes["social"]._process
        if social is not None:  # a failed test may leave it paused
            os.killpg(social.pid, signal.SIGCONT)
        started.stop()


@pytest.fixture(scope="module")
async def seeded(stack: Stack) -> dict[str, str]:
    return await seed(stack)


@pytest.fixture
async def gateway(stack: Stack, seeded: dict[str, str]) -> AsyncIterator[str]:
    yield stack.url("gateway")


async def api(gateway: str, path: str, **params: Any) -> Any:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        response = await client.get(path, params=params, headers=DPMD)
    assert response.status_code == 200, response.text
    return response.json()


async def sign_in_with_cookie(page: Page, gateway: str, token: str) -> None:
    host = gateway.split("//", 1)[1].split(":", 1)[0]
    await page.context.add_cookies(
        [{"name": "simpul_session", "value": token, "domain": host, "path": "/dashboard"}]
    )


async def rows(page: Page, table_id: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = await page.locator(f"table#{table_id}").evaluate(_ROWS_JS)
    return found


async def facts(page: Page, list_id: str) -> dict[str, str]:
    found: dict[str, str] = await page.locator(f"dl#{list_id}").evaluate(
        "(dl) => Object.fromEntries([...dl.querySelectorAll('[data-value]')].map("
        "(el) => [el.dataset.key, el.dataset.value]))"
    )
    return found


async def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def checked(page: Page, name: str) -> None:
    """What every page view is held to: no serious axe violation; a screenshot and the page's
    weight for the note."""
    assert_no_serious_violations(await axe_scan(page))
    print(f"{name}: {await page_weight(page)}")
    await screenshot(page, name)


async def download_csv(page: Page, selector: str) -> list[list[str]]:
    async with page.expect_download() as info:
        await page.locator(selector).click()
    download = await info.value
    saved = await download.path()
    assert saved is not None
    text = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _figure(value: Any) -> str:
    return "" if value is None else str(value)


async def test_signing_in_by_keyboard_pasting_or_minting_and_signing_out(
    browser_page: Page, gateway: str
) -> None:
    page = browser_page
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 800})
        await page.goto(f"{gateway}/dashboard/masuk?next=%2Fdashboard%2Fringkasan")
        await expect(page.get_by_role("heading", level=1)).to_have_text(ID["sign_in_title"])
        await expect(page.get_by_role("heading", name=ID["dev_mint_title"])).to_be_visible()
        await checked(page, f"masuk-{width}")
    await tab_to(page, "textarea#token")
    await page.keyboard.insert_text(TP_TENGGARONG_TOKEN)
    await tab_to(page, "form[action='/dashboard/masuk'] button")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(ID["summary_title"])
    await expect(page.locator(".site-header .user")).to_contain_text("tp-tenggarong")
    # The user's own kecamatan: its first wilayah.
    await expect(page.get_by_role("heading", level=1)).to_contain_text(TENGGARONG)

    await tab_to(page, "form.sign-out button")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(ID["sign_in_title"])
    cookies = await page.context.cookies()
    assert not [c for c in cookies if c["name"] == "simpul_session"]

    # The development mint form, by keyboard: dpmd over 64.02 are its defaults.
    await tab_to(page, "select#role")
    await expect(page.locator("select#role")).to_have_value("dpmd")
    await tab_to(page, "input#wilayah")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("64.02")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(ID["summary_title"])
    await expect(page.locator(".site-header .user")).to_contain_text("dashboard-dev:dpmd:64.02")


async def test_the_summary_shows_the_apis_figures_and_its_csv_reads_back_as_the_page(
    browser_page: Page, gateway: str
) -> None:
    page = browser_page
    await sign_in_with_cookie(page, gateway, DPMD_TOKEN)
    progress = await api(gateway, "/v1/registration-progress", wilayah="64.02")
    staffing = await api(gateway, "/v1/staffing", wilayah="64.02")
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 800})
        await page.goto(f"{gateway}/dashboard/ringkasan?wilayah=64.02")
        await expect(page.get_by_role("heading", level=1)).to_contain_text(ID["summary_title"])
        registration = await rows(page, "registration")
        assert [(r["code"], r["total"], r["target"]) for r in registration] == [
            (item["code"], str(item["total"]), _figure(item["target"]))
            for item in [*progress["children"], progress["wilayah"]]
        ]
        fields = await rows(page, "fields")
        assert [r["kader_active"] for r in fields] == [
            str(f["kader_active"]) for f in staffing["wilayah"]["fields"]
        ]
        await checked(page, f"ringkasan-{width}")
    by_code = {r["code"]: r for r in registration}
    assert (by_code["64.02"]["total"], by_code["64.02"]["target"]) == ("2", "6")
    assert by_code[TENGGARONG]["share_of_target"] == "0.0"

    lines = await download_csv(
        page, "a[href^='/dashboard/ringkasan.csv'][href*='table=registration']"
    )
    assert lines[0][0] == ID["export_wilayah"] and lines[0][1].startswith("64.02 ")
    assert lines[5:] == [list(r.values()) for r in registration]


async def test_the_posyandu_page_is_the_profiles_whole_picture(
    browser_page: Page, gateway: str, seeded: dict[str, str]
) -> None:
    page = browser_page
    mawar = seeded["Posyandu Mawar"]
    await sign_in_with_cookie(page, gateway, DPMD_TOKEN)
    profile = await api(gateway, f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    sections = {part["field"]: part for part in profile["fields"]}
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 800})
        await page.goto(f"{gateway}/dashboard/posyandu/{mawar}?period={PERIOD}")
        await expect(page.get_by_role("heading", level=1)).to_contain_text("Posyandu Mawar")
        identity = await facts(page, "identity")
        assert identity["id"] == profile["posyandu"]["id"]
        assert identity["status"] == profile["posyandu"]["status"]
        days = await facts(page, "days")
        last = profile["days"]["last_held_day"]
        assert days["next_open_day"] == profile["days"]["next_open_day"]
        assert (days["last_held_day"], days["kader_present"], days["kader_expected"]) == (
            last["day"],
            str(last["kader_present"]),
            str(last["kader_expected"]),
        )
        await checked(page, f"posyandu-{width}")

    fields = await rows(page, "fields")
    assert [r["status"] for r in fields] == [
        ID[f"posyandu_state_{sections[f]['status']}"] for f in sections
    ]
    staff = {s["field"]: s for s in profile["staffing"]["data"]}
    assert fields[0]["kader_active"] == str(staff["health"]["active_kader"]) == "2"

    health = await rows(page, "figures-health")
    stunting = sections["health"]["data"]["stunting"]
    by_code = {r["code"]: r for r in health}
    assert by_code["stunting.measured"]["value"] == str(stunting["measured"]) == "4"
    for indicator in sections["health"]["data"]["indicators"]:
        row = by_code[indicator["code"]]
        assert (row["value"], row["numerator"], row["denominator"]) == (
            _figure(indicator["percent"]),
            str(indicator["numerator"]),
            str(indicator["denominator"]),
        )
    social = {r["code"]: r for r in await rows(page, "figures-social")}
    assert social["deciles_1_4"]["value"] == str(sections["social"]["data"]["deciles_1_4"])
    assert await page.locator("section[data-field='education'][data-status='down']").count() == 1

    cases = await rows(page, "cases")
    assert [(r["case_id"], r["due_on"]) for r in cases] == [
        (c["case_id"], c["due_on"]) for c in profile["open_cases"]
    ]
    referrals = await rows(page, "referrals")
    assert [(r["reason_code"], r["due_on"]) for r in referrals] == [
        (r["reason_code"], r["due_on"]) for r in profile["referrals"]
    ]
    assert sorted(r["target_field"] for r in referrals) == sorted(
        [ID["field_health"], ID["field_social"], ID["field_social"]]
    )
    capaian = f"/dashboard/capaian?wilayah={profile['posyandu']['desa_code']}&period={PERIOD}"
    await expect(page.locator(f"a[href='{capaian}']")).to_have_count(1)

    lines = await download_csv(page, "a[href*='.csv?'][href*='table=figures']")
    assert lines[1] == [ID["export_period"], PERIOD]
    exported_health = [line[2:] for line in lines[5:] if line[0] == ID["field_health"]]
    assert exported_health == [list(r.values()) for r in health]


async def test_a_field_whose_service_hangs_says_so_and_the_rest_shows(
    browser_page: Page, gateway: str, stack: Stack, seeded: dict[str, str]
) -> None:
    page = browser_page
    await sign_in_with_cookie(page, gateway, DPMD_TOKEN)
    social = stack.processes["social"]._process
    assert social is not None
    os.killpg(social.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        await page.goto(f"{gateway}/dashboard/posyandu/{seeded['Posyandu Mawar']}")
    finally:
        os.killpg(social.pid, signal.SIGCONT)
    down = page.locator("section[data-field='social']")
    await expect(down).to_have_attribute("data-status", "down")
    await expect(down.get_by_role("status")).to_contain_text(ID["posyandu_state_timeout"])
    await expect(page.locator("table#figures-health")).to_be_visible()
    await screenshot(page, "posyandu-social-down")


async def test_a_kecamatan_user_is_refused_another_kecamatans_pages(
    browser_page: Page, browser_errors: BrowserErrors, gateway: str, seeded: dict[str, str]
) -> None:
    browser_errors.allow(r"HTTP 403 GET .*/dashboard/ringkasan\?wilayah=" + SEBULU)
    browser_errors.allow(r"HTTP 404 GET .*/dashboard/posyandu/" + seeded["Posyandu Cempaka"])
    page = browser_page
    await sign_in_with_cookie(page, gateway, TP_TENGGARONG_TOKEN)
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 800})
        response = await page.goto(f"{gateway}/dashboard/ringkasan?wilayah={SEBULU}")
        assert response is not None and response.status == 403
        await expect(page.get_by_role("alert")).to_contain_text(ID["forbidden_body"])
        assert await page.locator("table").count() == 0
        await checked(page, f"ringkasan-refused-{width}")
    hidden = await page.goto(f"{gateway}/dashboard/posyandu/{seeded['Posyandu Cempaka']}")
    assert hidden is not None and hidden.status == 404
    await expect(page.get_by_role("alert")).to_contain_text(ID["not_found_body"])
    own = await page.goto(f"{gateway}/dashboard/posyandu/{seeded['Posyandu Mawar']}")
    assert own is not None and own.status == 200
