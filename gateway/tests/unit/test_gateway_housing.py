"""Housing in the gateway's views: its client reads the rows per desa housing serves, the
priority loci weigh RTLH when housing is deployed (weight from the settings or the query), a
housing service that fails marks its component missing, and the profile and scorecard show
housing's own figures. The services are scripted upstreams (``test_gateway_education``)."""

from __future__ import annotations

from typing import Any

import pytest
from test_gateway_education import (
    DESA_A,
    DESA_B,
    DPMD,
    EDUCATION_UP,
    PERIOD,
    POSYANDU,
    Scripted,
    components,
    gateway,
    loci,
    world,
)

from simpul_gateway.clients import HousingClient
from simpul_gateway.upstream import Answer, Status
from simpul_platform.indicators import IndicatorValue

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared


def housing_row(desa: str, surveyed: int, rtlh: int) -> dict[str, Any]:
    return {
        "desa_code": desa,
        "houses": surveyed + 2,
        "surveyed": surveyed,
        "rtlh_pupr": rtlh,
        "rtlh_pupr_percent": round(100 * rtlh / surveyed, 2) if surveyed else None,
        "rtlh_rutilahu": rtlh // 2,
        "rtlh_rutilahu_percent": round(100 * (rtlh // 2) / surveyed, 2) if surveyed else None,
        "rtlh_handled": 1,
        "disaster_units_planned": 2,
        "disaster_units_completed": 1,
        "stunted_households": 3,
        "stunted_in_rtlh": 1,
    }


# Desa A: all 10 surveyed houses RTLH; B: 1 of 10. Education alone ranks B first (its PAUD gap).
HOUSING_BY_DESA = [housing_row(DESA_A, 10, 10), housing_row(DESA_B, 10, 1)]
HOUSING_INDICATORS = [
    IndicatorValue.of(
        "housing.disaster_victims", "housing", "Korban bencana", 1, 2, "handled ÷ planned", "SPM"
    ).model_dump(mode="json"),
    IndicatorValue.of(
        "housing.rlh_pupr", "housing", "RLH (PUPR)", 11, 20, "RLH ÷ surveyed", "PUPR"
    ).model_dump(mode="json"),
]
HOUSING_SUMMARY = {
    "posyandu_id": POSYANDU,
    "period": PERIOD,
    "houses": 22,
    "surveyed": 20,
    "rtlh_pupr": 9,
    "rtlh_rutilahu": 4,
    "rtlh_cases": {"open": 2, "by_status": {"verified": 1, "assigned": 1}},
    "disaster_houses_open": 1,
    "referrals": {"total": 1, "open": 1, "overdue": 0},
}
HOUSING_UP = {
    "/v1/summary/by-desa": HOUSING_BY_DESA,
    "/v1/indicators": HOUSING_INDICATORS,
    "/v1/summary": HOUSING_SUMMARY,
}


async def test_the_housing_client_reads_the_rows_per_desa_and_refuses_another_shape() -> None:
    client = HousingClient(Scripted("housing", {"/v1/summary/by-desa": HOUSING_BY_DESA}))
    answer = await client.by_desa("tok", "64.02.06", PERIOD)
    assert answer.ok and [r["rtlh_pupr"] for r in answer.data] == [10, 1]
    wrong = HousingClient(Scripted("housing", {"/v1/summary/by-desa": [{"desa_code": DESA_A}]}))
    refused = await wrong.by_desa("tok", "64.02.06", PERIOD)
    assert refused.status is Status.UNAVAILABLE and "cannot read" in (refused.detail or "")
    absent = await HousingClient(Scripted("housing", None)).by_desa("tok", "64.02", PERIOD)
    assert absent.status is Status.NOT_AVAILABLE


async def test_loci_weigh_rtlh_when_housing_is_deployed(gateway: Any) -> None:
    body = await loci(gateway, world(EDUCATION_UP, HOUSING_UP))
    assert body["weights"]["rtlh_pupr"] == 0.2
    assert {f["field"]: f["status"] for f in body["fields"]}["housing"] == "ok"
    by_code = {locus["code"]: locus for locus in body["loci"]}
    assert components(by_code[DESA_A])["rtlh_pupr"] == ("housing", 100.0, 10, 10, 0.2)
    assert components(by_code[DESA_B])["rtlh_pupr"] == ("housing", 10.0, 1, 10, 0.2)
    total = 0.6 + 0.4 + 0.2 + 0.2 + 0.2
    assert by_code[DESA_A]["score"] == round(
        (0.6 * 30 + 0.4 * 50 + 0.2 * 20 + 0.2 * 5 + 0.2 * 100) / total, 2
    )
    assert [locus["code"] for locus in body["loci"]] == [DESA_A, DESA_B]  # RTLH turns it

    only_rtlh = await loci(
        gateway,
        world(EDUCATION_UP, HOUSING_UP),
        weight_stunting=0,
        weight_poverty=0,
        weight_paud_gap=0,
        weight_out_of_school=0,
        weight_rtlh=1,
    )
    assert [(c["code"], c["score"]) for c in only_rtlh["loci"]] == [(DESA_A, 100.0), (DESA_B, 10.0)]


async def test_loci_with_housing_down_mark_rtlh_missing(gateway: Any) -> None:
    down = {"/v1/summary/by-desa": Answer(Status.TIMEOUT, detail="housing did not answer")}
    body = await loci(gateway, world(EDUCATION_UP, down))
    assert {f["field"]: f["status"] for f in body["fields"]}["housing"] == "timeout"
    for locus in body["loci"]:
        assert not locus["complete"]
        assert components(locus)["rtlh_pupr"] == ("housing", None, None, None, 0.2)


async def test_profile_and_scorecard_show_housings_own_figures(gateway: Any) -> None:
    app, client = gateway
    app.state.upstreams = world(EDUCATION_UP, HOUSING_UP)
    profile = await client.get(
        f"/v1/posyandu/{POSYANDU}/profile", params={"period": PERIOD}, headers=DPMD
    )
    assert profile.status_code == 200, profile.text
    section = next(f for f in profile.json()["fields"] if f["field"] == "housing")
    assert (section["status"], section["data"]) == ("ok", HOUSING_SUMMARY)
    card = await client.get(
        "/v1/scorecard", params={"wilayah": "64.02", "period": PERIOD}, headers=DPMD
    )
    assert card.status_code == 200, card.text
    rows = [r for r in card.json()["rows"] if r["field"] == "housing"]
    assert [(r["status"], r["indicator"]) for r in rows] == [
        ("ok", value) for value in HOUSING_INDICATORS
    ]
