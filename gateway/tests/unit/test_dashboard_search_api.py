"""The gateway's posyandu search (``GET /v1/posyandu``) over a scripted registry: the query it
forwards, the page it answers (who and where each posyandu is, with its desa and kecamatan
names, nothing else of the registry's answer), and its refusals and failures (a wilayah outside
the caller's, a wilayah the registry does not know, the registry down or answering nonsense)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from test_gateway_education import DPMD, SETTINGS, Scripted

from simpul_gateway.app import create_app
from simpul_gateway.clients import CLIENTS
from simpul_gateway.upstream import Answer, Status
from simpul_gateway.upstreams import Upstreams
from simpul_platform.indicators import SPM_FIELDS
from simpul_platform.testing.asgi import running_app

pytestmark = pytest.mark.unit

MAWAR = "3f1c2a9e-1111-4c7e-9a55-000000000001"
MAWAR_2 = "3f1c2a9e-1111-4c7e-9a55-000000000002"
RAPAK_LAMBUR, BUKIT_BIRU = "64.02.06.2012", "64.02.06.2001"


def registry_posyandu(pid: str, name: str, desa: str, status: str, number: str | None) -> dict:
    """A posyandu as the registry's list answers it: with its address, place and authors."""
    return {
        "id": pid,
        "name": name,
        "desa_code": desa,
        "kecamatan_code": desa[:8],
        "kabupaten_code": desa[:5],
        "dusun": "Dusun II",
        "rt": "003",
        "rw": "001",
        "address": "Jl. Mawar No. 3",
        "latitude": -0.41,
        "longitude": 116.98,
        "fields": ["health"],
        "status": status,
        "registration_number": number,
        "sk_tp_number": "141/12/SK-TP/2025",
        "sk_tp_date": "2025-08-01",
        "sk_kepengurusan_number": None,
        "sk_kepengurusan_date": None,
        "rekap_number": None,
        "rekap_date": None,
        "version": 3,
        "created_by": "kader-siti",
        "created_at": "2026-01-05T08:00:00Z",
        "updated_by": "kader-siti",
        "updated_at": "2026-02-05T08:00:00Z",
    }


PAGE = {
    "items": [
        registry_posyandu(MAWAR_2, "Posyandu Mawar II", BUKIT_BIRU, "draft", None),
        registry_posyandu(
            MAWAR, "Posyandu Mawar", RAPAK_LAMBUR, "registered", f"{RAPAK_LAMBUR}.001"
        ),
    ],
    "total": 7,
    "page": 2,
    "page_size": 2,
}
KUKAR = {"code": "64.02", "name": "Kutai Kartanegara", "level": 2, "parents": [], "children": []}
TENGGARONG = {
    "code": "64.02.06",
    "name": "Tenggarong",
    "level": 3,
    "parents": [],
    "children": [
        {"code": BUKIT_BIRU, "name": "Bukit Biru", "level": 4},
        {"code": RAPAK_LAMBUR, "name": "Rapak Lambur", "level": 4},
    ],
}
REPLIES: dict[str, Any] = {
    "/v1/posyandu": PAGE,
    "/v1/wilayah/64.02": KUKAR,
    "/v1/wilayah/64.02.06": TENGGARONG,
}


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(SETTINGS)
    async with running_app(app) as client:
        yield app, client


async def search(
    gateway: tuple[Any, httpx.AsyncClient], replies: dict[str, Any], **query: Any
) -> tuple[httpx.Response, Scripted]:
    app, client = gateway
    registry = Scripted("registry", replies)
    app.state.upstreams = Upstreams(
        registry=registry, fields={f: CLIENTS[f](Scripted(f, None)) for f in SPM_FIELDS}
    )
    return await client.get("/v1/posyandu", params=query, headers=DPMD), registry


