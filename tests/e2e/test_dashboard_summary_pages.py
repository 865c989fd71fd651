"""The dashboard's Ringkasan over real services (registry and gateway as processes on the real
broker and PostgreSQL, seeded through the registry's API), read with plain HTTP: signing in by
pasting a token, the page's figures equal to the gateway API's, the CSV export equal to the
page, a kecamatan user refused another kecamatan, and no session sent to sign in.

The data: Kutai Kartanegara with a target of 10 posyandu, Tenggarong (64.02.06) with a target of
4 and two posyandu (Anggrek registered, with a full board, a ketua bidang and two kader for
health; Bougenvil submitted, one health kader, no ketua bidang), Sebulu (64.02.07) with a draft
posyandu running health and social with nobody appointed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from dashboard_html import Tables, signed_in

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
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
async def seeded(stack: Stack) -> None:
    registry = stack.url("registry")
    async with httpx.AsyncClient(base_url=registry, timeout=30) as client:

        async def ok(method: str, path: str, body: Any, headers: dict[str, str] = DPMD) -> Any:
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code in (200, 201), response.text
            return response.json()

        async def posyandu(name: str, desa: str, fields: list[str]) -> str:
            created = await ok(
                "POST", "/v1/posyandu", {"name": name, "desa_code": desa, "fields": fields}
            )
            return str(created["id"])

        serial = 0

        async def appoint(posyandu_id: str, role: str, field: str | None = None) -> None:
            nonlocal serial
            serial += 1  # men born 17-08-1985 in Tenggarong, each a distinct NIK
            body = {
                "nik": f"640206170885{serial:04d}",
                "name": f"Orang {serial}",
                "role": role,
                "field": field,
                "start_date": "2025-01-01",
            }
            await ok("POST", f"/v1/posyandu/{posyandu_id}/people", body)

        anggrek = await posyandu("Posyandu Anggrek", RAPAK_LAMBUR, ["health"])
        bougenvil = await posyandu("Posyandu Bougenvil", RAPAK_LAMBUR, ["health"])
        await posyandu("Posyandu Cempaka", SEBULU_DESA, ["health", "social"])
        for role in ("ketua", "sekretaris", "bendahara"):
            await appoint(anggrek, role)
        await appoint(anggrek, "ketua_bidang", "health")
        await appoint(anggrek, "kader", "health")
        await appoint(anggrek, "kader", "health")
        await appoint(bougenvil, "kader", "health")
        for posyandu_id in (anggrek, bougenvil):
            await ok("POST", f"/v1/posyandu/{posyandu_id}/submit", DOCUMENTS)
        await ok("POST", f"/v1/posyandu/{anggrek}/verify", {}, TP_TENGGARONG)
        await ok(
            "POST",
            f"/v1/posyandu/{anggrek}/register",
            {"registration_number": f"{RAPAK_LAMBUR}.001"},
        )
        await ok("PUT", "/v1/registration-targets/64.02", {"target": 10})
        await ok("PUT", f"/v1/registration-targets/{TENGGARONG}", {"target": 4})


@pytest.fixture
async def dpmd(stack: Stack, seeded: None) -> AsyncIterator[httpx.AsyncClient]:
    client = await signed_in(stack, DPMD_TOKEN)
    try:
        yield client
    finally:
        await client.aclose()


def _figure(value: Any) -> str:
    return "" if value is None else str(value)


def _percent(share: float | None) -> str:
    return "" if share is None else str(round(share * 100, 1))


async def _api(stack: Stack, path: str, headers: dict[str, str] = DPMD, **params: Any) -> Any:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_gateways_staffing_view_is_the_registrys_answer(stack, seeded):
    own = await _api(stack, "/v1/staffing", wilayah="64.02")
    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=30) as client:
        registry = await client.get("/v1/staffing", params={"wilayah": "64.02"}, headers=DPMD)
    assert own == registry.json()
    assert own["wilayah"]["posyandu"] == 3
    assert own["wilayah"]["kader_active"] == 3


async def test_the_registration_table_equals_the_registration_progress_view(stack, dpmd):
    page = await dpmd.get("/dashboard/ringkasan", params={"wilayah": "64.02"})
    assert page.status_code == 200, page.text
    assert "Registrasi posyandu di Kemendagri terhadap target DPMD" in page.text
    rows = Tables(page.text).tables["registration"]
    progress = await _api(stack, "/v1/registration-progress", wilayah="64.02")
    expected = [
        {
            "code": item["code"],
            "name": item["name"],
            "total": _figure(item["total"]),
            **{status: _figure(count) for status, count in item["counts"].items()},
            "target": _figure(item["target"]),
            "share_of_target": _percent(item["share_of_target"]),
        }
        for item in [*progress["children"], progress["wilayah"]]
    ]
    assert rows == expected
    by_code = {row["code"]: row for row in rows}
    # The figures the seed makes, so the comparison above is not of two empty tables.
    assert by_code["64.02"]["registered"] == "1"
    assert by_code["64.02"]["share_of_target"] == "10.0"
    assert (by_code[TENGGARONG]["total"], by_code[TENGGARONG]["submitted"]) == ("2", "1")
    assert by_code[TENGGARONG]["share_of_target"] == "25.0"
    assert by_code[SEBULU]["draft"] == "1"
    assert by_code[SEBULU]["share_of_target"] == ""  # no target for Sebulu
    assert '<progress max="100" value="25.0"' in page.text


async def test_the_staffing_tables_equal_the_staffing_view(stack, dpmd):
    page = Tables((await dpmd.get("/dashboard/ringkasan", params={"wilayah": "64.02"})).text)
    staffing = await _api(stack, "/v1/staffing", wilayah="64.02")
    assert [
        {
            k: row[k]
            for k in ("kader_active", "posyandu_running", "without_ketua_bidang", "without_kader")
        }
        for row in page.tables["fields"]
    ] == [
        {
            k: str(f[k])
            for k in ("kader_active", "posyandu_running", "without_ketua_bidang", "without_kader")
        }
        for f in staffing["wilayah"]["fields"]
    ]
    health = next(f for f in staffing["wilayah"]["fields"] if f["field"] == "health")
    assert (health["kader_active"], health["without_ketua_bidang"]) == (3, 2)
    per_kecamatan = {row["code"]: row for row in page.tables["staffing"]}
    for item in [*staffing["kecamatan"], staffing["wilayah"]]:
        row = per_kecamatan[item["code"]]
        assert row["posyandu"] == str(item["posyandu"])
        assert row["kader_active"] == str(item["kader_active"])
        assert row["fields_without_ketua_bidang"] == str(
            sum(f["without_ketua_bidang"] for f in item["fields"])
        )
        assert row["empty_posts"] == str(item["empty_posts"])
    assert set(per_kecamatan) == {TENGGARONG, SEBULU, "64.02"}


async def test_each_kecamatan_links_to_its_own_summary_of_its_desa(stack, dpmd):
    page = Tables((await dpmd.get("/dashboard/ringkasan", params={"wilayah": "64.02"})).text)
    assert f"/dashboard/ringkasan?wilayah={TENGGARONG}" in page.links
    down = await dpmd.get("/dashboard/ringkasan", params={"wilayah": TENGGARONG})
    assert down.status_code == 200
    rows = {row["code"]: row for row in Tables(down.text).tables["registration"]}
    assert (rows[RAPAK_LAMBUR]["registered"], rows[RAPAK_LAMBUR]["submitted"]) == ("1", "1")
    assert rows[TENGGARONG]["target"] == "4"


async def test_the_csv_export_reads_back_as_the_page_shows_it(stack, dpmd):
    params = {"wilayah": "64.02"}
    rows = Tables((await dpmd.get("/dashboard/ringkasan", params=params)).text).tables
    for table in ("registration", "fields", "staffing"):
        exported = await dpmd.get("/dashboard/ringkasan.csv", params={**params, "table": table})
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert lines[0][0] == "Wilayah" and lines[0][1].startswith("64.02 ")
        assert lines[1][0] == "Periode" and lines[2][0] == "Dibuat"
        header, body = lines[4], lines[5:]
        assert len(header) == len(rows[table][0])
        on_page = [list(row.values()) for row in rows[table]]
        assert body == on_page, table


async def test_a_kecamatan_user_cannot_see_another_kecamatan(stack, seeded):
    client = await signed_in(stack, TP_TENGGARONG_TOKEN)
    try:
        other = await client.get("/dashboard/ringkasan", params={"wilayah": SEBULU})
        exported = await client.get("/dashboard/ringkasan.csv", params={"wilayah": SEBULU})
        own = await client.get("/dashboard/ringkasan", params={"wilayah": TENGGARONG})
    finally:
        await client.aclose()
    assert other.status_code == 403
    assert "Anda tidak berhak melihat wilayah ini" in other.text
    assert 'id="registration"' not in other.text  # no figure of Sebulu's on the page
    assert exported.status_code == 403
    assert own.status_code == 200
    assert RAPAK_LAMBUR in {row["code"] for row in Tables(own.text).tables["registration"]}


async def test_without_a_session_the_page_sends_the_user_to_sign_in(stack, seeded):
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        page = await client.get("/dashboard/ringkasan", params={"wilayah": "64.02"})
        export = await client.get("/dashboard/ringkasan.csv", params={"wilayah": "64.02"})
        sign_in = await client.get(page.headers["location"])
    assert page.status_code == 303
    assert (
        page.headers["location"]
        == "/dashboard/masuk?next=%2Fdashboard%2Fringkasan%3Fwilayah%3D64.02"
    )
    assert export.status_code == 303
    assert sign_in.status_code == 200
    assert 'name="token"' in sign_in.text
