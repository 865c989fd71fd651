"""Public works live in DPMD's views: registry, health, public works and the gateway as real
uvicorn processes on the real broker and PostgreSQL, seeded only through their REST APIs. The
gateway reads public works at the URL the stack gives it.

The data: two posyandu in Tenggarong. At Mawar (desa Rapak Lambur) a Dinas PU user surveys
three households today: one on top of both ladders (piped water at home, tested, a septic tank
emptied two years ago; five people), one drinking from an unprotected well and without a
toilet (BABS; four people), one with a protected well 8 m from a waste point and a shared
goose-neck toilet into a septic tank (six people). At Melati (kelurahan Melayu, urban) one
household of three has tested piped water at home but 40 litres a person a day (safely managed,
yet not the SPM's basic daily drinking water) and its own goose-neck toilet into a pit (not a
layak latrine in a kelurahan). Health refers a Mawar household to public works
(``no_safe_water``): the profile shows it among the posyandu's referrals and DPMD's referral
view counts it.

By hand: Mawar 3 households surveyed, 2 without basic water, 1 BABS, 1 without layak
sanitation; Melati 1, 1, 0, 1. People with basic daily drinking water 5 of 18; with a domestic
wastewater service (the two septic tanks) 11 of 18.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import eventually, post_created

from simpul_gateway.clients import PU_BABS, PU_BASIC_WATER, PU_ISSUES_OVERDUE, PU_WASTEWATER
from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

pytestmark = pytest.mark.e2e

MAWAR_DESA, MELATI_DESA = "64.02.06.2012", "64.02.06.1002"
TENGGARONG = "64.02.06"
TODAY = date.today()
PERIOD = TODAY.strftime("%Y-%m")
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)


def bearer(roles: list[str], wilayah: list[str], sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, roles, wilayah)}"}


DPMD = bearer(["dpmd"], ["64.02"], "dpmd-kukar")
OPD_PUBLIC_WORKS = bearer(["opd:public_works"], ["64.02"], "dpu-kukar")
OPD_HEALTH = bearer(["opd:health"], ["64.02"], "dinkes-kukar")
SAFE: dict[str, Any] = {
    "surveyed_on": TODAY.isoformat(),
    "occupants": 5,
    "water_source": "ledeng",
    "on_premises": True,
    "available_24h": True,
    "litres_per_person_day": 80.0,
    "quality": [],
    "e_coli": "negatif",
    "toilet_facility": "sendiri",
    "toilet_type": "leher_angsa",
    "faeces_disposal": "tangki_septik",
    "septic_emptied_on": (TODAY - timedelta(days=730)).isoformat(),
}
UNSAFE_WELL_BABS = SAFE | {
    "occupants": 4,
    "water_source": "sumur_tidak_terlindung",
    "distance_to_waste_m": 20.0,
    "e_coli": None,
    "toilet_facility": "tidak_ada",
    "toilet_type": "tidak_ada",
    "faeces_disposal": "pantai_tanah_lapang_kebun",
    "septic_emptied_on": None,
}
NEAR_WELL_SHARED = SAFE | {
    "occupants": 6,
    "water_source": "sumur_terlindung",
    "distance_to_waste_m": 8.0,
    "e_coli": None,
    "toilet_facility": "bersama",
    "septic_emptied_on": None,
}
LITTLE_WATER_URBAN_PIT = SAFE | {
    "occupants": 3,
    "litres_per_person_day": 40.0,
    "faeces_disposal": "lubang_tanah",
    "septic_emptied_on": None,
}
# (posyandu, No. KK, survey)
SURVEYS: list[tuple[str, str, dict[str, Any]]] = [
    ("Mawar", "6402060101200011", SAFE),
    ("Mawar", "6402060101200012", UNSAFE_WELL_BABS),
    ("Mawar", "6402060101200013", NEAR_WELL_SHARED),
    ("Melati", "6402060101200014", LITTLE_WATER_URBAN_PIT),
]
REFERRED_KK = "6402060101200015"  # not surveyed yet


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "public-works", "gateway"],
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture(scope="module")
async def seeded(stack: Stack) -> AsyncIterator[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=30) as client:
        posyandu = {}
        for name, desa in (("Mawar", MAWAR_DESA), ("Melati", MELATI_DESA)):
            created = await post_created(
                client,
                f"{stack.url('registry')}/v1/posyandu",
                {
                    "name": f"Posyandu {name}",
                    "desa_code": desa,
                    "fields": ["health", "public_works"],
                },
                DPMD,
            )
            posyandu[name] = created["id"]
        public_works = stack.url("public-works")
        levels = []
        for where, kk, survey in SURVEYS:
            recorded = await post_created(
                client,
                f"{public_works}/v1/wash-surveys",
                {**survey, "kk": kk, "posyandu_id": posyandu[where]},
                OPD_PUBLIC_WORKS,
            )
            levels.append((recorded["water_level"], recorded["sanitation_level"]))
        referral = await post_created(
            client,
            f"{stack.url('health')}/v1/referrals",
            {
                "target_field": "public_works",
                "posyandu_id": posyandu["Mawar"],
                "reason_code": "no_safe_water",
                "no_kk": REFERRED_KK,
            },
            OPD_HEALTH,
        )

        async def arrived() -> dict[str, Any] | None:
            response = await client.get(
                f"{public_works}/v1/referrals/{referral['id']}", headers=OPD_PUBLIC_WORKS
            )
            return response.json() if response.status_code == 200 else None

        await eventually(arrived)
        yield {"posyandu": posyandu, "referral": referral, "levels": levels}


async def get(stack: Stack, service: str, path: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"{stack.url(service)}{path}", params=params, headers=DPMD)


def by_field(sections: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {section["field"]: section for section in sections}


async def test_the_surveys_are_on_the_ladders_the_hand_count_assumes(stack, seeded):
    assert seeded["levels"] == [
        ("aman", "aman"),
        ("tidak_layak", "babs"),
        ("tidak_layak", "layak_bersama"),
        ("aman", "belum_layak"),  # safe water, too little of it: not the SPM's basic water
    ]


async def test_profile_lists_the_referral_to_public_works(stack, seeded):
    mawar = seeded["posyandu"]["Mawar"]
    response = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    assert response.status_code == 200, response.text
    profile = response.json()
    statuses = {row["field"]: row["status"] for row in profile["referrals_status"]}
    assert statuses["public_works"] == "ok"
    (shown,) = [r for r in profile["referrals"] if r["id"] == seeded["referral"]["id"]]
    assert (shown["target_field"], shown["reason_code"]) == ("public_works", "no_safe_water")
    assert REFERRED_KK not in str(profile)
    assert all(kk not in str(profile) for _, kk, _ in SURVEYS)


async def test_dpmds_referral_view_counts_public_works(stack, seeded):
    response = await get(stack, "gateway", "/v1/referrals", wilayah="64.02")
    assert response.status_code == 200, response.text
    rows = {row["field"]: row for row in response.json()["by_field"]}
    assert rows["public_works"]["status"] == "ok"
    counts = rows["public_works"]["counts"]
    assert (counts["total"], counts["open"]) == (1, 1)
    assert rows["public_works"]["by_source_field"]["health"]["total"] == 1


async def test_profile_shows_public_works_own_summary(stack, seeded):
    """Against public works' ``/v1/summary`` (one posyandu)."""
    mawar = seeded["posyandu"]["Mawar"]
    response = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    assert response.status_code == 200, response.text
    section = by_field(response.json()["fields"])["public_works"]
    assert section["status"] == "ok", section
    own = await get(stack, "public-works", "/v1/summary", posyandu_id=mawar, period=PERIOD)
    assert own.status_code == 200, own.text
    assert section["data"] == own.json()