async def test_dashboard_search_forwards_the_query_and_answers_who_and_where_only(gateway):
    response, registry = await search(
        gateway, REPLIES, wilayah="64.02", q="mawar", page=2, page_size=2
    )
    assert response.status_code == 200, response.text
    assert ("/v1/posyandu", {"page": 2, "page_size": 2, "wilayah": "64.02", "q": "mawar"}) in (
        registry.asked
    )
    assert response.json() == {
        "wilayah": "64.02",
        "wilayah_name": "Kutai Kartanegara",
        "q": "mawar",
        "items": [
            {
                "id": MAWAR_2,
                "name": "Posyandu Mawar II",
                "desa_code": BUKIT_BIRU,
                "desa_name": "Bukit Biru",
                "kecamatan_code": "64.02.06",
                "kecamatan_name": "Tenggarong",
                "status": "draft",
                "registration_number": None,
            },
            {
                "id": MAWAR,
                "name": "Posyandu Mawar",
                "desa_code": RAPAK_LAMBUR,
                "desa_name": "Rapak Lambur",
                "kecamatan_code": "64.02.06",
                "kecamatan_name": "Tenggarong",
                "status": "registered",
                "registration_number": f"{RAPAK_LAMBUR}.001",
            },
        ],
        "total": 7,
        "page": 2,
        "page_size": 2,
    }
    # One look-up of the kecamatan's names however many of its posyandu the page holds.
    assert [path for path, _ in registry.asked].count("/v1/wilayah/64.02.06") == 1
    for personal in ("Jl. Mawar", "kader-siti", "Dusun II", "116.98"):
        assert personal not in response.text


async def test_dashboard_search_without_wilayah_searches_the_callers_own(gateway):
    response, registry = await search(gateway, REPLIES, q="mawar")
    assert response.status_code == 200, response.text
    # No wilayah to the registry: its rule gives the caller's own; none to check by name.
    assert ("/v1/posyandu", {"page": 1, "page_size": 20, "q": "mawar"}) in registry.asked
    assert "/v1/wilayah/64.02" not in [path for path, _ in registry.asked]
    body = response.json()
    assert (body["wilayah"], body["wilayah_name"]) == (None, None)
    assert [item["id"] for item in body["items"]] == [MAWAR_2, MAWAR]


async def test_dashboard_search_names_left_out_when_the_wilayah_table_does_not_answer(gateway):
    down = {**REPLIES, "/v1/wilayah/64.02.06": Answer(Status.UNAVAILABLE, detail="registry")}
    response, _ = await search(gateway, down, wilayah="64.02", q="mawar")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["name"], i["desa_name"], i["kecamatan_name"]) for i in items] == [
        ("Posyandu Mawar II", None, None),
        ("Posyandu Mawar", None, None),
    ]


async def test_dashboard_search_refuses_a_wilayah_outside_the_callers(gateway):
    response, registry = await search(gateway, REPLIES, wilayah="64.03", q="mawar")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert registry.asked == []  # refused before anything is asked


async def test_dashboard_search_an_unknown_wilayah_is_not_found(gateway):
    empty = {**REPLIES, "/v1/posyandu": {"items": [], "total": 0, "page": 1, "page_size": 20}}
    response, _ = await search(gateway, empty, wilayah="64.02.99", q="mawar")
    assert response.status_code == 404
    assert response.json()["detail"] == "No wilayah 64.02.99."


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        (Answer(Status.UNAVAILABLE, detail="registry failed (500)"), "registry failed (500)"),
        (Answer(Status.TIMEOUT, detail="registry did not answer in 1.0s"), "did not answer in"),
        ({"rows": []}, "a shape the gateway cannot read"),
    ],
)
async def test_dashboard_search_the_registry_down_is_503(gateway, reply, detail):
    response, _ = await search(gateway, {**REPLIES, "/v1/posyandu": reply}, wilayah="64.02")
    assert response.status_code == 503
    problem = response.json()
    assert problem["title"] == "A service this view cannot do without did not answer"
    assert detail in problem["detail"]


async def test_dashboard_search_the_registry_refusing_is_403(gateway):
    refused = {**REPLIES, "/v1/posyandu": Answer(Status.FORBIDDEN, detail="registry: no")}
    response, _ = await search(gateway, refused, wilayah="64.02", q="mawar")
    assert response.status_code == 403


async def test_dashboard_search_checks_its_input_before_asking(gateway):
    for query in ({"q": ""}, {"q": "x" * 81}, {"page_size": 101}, {"page": 0}, {"wilayah": "6402"}):
        response, registry = await search(gateway, REPLIES, **query)
        assert response.status_code == 422, query
        assert registry.asked == []


async def test_dashboard_search_is_documented_beside_the_profile(gateway):
    _, client = gateway
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert paths["/v1/posyandu"]["get"]["operationId"] == "searchPosyandu"
    assert paths["/v1/posyandu/{posyandu_id}/profile"]["get"]["operationId"] == (
        "getPosyanduProfile"
    )
