"""Schemathesis with all its checks against the gateway: every status it answers is in its
OpenAPI document, every body matches the schema, and no input makes it fail.

The services it composes are one stub on a real port (the gateway calls them over HTTP): a
registry that knows one posyandu (and finds it whatever name is searched) and the wilayah
beneath Kutai Kartanegara, and field services that report one indicator, one desa (a row with
every field's keys) and one overdue referral each; trantib one missed fire and one flood,
housing and social a case for each emergency asked about.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simpul_gateway.app import create_app
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.devstack.ports import free_port
from simpul_platform.testing.fuzz import fuzz_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.integration

POSYANDU = "3f1c2a9e-1111-4c7e-9a55-000000000001"
DESA = "64.02.07.2001"


def _wilayah(request: Request) -> JSONResponse:
    code = request.path_params["code"]
    if not code.startswith("64"):
        return JSONResponse({"title": "Not found"}, status_code=404)
    depth = code.count(".")
    children = [] if depth >= 3 else [{"code": f"{code}.{'2001' if depth == 2 else '07'}"}]
    for child in children:
        child["name"] = f"Wilayah {child['code']}"
    return JSONResponse({"code": code, "name": f"Wilayah {code}", "children": children})


def _posyandu(request: Request) -> JSONResponse:
    if request.path_params["posyandu_id"] != POSYANDU:
        return JSONResponse({"title": "Not found"}, status_code=404)
    return JSONResponse({"id": POSYANDU, "name": "Posyandu Mawar", "desa_code": DESA})


def _posyandu_list(request: Request) -> JSONResponse:
    page, size = int(request.query_params["page"]), int(request.query_params["page_size"])
    found = {
        "id": POSYANDU,
        "name": "Posyandu Mawar",
        "desa_code": DESA,
        "kecamatan_code": DESA[:8],
        "status": "registered",
        "registration_number": f"{DESA}.001",
    }
    return JSONResponse({"items": [found], "total": 1, "page": page, "page_size": size})


def _staffing(request: Request) -> JSONResponse:
    return JSONResponse({"kader": [], "ketua_bidang": []})


def _progress(request: Request) -> JSONResponse:
    code = request.path_params["code"]
    if not code.startswith("64"):
        return JSONResponse({"title": "Not found"}, status_code=404)
    return JSONResponse({"wilayah": code, "registered": 1, "target": 2})


def _indicators(request: Request) -> JSONResponse:
    value = {
        "code": "health.balita",
        "field": "health",
        "name": "Balita weighed",
        "numerator": 1,
        "denominator": 2,
        "percent": 50.0,
        "definition": "weighed ÷ balita",
        "source": "Permenkes 4/2019",
    }
    return JSONResponse([value])


def _summary(request: Request) -> JSONResponse:
    case = {"case_id": "c1", "due_on": "2026-08-01", "overdue": False}
    ats = {"case_id": "a1", "status": "verified", "due_on": None, "overdue": False}
    return JSONResponse(
        {"priority_cases": {"open_cases": [case]}, "ats_cases": {"open_cases": [ats]}}
    )


def _by_desa(request: Request) -> JSONResponse:
    row = {
        "desa_code": DESA,
        "prevalence_percent": 20.0,
        "stunted": 2,
        "measured": 10,
        "share_deciles_1_4": 40.0,
        "deciles_1_4": 4,
        "households_assessed": 10,
        "children": 40,
        "children_5_6": 5,
        "paud_5_6": 3,
        "paud_5_6_percent": 60.0,
        "children_7_15": 20,
        "dasar_7_15": 19,
        "dasar_7_15_percent": 95.0,
        "children_7_18": 28,
        "out_of_school_7_18": 2,
        "out_of_school_percent": 7.14,
        "ats_open": 1,
    }
    return JSONResponse([row])


_REFERRAL = {
    "id": "8d0f3c1e-2222-4c7e-9a55-000000000001",
    "direction": "incoming",
    "source_field": "health",
    "target_field": "social",
    "automatic": False,
    "posyandu_id": POSYANDU,
    "desa_code": DESA,
    "reason_code": "bansos_need",
    "status": "requested",
    "requested_on": "2026-07-01",
    "due_on": "2026-07-08",
    "overdue": True,
}
_COUNTS = {"total": 1, "open": 1, "overdue": 1, "rejected": 0, "resolved": 0, "resolved_on_time": 0}
_GROUP_CODE = {"kecamatan": "64.02.07", "desa": DESA, "posyandu": POSYANDU}


def _referral_summary(request: Request) -> JSONResponse:
    group = request.query_params.get("group", "kecamatan")
    return JSONResponse(
        {
            "field": "social",
            "direction": "incoming",
            "as_of": "2026-07-10",
            "wilayah": request.query_params.get("wilayah"),
            "group": group,
            "totals": _COUNTS,
            "by_other_field": {"health": _COUNTS},
            "groups": [{"code": _GROUP_CODE[group], **_COUNTS}],
            "overdue": [_REFERRAL],
            "oldest_open": [_REFERRAL],
        }
    )


def _posyandu_referrals(request: Request) -> JSONResponse:
    return JSONResponse([_REFERRAL, {**_REFERRAL, "direction": "outgoing"}])


def _emergencies(request: Request) -> JSONResponse:
    fire = {
        "incident_id": "f-1",
        "posyandu_id": POSYANDU,
        "desa_code": DESA,
        "object_kind": "rumah",
        "fire_post_id": None,
        "fire_post_name": None,
        "inside_wmk": False,
        "distance_km": None,
        "report_received_at": "2026-07-04T03:00:00Z",
        "arrived_at": None,
        "response_seconds": None,
    }
    household = {"household_ref": "h1", "desa_code": DESA, "damage": "rb", "displaced": True}
    flood = {
        "kind": "disaster",
        "id": "d-1",
        "name": "Banjir",
        "hazard": "banjir",
        "occurred_on": "2026-07-02",
        "wilayah_code": "64.02.07",
        "households": [household],
    }
    return JSONResponse(
        {
            "wilayah": request.query_params.get("wilayah"),
            "period": request.query_params.get("period"),
            "response_minutes": 15,
            "missed_fires": [fire],
            "emergencies": [flood],
        }
    )


def _by_source(request: Request) -> JSONResponse:
    case = {"household_ref": "h1", "desa_code": DESA, "status": "in_handling", "protected": False}
    return JSONResponse(
        [{"source_event_id": i, **case} for i in request.query_params.getlist("source_event_id")]
    )


STUB = Starlette(
    routes=[
        Route("/v1/wilayah/{code}", _wilayah),
        Route("/v1/posyandu", _posyandu_list),
        Route("/v1/posyandu/{posyandu_id}", _posyandu),
        Route("/v1/posyandu/{posyandu_id}/staffing", _staffing),
        Route("/v1/progress/{code}", _progress),
        Route("/v1/indicators", _indicators),
        Route("/v1/summary", _summary),
        Route("/v1/stunting/by-desa", _by_desa),
        Route("/v1/summary/by-desa", _by_desa),
        Route("/v1/referrals/summary", _referral_summary),
        Route("/v1/referrals/posyandu/{posyandu_id}", _posyandu_referrals),
        Route("/v1/emergencies", _emergencies),
        Route("/v1/disaster-houses/by-source", _by_source),
        Route("/v1/disaster-protection/by-source", _by_source),
    ]
)


@pytest.fixture
def services() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(STUB, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_schemathesis_finds_nothing_the_gateways_openapi_does_not_say(services: str) -> None:
    settings = GatewaySettings(
        environment="test",
        jwt_secret=TEST_JWT_SECRET,
        pseudonym_secret=TEST_PSEUDONYM_SECRET,
        registry_url=services,
        health_url=services,
        education_url=services,
        social_url=services,
        housing_url=services,
        trantib_url=services,
    )
    tokens: dict[str, Any] = {
        "dpmd": mint_token(settings, "dpmd", ["dpmd"], ["*"]),
        "tp:kecamatan": mint_token(settings, "tp", ["tp:kecamatan"], ["64.02.07"]),
    }
    report = fuzz_app(
        create_app(settings), tokens, max_examples=10, parameters={"posyandu_id": POSYANDU}
    )
    report.assert_clean()
