"""Housing live in DPMD's views: registry, health, housing and the gateway as real uvicorn
processes on the real broker and PostgreSQL, seeded only through their REST APIs. The gateway
reads housing at the URL the stack gives it.

The data: two posyandu in Tenggarong. At Mawar (desa Rapak Lambur) Dinas Perkim records three
houses and surveys two of them today: one livable, one of 30 m² for five people (6 m² a
person: RTLH under Permen PUPR 29/2018 and Permensos 20/2017); the third is not surveyed. At
Melati one house is surveyed livable. Health refers a Mawar household to housing
(``rtlh_suspected``): the profile shows it among the posyandu's referrals and in housing's
summary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from e2e_calls import eventually, post_created

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
OPD_HOUSING = bearer(["opd:housing"], ["64.02"], "perkim-kukar")
OPD_HEALTH = bearer(["opd:health"], ["64.02"], "dinkes-kukar")
SURVEY: dict[str, Any] = {
    "kind": "initial",
    "surveyed_on": TODAY.isoformat(),
    "pondasi": "batu_belah",
    "kolom": "beton",
    "balok": "beton",
    "rangka_atap": "kayu",
    "plafon": "triplek",
    "sloof": True,
    "atap": "genteng",
    "atap_condition": "layak",
    "dinding": "tembok",
    "dinding_condition": "layak",
    "lantai": "keramik",
    "lantai_condition": "layak",
    "jendela": True,
    "ventilasi": True,
    "floor_area_m2": 60.0,
    "occupants": 5,
    "water_source": "sumur_terlindung",
    "water_to_faeces_m": 12.0,
    "bathroom": "sendiri",
    "toilet_type": "leher_angsa",
    "faeces_disposal": "tangki_septik",
    "electricity": "pln_meteran",
    "kawasan": [],
}
# (posyandu, No. KK, floor area of its survey today or None: not surveyed)
HOUSES: list[tuple[str, str, float | None]] = [
    ("Mawar", "6402060101200001", 60.0),
    ("Mawar", "6402060101200002", 30.0),
    ("Mawar", "6402060101200003", None),
    ("Melati", "6402060101200004", 60.0),
]


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "housing", "gateway"],
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
                {"name": f"Posyandu {name}", "desa_code": desa, "fields": ["health", "housing"]},
                DPMD,
            )
            posyandu[name] = created["id"]
        housing = stack.url("housing")
        for where, kk, area in HOUSES:
            house = await post_created(
                client,
                f"{housing}/v1/houses",
                {
                    "posyandu_id": posyandu[where],
                    "rt": "001",
                    "rw": "002",
                    "tenure": "milik_sendiri",
                    "land_status": "milik_sendiri",
                    "occupants": 5,
                    "households": [{"kk": kk}],
                },
                OPD_HOUSING,
            )
            if area is not None:
                await post_created(
                    client,
                    f"{housing}/v1/houses/{house['id']}/assessments",
                    {**SURVEY, "floor_area_m2": area},
                    OPD_HOUSING,
                )
        referral = await post_created(
            client,
            f"{stack.url('health')}/v1/referrals",
            {
                "target_field": "housing",
                "posyandu_id": posyandu["Mawar"],
                "reason_code": "rtlh_suspected",
                "no_kk": HOUSES[2][1],
            },
            OPD_HEALTH,
        )

        async def arrived() -> dict[str, Any] | None:
            response = await client.get(
                f"{housing}/v1/referrals/{referral['id']}", headers=OPD_HOUSING
            )
            return response.json() if response.status_code == 200 else None

        await eventually(arrived)
        yield {"posyandu": posyandu, "referral": referral}


async def get(stack: Stack, service: str, path: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"{stack.url(service)}{path}", params=params, headers=DPMD)


def by_field(sections: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {section["field"]: section for section in sections}


async def test_profile_shows_housings_houses_and_its_referral(stack, seeded):
    mawar = seeded["posyandu"]["Mawar"]
    response = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    assert response.status_code == 200, response.text
    profile = response.json()
    housing = by_field(profile["fields"])["housing"]
    assert housing["status"] == "ok", housing
    own = await get(stack, "housing", "/v1/summary", posyandu_id=mawar, period=PERIOD)
    assert housing["data"] == own.json()
    data = housing["data"]
    assert (data["houses"], data["surveyed"], data["rtlh_pupr"], data["rtlh_rutilahu"]) == (
        3,
        2,
        1,
        1,
    )
    assert (data["referrals"]["total"], data["referrals"]["open"]) == (1, 1)
    statuses = {row["field"]: row["status"] for row in profile["referrals_status"]}
    assert statuses["housing"] == "ok"
    (shown,) = [r for r in profile["referrals"] if r["id"] == seeded["referral"]["id"]]
    assert (shown["target_field"], shown["reason_code"]) == ("housing", "rtlh_suspected")
    assert "6402060101200003" not in str(profile)


async def test_scorecard_shows_housings_indicators_with_hand_counted_figures(stack, seeded):
    response = await get(stack, "gateway", "/v1/scorecard", wilayah="64.02", period=PERIOD)
    assert response.status_code == 200, response.text
    rows = [row for row in response.json()["rows"] if row["field"] == "housing"]
    assert {row["status"] for row in rows} == {"ok"}
    own = await get(stack, "housing", "/v1/indicators", wilayah="64.02", period=PERIOD)
    assert [row["indicator"] for row in rows] == own.json()
    figures = {
        row["indicator"]["code"]: (row["indicator"]["numerator"], row["indicator"]["denominator"])
        for row in rows
    }
    # Three surveyed houses (Mawar's two, Melati's one), two of them livable under each rule
    # set; no disaster unit or relocated household planned this year.
    assert figures["housing.rlh_pupr"] == (2, 3)
    assert figures["housing.rlh_rutilahu"] == (2, 3)
    assert figures["housing.disaster_victims"] == (0, 0)
    assert figures["housing.relocation"] == (0, 0)


async def test_loci_weigh_rtlh(stack, seeded):
    """Against housing's ``/v1/summary/by-desa`` contract: per desa, houses surveyed and those
    RTLH under Permen PUPR 29/2018."""
    response = await get(stack, "gateway", "/v1/priority-loci", wilayah=TENGGARONG, period=PERIOD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert by_field(body["fields"])["housing"]["status"] == "ok", body["fields"]
    assert "rtlh_pupr" in body["weights"]
    loci = {locus["code"]: locus for locus in body["loci"]}

    def rtlh(desa: str) -> tuple[Any, ...]:
        (part,) = [c for c in loci[desa]["components"] if c["name"] == "rtlh_pupr"]
        return part["percent"], part["numerator"], part["denominator"]

    assert rtlh(MAWAR_DESA) == (50.0, 1, 2)
    assert rtlh(MELATI_DESA) == (0.0, 0, 1)
    only_rtlh = await get(
        stack,
        "gateway",
        "/v1/priority-loci",
        wilayah=TENGGARONG,
        period=PERIOD,
        weight_stunting=0,
        weight_poverty=0,
        weight_rtlh=1,
    )
    ranked = [(locus["code"], locus["score"]) for locus in only_rtlh.json()["loci"]]
    assert ranked[:2] == [(MAWAR_DESA, 50.0), (MELATI_DESA, 0.0)]
