"""The Lokus prioritas, Rujukan and Kedaruratan pages over real services (registry, health,
social, housing, trantib and the gateway as processes on the real broker and PostgreSQL, seeded
through their APIs): each page's figures equal its API answer, other weights rank as the API
ranks them, the exported files read back as the page, a kecamatan user is refused another
kecamatan; and in a real browser each page loads clean at 360 px, the weights form works by
keyboard, axe finds nothing serious, with screenshots and page weights.

The data, in Tenggarong (64.02.06): at Mawar (Rapak Lambur) both balita measured are stunted
and their households well off (decile 8); at Melati (1002) neither is stunted and both
households are poor (decile 2): stunting weighed alone ranks Rapak Lambur first, poverty alone
the other. Health refers two households of Mawar to social (one long overdue, one today) and
one of Cempaka in Sebulu (64.02.07, overdue). Damkar's fire at Mawar took 15:01 and damaged two
houses; BPBD's flood over Rapak Lambur hit three households.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from dashboard_html import Tables, csv_rows, figures, signed_in, xlsx_rows
from dashboard_lokus_seed import (
    EMERGENCY_PERIOD,
    MAWAR_DESA,
    MELATI_DESA,
    SEBULU,
    TENGGARONG,
    TODAY,
    seed,
)
from playwright.async_api import Page, expect
from referral_calls import DPMD, TOKENS

from simpul_gateway.dashboard.i18n import labels
from simpul_platform.auth import mint_token
from simpul_platform.testing.browser import BrowserErrors
from simpul_platform.testing.browser_checks import (
    assert_no_serious_violations,
    axe_scan,
    page_weight,
    screenshot,
)
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e

LOCI_PERIOD = TODAY.strftime("%Y-%m")
DPMD_TOKEN = mint_token(TOKENS, "dpmd-kukar", ["dpmd"], ["64.02"])
TP_TENGGARONG_TOKEN = mint_token(TOKENS, "tp-tenggarong", ["tp:kecamatan"], [TENGGARONG])
STUNTING_ONLY = {"weight_stunting": "1", "weight_poverty": "0", "weight_rtlh": "0"}
POVERTY_ONLY = {"weight_stunting": "0", "weight_poverty": "1", "weight_rtlh": "0"}


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    services = ["registry", "health", "social", "housing", "trantib", "gateway"]
    started = Stack(
        kafka_broker.bootstrap_servers, postgres_server, services, kafka=kafka_broker.managed
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture(scope="module")
async def seeded(stack: Stack) -> dict[str, str]:
    return await seed(stack)


async def _api(stack: Stack, path: str, **params: Any) -> Any:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        response = await client.get(path, params=params, headers=DPMD)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def dpmd(stack: Stack, seeded: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in(stack, DPMD_TOKEN)
    try:
        yield client
    finally:
        await client.aclose()


async def _tables(client: httpx.AsyncClient, path: str, **params: Any) -> Tables:
    # No params at all for a link followed as it is (an empty dict would drop its query).
    page = await client.get(path, params=params or None)
    assert page.status_code == 200, page.text
    return Tables(page.text)


def _figure(value: Any) -> str:
    return "" if value is None else str(value)


# --- the figures are the API's ---------------------------------------------------------------


async def test_the_loci_page_is_the_apis_ranking_and_other_weights_rank_as_the_api(stack, dpmd):
    for weights in ({}, STUNTING_ONLY, POVERTY_ONLY):
        params = {"wilayah": TENGGARONG, "period": LOCI_PERIOD, **weights}
        rows = (await _tables(dpmd, "/dashboard/lokus", **params)).tables["loci"]
        answer = await _api(stack, "/v1/priority-loci", **params)
        expected = []
        for locus in answer["loci"]:
            by_name = {c["name"]: c["percent"] for c in locus["components"]}
            expected.append(
                {
                    "rank": str(locus["rank"]),
                    "code": locus["code"],
                    "name": locus["name"] or "",
                    "score": _figure(locus["score"]),
                    "complete": "ya" if locus["complete"] else "tidak",
                    **{name: _figure(by_name.get(name)) for name in answer["weights"]},
                }
            )
        assert [{k: row[k] for k in expected[0]} for row in rows] == expected, weights
    stunting = await _tables(dpmd, "/dashboard/lokus", wilayah=TENGGARONG, **STUNTING_ONLY)
    poverty = await _tables(dpmd, "/dashboard/lokus", wilayah=TENGGARONG, **POVERTY_ONLY)
    # The seed makes the two weightings disagree, so the comparison above is not trivial.
    assert [r["code"] for r in stunting.tables["loci"]] == [MAWAR_DESA, MELATI_DESA]
    assert [r["code"] for r in poverty.tables["loci"]] == [MELATI_DESA, MAWAR_DESA]
    assert stunting.tables["loci"][0]["stunting_prevalence"] == "100.0"
    assert poverty.tables["loci"][0]["poverty_deciles_1_4"] == "100.0"


async def test_the_loci_page_says_which_components_have_no_service(dpmd):
    page = await dpmd.get("/dashboard/lokus", params={"wilayah": TENGGARONG})
    # Education and public works are not deployed here: their components are said, not shown.
    assert 'data-components="paud_gap_5_6 out_of_school_7_18 no_basic_water' in page.text
    assert 'id="weight_stunting"' in page.text and "bawaan: 0.6" in page.text


async def test_the_referrals_page_is_the_apis_counts_and_overdue_list(stack, dpmd):
    tables = (await _tables(dpmd, "/dashboard/rujukan", wilayah="64.02")).tables
    answer = await _api(stack, "/v1/referrals", wilayah="64.02", group="kecamatan")
    social = next(f for f in answer["by_field"] if f["field"] == "social")
    on_page = {row["field_label"]: row for row in tables["ref-fields"]}
    assert on_page["Sosial"]["open"] == str(social["counts"]["open"])
    assert on_page["Sosial"]["overdue"] == str(social["counts"]["overdue"])
    assert on_page["Jumlah"]["overdue"] == str(answer["totals"]["overdue"])
    assert [(r["code"], r["open"], r["overdue"]) for r in tables["ref-groups"]] == [
        (g["code"], str(g["counts"]["open"]), str(g["counts"]["overdue"]))
        for g in answer["by_group"]
    ]
    as_of = date.fromisoformat(answer["as_of"])
    assert [(r["due_on"], r["days_overdue"], r["posyandu_id"]) for r in tables["ref-overdue"]] == [
        (r["due_on"], str((as_of - date.fromisoformat(r["due_on"])).days), r["posyandu_id"])
        for r in answer["overdue"]
    ]
    # The seed: three referrals to social, two overdue (Tenggarong's and Sebulu's).
    assert (social["counts"]["open"], social["counts"]["overdue"]) == (3, 2)
    assert [r["due_on"] for r in tables["ref-overdue"]] == ["2026-09-14", "2026-09-15"]


async def test_the_referrals_page_open_table_is_the_apis_oldest_open(stack, dpmd, seeded):
    tables = (await _tables(dpmd, "/dashboard/rujukan", wilayah="64.02")).tables
    answer = await _api(stack, "/v1/referrals", wilayah="64.02", group="kecamatan")
    as_of = date.fromisoformat(answer["as_of"])
    t = labels("id")
    assert [
        (
            r["requested_on"],
            r["days_open"],
            r["due_on"],
            r["target_label"],
            r["source_label"],
            r["posyandu_id"],
            r["desa_code"],
            r["status_label"],
            r["reason_code"],
        )
        for r in tables["ref-open"]
    ] == [
        (
            r["requested_on"],
            str((as_of - date.fromisoformat(r["requested_on"])).days),
            r["due_on"],
            t[f"field_{r['target_field']}"],
            t[f"field_{r['source_field']}"],
            r["posyandu_id"],
            r["desa_code"],
            t[f"ref_status_{r['status']}"],
            r["reason_code"],
        )
        for r in answer["oldest_open"]
    ]
    # The seed: every open referral, overdue or not, the earliest requested first. Social's
    # three: Mawar's of 7 September, Cempaka's of the 8th, then Mawar's of today (not yet due);
    # housing's own rule on the stunted children opened its own at Mawar, after them.
    to_social = [r for r in answer["oldest_open"] if r["target_field"] == "social"]
    assert [(r["requested_on"], r["posyandu_id"], r["overdue"]) for r in to_social] == [
        ("2026-09-07", seeded["Mawar"], True),
        ("2026-09-08", seeded["Cempaka"], True),
        (TODAY.isoformat(), seeded["Mawar"], False),
    ]
    requested = [r["requested_on"] for r in answer["oldest_open"]]
    assert requested == sorted(requested)
    assert len(answer["oldest_open"]) == answer["totals"]["open"]
    assert {r["status"] for r in answer["oldest_open"]} <= {"requested", "accepted"}
    # A closed count has no open list, on the page as in the API.
    resolved = await dpmd.get(
        "/dashboard/rujukan", params={"wilayah": "64.02", "status": "resolved"}
    )
    assert 'id="ref-open"' not in resolved.text
    assert (await _api(stack, "/v1/referrals", wilayah="64.02", status="resolved"))[
        "oldest_open"
    ] == []


async def test_the_referrals_page_drills_down_with_its_filters(stack, dpmd, seeded):
    top = await _tables(dpmd, "/dashboard/rujukan", wilayah="64.02", status="overdue")
    link = f"/dashboard/rujukan?wilayah={TENGGARONG}&status=overdue"
    assert link in top.links
    kecamatan = await _tables(dpmd, link)
    assert [(r["code"], r["overdue"]) for r in kecamatan.tables["ref-groups"]] == [
        (MAWAR_DESA, "1")
    ]
    desa = await _tables(dpmd, f"/dashboard/rujukan?wilayah={MAWAR_DESA}&status=overdue")
    assert f"/dashboard/posyandu/{seeded['Mawar']}" in desa.links
    only_health = await _tables(dpmd, "/dashboard/rujukan", wilayah="64.02", field="health")
    assert [r["field_label"] for r in only_health.tables["ref-fields"]] == ["Kesehatan", "Jumlah"]


async def test_the_emergencies_page_is_the_apis_fires_and_victims(stack, dpmd, seeded):
    params = {"wilayah": TENGGARONG, "period": EMERGENCY_PERIOD}
    tables = (await _tables(dpmd, "/dashboard/kedaruratan", **params)).tables
    answer = await _api(stack, "/v1/emergencies", **params)
    assert [
        (r["incident_id"], r["posyandu_id"], r["response_minutes"]) for r in tables["emg-fires"]
    ] == [
        (f["incident_id"], f["posyandu_id"], str(round(f["response_seconds"] / 60, 1)))
        for f in answer["missed_fires"]
    ]
    counted = ("households", "damaged", "without_habitable_house", "without_social_protection")
    expected = [
        (e["name"], d["desa_code"], *(_figure(d[k]) for k in counted))
        for e in answer["emergencies"]
        for d in e["by_desa"]
    ] + [("Jumlah", "", *(_figure(answer["totals"][k]) for k in counted))]
    assert [
        (r["emergency"], r["desa_code"], *(r[k] for k in counted)) for r in tables["emg-victims"]
    ] == expected
    assert tables["emg-fires"][0]["posyandu_id"] == seeded["Mawar"]
    assert tables["emg-victims"][-1]["households"] == "5"  # 2 of the fire, 3 of the flood


# --- exports ---------------------------------------------------------------------------------


EXPORTS = [
    ("/dashboard/lokus", {"wilayah": TENGGARONG, "period": LOCI_PERIOD, **POVERTY_ONLY}, "loci"),
    ("/dashboard/rujukan", {"wilayah": "64.02", "table": "fields"}, "ref-fields"),
    ("/dashboard/rujukan", {"wilayah": "64.02", "table": "groups"}, "ref-groups"),
    ("/dashboard/rujukan", {"wilayah": "64.02", "table": "overdue"}, "ref-overdue"),
    ("/dashboard/rujukan", {"wilayah": "64.02", "table": "open"}, "ref-open"),
    ("/dashboard/kedaruratan", {"wilayah": TENGGARONG, "period": EMERGENCY_PERIOD}, "emg-fires"),
    (
        "/dashboard/kedaruratan",
        {"wilayah": TENGGARONG, "period": EMERGENCY_PERIOD, "table": "victims"},
        "emg-victims",
    ),
]


async def test_every_export_reads_back_as_the_page_shows_it(dpmd):
    for path, params, table in EXPORTS:
        page = await _tables(dpmd, path, **params)
        on_page = [list(row.values()) for row in page.tables[table]]
        assert on_page, table
        for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
            exported = await dpmd.get(f"{path}.{fmt}", params=params)
            assert exported.status_code == 200, exported.text
            heading, body = read(exported.content)
            assert heading[0][:2] == ["Wilayah", params["wilayah"]]
            assert heading[1][0] == "Periode" and heading[1][1]
            assert heading[2][0] == "Dibuat"
            if fmt == "csv":
                assert body == on_page, (path, table, fmt)  # the page's very text
            else:
                assert figures(body) == figures(on_page), (path, table, fmt)


# --- who may see what ------------------------------------------------------------------------


async def test_a_kecamatan_user_is_refused_another_kecamatan(stack, seeded):
    client = await signed_in(stack, TP_TENGGARONG_TOKEN)
    try:
        for path in ("/dashboard/lokus", "/dashboard/rujukan", "/dashboard/kedaruratan"):
            other = await client.get(path, params={"wilayah": SEBULU})
            assert other.status_code == 403, path
            assert "Anda tidak berhak melihat wilayah ini" in other.text
            assert "<table" not in other.text
            exported = await client.get(f"{path}.csv", params={"wilayah": SEBULU})
            assert exported.status_code == 403, path
            own = await client.get(path, params={"wilayah": TENGGARONG})
            assert own.status_code == 200, path
    finally:
        await client.aclose()


# --- in a real browser -----------------------------------------------------------------------


async def _browser_signed_in(page: Page, stack: Stack, token: str = DPMD_TOKEN) -> str:
    base = stack.url("gateway")
    await page.context.add_cookies(
        [{"name": "simpul_session", "value": token, "url": f"{base}/dashboard"}]
    )
    await page.set_viewport_size({"width": 360, "height": 640})
    return base


PAGES = [
    ("lokus", f"/dashboard/lokus?wilayah={TENGGARONG}&period={LOCI_PERIOD}", "Lokus prioritas"),
    ("rujukan", "/dashboard/rujukan?wilayah=64.02", "Rujukan"),
    (
        "kedaruratan",
        f"/dashboard/kedaruratan?wilayah={TENGGARONG}&period={EMERGENCY_PERIOD}",
        "Kedaruratan",
    ),
]


@pytest.mark.browser
async def test_each_page_loads_clean_at_360px_and_passes_axe(browser_page: Page, stack, seeded):
    base = await _browser_signed_in(browser_page, stack)
    for name, path, heading in PAGES:
        await browser_page.goto(base + path)
        await expect(browser_page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert await browser_page.locator("table tbody tr").count() > 0, name
        # Nothing wider than the phone but the tables, which scroll inside their own region.
        width = await browser_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (name, width)
        assert_no_serious_violations(await axe_scan(browser_page))
        print(f"{name}: {await page_weight(browser_page)}")
        await screenshot(browser_page, f"dashboard-{name}-360")


@pytest.mark.browser
async def test_the_weights_form_reranks_by_keyboard(browser_page: Page, stack, seeded):
    base = await _browser_signed_in(browser_page, stack)
    await browser_page.goto(f"{base}/dashboard/lokus?wilayah={TENGGARONG}&period={LOCI_PERIOD}")
    codes = browser_page.locator("#loci tbody tr")
    await expect(codes.first).to_have_attribute("data-code", MAWAR_DESA)
    await browser_page.get_by_label("Bobot stunting").focus()
    await browser_page.keyboard.press("Control+A")
    await browser_page.keyboard.type("0")
    await browser_page.keyboard.press("Tab")  # to the poverty weight, by keyboard
    await expect(browser_page.get_by_label("Bobot kemiskinan")).to_be_focused()
    await browser_page.keyboard.press("Control+A")
    await browser_page.keyboard.type("1")
    await browser_page.keyboard.press("Enter")  # submits the GET form
    await browser_page.wait_for_url("**weight_poverty=1**")
    assert "weight_stunting=0" in browser_page.url  # the weighting is in the URL to share
    await expect(codes.first).to_have_attribute("data-code", MELATI_DESA)
    await screenshot(browser_page, "dashboard-lokus-reweighted-360")
    await browser_page.get_by_role("link", name="Kembalikan bobot bawaan").press("Enter")
    await browser_page.wait_for_url(lambda url: "weight_" not in url)
    await expect(codes.first).to_have_attribute("data-code", MAWAR_DESA)


@pytest.mark.browser
async def test_a_kecamatan_user_sees_the_refusal_in_the_browser(
    browser_page: Page, browser_errors: BrowserErrors, stack, seeded
):
    browser_errors.allow(r"HTTP 403 GET .*/dashboard/rujukan\?wilayah=64\.02\.07")
    base = await _browser_signed_in(browser_page, stack, TP_TENGGARONG_TOKEN)
    response = await browser_page.goto(f"{base}/dashboard/rujukan?wilayah={SEBULU}")
    assert response is not None and response.status == 403
    await expect(browser_page.get_by_role("alert")).to_contain_text(
        "Anda tidak berhak melihat wilayah ini"
    )
    assert_no_serious_violations(await axe_scan(browser_page))