async def test_scorecard_shows_public_works_indicators_with_hand_counted_figures(stack, seeded):
    """Against public works' ``/v1/indicators``."""
    response = await get(stack, "gateway", "/v1/scorecard", wilayah="64.02", period=PERIOD)
    assert response.status_code == 200, response.text
    rows = [row for row in response.json()["rows"] if row["field"] == "public_works"]
    assert {row["status"] for row in rows} == {"ok"}, rows
    own = await get(stack, "public-works", "/v1/indicators", wilayah="64.02", period=PERIOD)
    assert [row["indicator"] for row in rows] == own.json()
    figures = {
        row["indicator"]["code"]: (row["indicator"]["numerator"], row["indicator"]["denominator"])
        for row in rows
    }
    assert figures[PU_BASIC_WATER] == (5, 18)  # people: the safe household's five
    assert figures[PU_WASTEWATER] == (11, 18)  # people with a septic tank, own or shared
    assert figures[PU_BABS][0] == 1
    assert figures[PU_ISSUES_OVERDUE] == (0, 0)  # no issue reported


async def test_loci_weigh_water_and_sanitation(stack, seeded):
    """Against public works' ``/v1/summary/by-desa``: per desa, households surveyed, without
    basic water and without layak sanitation."""
    response = await get(stack, "gateway", "/v1/priority-loci", wilayah=TENGGARONG, period=PERIOD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert by_field(body["fields"])["public_works"]["status"] == "ok", body["fields"]
    assert {"no_basic_water", "no_layak_sanitation"} <= set(body["weights"])
    loci = {locus["code"]: locus for locus in body["loci"]}

    def part(desa: str, name: str) -> tuple[Any, ...]:
        (found,) = [c for c in loci[desa]["components"] if c["name"] == name]
        return found["percent"], found["numerator"], found["denominator"]

    assert part(MAWAR_DESA, "no_basic_water") == (66.67, 2, 3)
    assert part(MAWAR_DESA, "no_layak_sanitation") == (33.33, 1, 3)
    assert part(MELATI_DESA, "no_basic_water") == (100.0, 1, 1)
    assert part(MELATI_DESA, "no_layak_sanitation") == (100.0, 1, 1)
    only_wash = await get(
        stack,
        "gateway",
        "/v1/priority-loci",
        wilayah=TENGGARONG,
        period=PERIOD,
        weight_stunting=0,
        weight_poverty=0,
        weight_wash=1,
    )
    ranked = [(locus["code"], locus["score"]) for locus in only_wash.json()["loci"]]
    assert ranked[:2] == [(MELATI_DESA, 100.0), (MAWAR_DESA, 50.0)]
