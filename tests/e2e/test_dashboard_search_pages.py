"""Finding a posyandu by name over real services (registry and gateway as processes on the real
broker and PostgreSQL, seeded through the registry's API): the gateway's ``/v1/posyandu``
answer, the dashboard's results page equal to it, a click through to the posyandu's page, an id
going straight there, a kecamatan user finding only its own kecamatan's, and, in Debian's
Chromium, a name typed in the header's search by keyboard (axe scan and screenshot).

The data: Posyandu Mawar (registered) and Posyandu Cempaka (draft) in Rapak Lambur, Tenggarong
(64.02.06); Posyandu Mawar Sebulu (draft) in Sebulu (64.02.07).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from simpul_gateway.dashboard.i18n import ID
from simpul_gateway.dashboard.session import COOKIE
from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.browser_checks import (
    assert_no_serious_violations,
    axe_scan,
    page_weight,
    screenshot,
)
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

pytestmark = pytest.mark.e2e

TENGGARONG, SEBULU = "64.02.06", "64.02.07"
RAPAK_LAMBUR, SEBULU_DESA = "64.02.06.2012", "64.02.07.2001"
DOCUMENTS = {
    "sk_tp_number": "141/12/SK-TP/2025",
    "sk_tp_date": "2025-08-01",
    "sk_kepengurusan_number": "141/13/SK-KP/2025",
    "sk_kepengurusan_date": "2025-08-02",
    "rekap_number": "REKAP/2025/06",
    "rekap_date": "2025-08-05",
}
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
DPMD_TOKEN = mint_token(TOKENS, "dpmd-kukar", ["dpmd"], ["64.02"])
TP_TENGGARONG_TOKEN = mint_token(TOKENS, "tp-tenggarong", ["tp:kecamatan"], [TENGGARONG])
DPMD = {"Authorization": f"Bearer {DPMD_TOKEN}"}
TP_TENGGARONG = {"Authorization": f"Bearer {TP_TENGGARONG_TOKEN}"}
_ROW = re.compile(r'<tr data-code="([^"]+)">(.*?)</tr>', re.S)
_CELL = re.compile(r'data-key="([^"]+)" data-value="([^"]*)"')


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "gateway"],
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture(scope="module")
async def seeded(stack: Stack) -> dict[str, str]:
    """The posyandu ids by name."""
    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=30) as client:

        async def ok(path: str, body: Any, headers: dict[str, str] = DPMD) -> Any:
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code in (200, 201), response.text
            return response.json()

        ids = {}
        for name, desa in (
            ("Posyandu Mawar", RAPAK_LAMBUR),
            ("Posyandu Cempaka", RAPAK_LAMBUR),
            ("Posyandu Mawar Sebulu", SEBULU_DESA),
        ):
            created = await ok("/v1/posyandu", {"name": name, "desa_code": desa})
            ids[name] = str(created["id"])
        mawar = ids["Posyandu Mawar"]
        await ok(f"/v1/posyandu/{mawar}/submit", DOCUMENTS)
        await ok(f"/v1/posyandu/{mawar}/verify", {}, TP_TENGGARONG)
        await ok(f"/v1/posyandu/{mawar}/register", {"registration_number": f"{RAPAK_LAMBUR}.001"})
    return ids


@pytest.fixture
async def gateway(stack: Stack, seeded: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        yield client


async def api(client: httpx.AsyncClient, token: str, **query: Any) -> dict[str, Any]:
    response = await client.get(
        "/v1/posyandu", params=query, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def results_page(client: httpx.AsyncClient, token: str, **query: Any) -> httpx.Response:
    client.cookies.set(COOKIE, token, path="/dashboard")
    return await client.get("/dashboard/posyandu", params=query)


def rows(html: str) -> list[tuple[str, dict[str, str]]]:
    """The results table's rows: the posyandu id (``data-code``) and each cell's raw value."""
    return [(code, dict(_CELL.findall(body))) for code, body in _ROW.findall(html)]


def as_rows(answer: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """The API's answer as the page's rows should hold it."""
    return [
        (
            item["id"],
            {
                "name": item["name"],
                "desa_code": item["desa_code"],
                "kecamatan_code": item["kecamatan_code"],
                "status": item["status"],
                "registration_number": item["registration_number"] or "",
            },
        )
        for item in answer["items"]
    ]


async def test_dashboard_search_the_api_finds_by_name_with_no_people(
    gateway: httpx.AsyncClient, seeded: dict[str, str]
) -> None:
    answer = await api(gateway, DPMD_TOKEN, wilayah="64.02", q="  MAWAR ")
    assert (answer["wilayah"], answer["wilayah_name"], answer["total"]) == (
        "64.02",
        "Kabupaten Kutai Kartanegara",
        2,
    )
    # The registry's order: by desa, then name.
    assert [(i["name"], i["desa_code"], i["status"]) for i in answer["items"]] == [
        ("Posyandu Mawar", RAPAK_LAMBUR, "registered"),
        ("Posyandu Mawar Sebulu", SEBULU_DESA, "draft"),
    ]
    first = answer["items"][0]
    assert first["id"] == seeded["Posyandu Mawar"]
    assert first["registration_number"] == f"{RAPAK_LAMBUR}.001"
    assert (first["kecamatan_code"], first["kecamatan_name"]) == (TENGGARONG, "Tenggarong")
    assert all(i["desa_name"] for i in answer["items"])
    assert set(first) == {
        "id",
        "name",
        "desa_code",
        "desa_name",
        "kecamatan_code",
        "kecamatan_name",
        "status",
        "registration_number",
    }
    paged = await api(gateway, DPMD_TOKEN, wilayah="64.02", q="mawar", page=2, page_size=1)
    assert [i["name"] for i in paged["items"]] == ["Posyandu Mawar Sebulu"]
    assert (paged["total"], paged["page"]) == (2, 2)
    unknown = await gateway.get(
        "/v1/posyandu", params={"wilayah": "64.02.99", "q": "mawar"}, headers=DPMD
    )
    assert unknown.status_code == 404


async def test_dashboard_search_the_results_page_is_the_apis_answer_and_clicks_through(
    gateway: httpx.AsyncClient, seeded: dict[str, str]
) -> None:
    answer = await api(gateway, DPMD_TOKEN, q="mawar", page_size=20)
    response = await results_page(gateway, DPMD_TOKEN, q="mawar")
    assert response.status_code == 200, response.text
    found = rows(response.text)
    assert found == as_rows(answer) and len(found) == 2
    assert f'id="search-count" data-value="{answer["total"]}"' in response.text

    link = re.search(r'<a href="(/dashboard/posyandu/[^"]+)">Posyandu Mawar</a>', response.text)
    assert link, response.text
    clicked = await gateway.get(link[1])
    assert clicked.status_code == 200, clicked.text
    assert re.search(r"<h1>Posyandu Mawar\b", clicked.text)
    assert f'data-key="id" data-value="{seeded["Posyandu Mawar"]}"' in clicked.text

    none = await results_page(gateway, DPMD_TOKEN, q="melati")
    assert none.status_code == 200 and ID["search_none_found"] in none.text
    assert rows(none.text) == []

    by_id = await results_page(gateway, DPMD_TOKEN, q=seeded["Posyandu Cempaka"])
    assert by_id.status_code == 303
    assert by_id.headers["location"] == f"/dashboard/posyandu/{seeded['Posyandu Cempaka']}"


async def test_dashboard_search_a_kecamatan_user_finds_only_its_own_kecamatans(
    gateway: httpx.AsyncClient, seeded: dict[str, str]
) -> None:
    answer = await api(gateway, TP_TENGGARONG_TOKEN, q="mawar")
    assert [i["id"] for i in answer["items"]] == [seeded["Posyandu Mawar"]]
    response = await results_page(gateway, TP_TENGGARONG_TOKEN, q="mawar")
    assert rows(response.text) == as_rows(answer)
    assert seeded["Posyandu Mawar Sebulu"] not in response.text
    # Narrowed to another kecamatan: the API refuses it, and the page says so.
    refused = await gateway.get(
        "/v1/posyandu", params={"wilayah": SEBULU, "q": "mawar"}, headers=TP_TENGGARONG
    )
    assert refused.status_code == 403
    page = await results_page(gateway, TP_TENGGARONG_TOKEN, q="mawar", wilayah=SEBULU)
    assert page.status_code == 403 and ID["forbidden_body"] in page.text
    assert rows(page.text) == []


@pytest.mark.browser
async def test_dashboard_search_typing_a_name_in_the_header_by_keyboard(
    browser_page: Page, stack: Stack, seeded: dict[str, str]
) -> None:
    page, base = browser_page, stack.url("gateway")
    host = base.split("//", 1)[1].split(":", 1)[0]
    await page.context.add_cookies(
        [{"name": COOKIE, "value": DPMD_TOKEN, "domain": host, "path": "/dashboard"}]
    )
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await api(client, DPMD_TOKEN, q="mawar", page_size=20)
    await page.set_viewport_size({"width": 360, "height": 640})
    await page.goto(f"{base}/dashboard/ringkasan?wilayah=64.02")
    search = page.get_by_role("searchbox", name=ID["nav_posyandu"])
    await expect(search).to_have_attribute("placeholder", ID["posyandu_search_label"])
    for _ in range(60):  # as a keyboard user: Tab until the search has the focus
        await page.keyboard.press("Tab")
        if await search.evaluate("(el) => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the header's search")
    await page.keyboard.type("mawar")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(ID["search_results_for"])
    await expect(search).to_have_value("mawar")
    found = await page.locator("table#search-results").evaluate(
        """(table) => [...table.querySelectorAll('tbody tr')].map((tr) => [tr.dataset.code,
          Object.fromEntries([...tr.querySelectorAll('[data-value]')].map(
            (cell) => [cell.dataset.key, cell.dataset.value]))])"""
    )
    assert [tuple(row) for row in found] == as_rows(answer)
    assert_no_serious_violations(await axe_scan(page))
    print(f"posyandu-search-360: {await page_weight(page)}")
    await screenshot(page, "posyandu-search-360")

    first = page.get_by_role("link", name="Posyandu Mawar", exact=True)
    await first.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Posyandu Mawar")
    assert page.url.endswith(f"/dashboard/posyandu/{seeded['Posyandu Mawar']}")
