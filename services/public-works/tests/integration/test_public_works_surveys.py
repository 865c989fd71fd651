"""Household water and sanitation surveys over the real PostgreSQL and Kafka: the ladder derived
as recorded, the latest survey by date the household's, the event with pseudonym and levels
only, rules and wilayah refused, the schema as migrated."""

from __future__ import annotations

from typing import Any

import pytest
from public_works_testkit import (
    MANGKURAWANG,
    SAFE_SURVEY,
    TENGGARONG_KELURAHAN,
    PublicWorks,
)

from simpul_platform.migrations import schema_drift
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_public_works.models import metadata

pytestmark = pytest.mark.integration
KK = "6402061234560001"


async def survey(
    pw: PublicWorks, posyandu: str, headers: dict[str, str] | None = None, **change: Any
) -> Any:
    body = {"kk": KK, "posyandu_id": posyandu, **SAFE_SURVEY, **change}
    return await pw.client.post("/v1/wash-surveys", json=body, headers=headers or pw.kader)


async def test_a_survey_is_placed_on_both_ladders_and_announced(public_works: PublicWorks) -> None:
    posyandu = await public_works.known_posyandu()
    recorded = await survey(
        public_works,
        posyandu,
        water_source="sumur_terlindung",
        distance_to_waste_m=10.0,  # not more than 10 m: not protected
        toilet_type="cemplung_cubluk",
        litres_per_person_day=60.0,
    )
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert (body["water_level"], body["water_rule"]) == ("tidak_layak", "ground_source_near_waste")
    assert (body["sanitation_level"], body["sanitation_rule"]) == ("belum_layak", "not_goose_neck")
    assert (body["basic_water"], body["basic_water_failed"]) == (False, ["near_waste_point"])
    household = body["household"]
    assert household["kk_masked"] == "640206********01" and KK not in recorded.text
    assert household["household_ref"] == public_works.household_ref(KK)
    assert household["water_level"] == "tidak_layak"

    [event] = await public_works.events(1)
    assert event.type == "public_works.household.wash_assessed.v1"
    assert (event.posyandu_id, event.wilayah) == (posyandu, "64.02.06.2012")
    assert event.data["household_ref"] == public_works.household_ref(KK)
    assert event.data["sanitation_rule"] == "not_goose_neck"
    assert KK not in str(event.data) and "kk" not in event.data


async def test_the_latest_survey_by_date_is_the_households(public_works: PublicWorks) -> None:
    posyandu = await public_works.known_posyandu()
    newer = await survey(public_works, posyandu, surveyed_on="2026-03-02")
    older = await survey(
        public_works,
        posyandu,
        surveyed_on="2025-03-02",
        toilet_facility="tidak_ada",
        toilet_type="tidak_ada",
    )
    assert newer.status_code == older.status_code == 201
    household = older.json()["household"]
    assert (household["latest_survey_id"], household["sanitation_level"]) == (
        newer.json()["id"],
        "aman",
    )
    listed = await public_works.client.get(
        f"/v1/households/{household['id']}/wash-surveys", headers=public_works.opd
    )
    assert [s["sanitation_level"] for s in listed.json()] == ["aman", "babs"]
    found = await public_works.client.get(
        "/v1/households", params={"sanitation_level": "aman"}, headers=public_works.opd
    )
    assert [h["id"] for h in found.json()] == [household["id"]]


async def test_a_pit_latrine_is_basic_in_a_desa_but_not_in_a_kelurahan(
    public_works: PublicWorks,
) -> None:
    desa, kelurahan = (
        await public_works.known_posyandu(),
        await public_works.known_posyandu(TENGGARONG_KELURAHAN),
    )
    pit = {"faeces_disposal": "lubang_tanah", "septic_emptied_on": None}
    rural = await survey(public_works, desa, headers=public_works.opd, **pit)
    urban = await survey(
        public_works, kelurahan, headers=public_works.opd, kk="6402061234560002", **pit
    )
    assert rural.json()["sanitation_level"] == "layak_sendiri"
    assert (urban.json()["sanitation_level"], urban.json()["sanitation_rule"]) == (
        "belum_layak",
        "urban_pit",
    )


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"surveyed_on": "2999-01-01"}, "body.surveyed_on", "not_in_future"),
        ({"water_source": "kemasan"}, "body.washing_source", "washing_source_required"),
        ({"water_source": "sumur_bor"}, "body.distance_to_waste_m", "distance_required"),
        ({"on_premises": False}, "body.fetch_minutes", "fetch_minutes_required"),
        ({"toilet_type": "tidak_ada"}, "body.toilet_type", "toilet_type_mismatch"),
        ({"surveyed_on": 0}, "body.surveyed_on", "value_error"),
    ],
)
async def test_a_survey_the_ladder_cannot_judge_is_refused(
    public_works: PublicWorks, change: dict[str, Any], field: str, rule: str
) -> None:
    posyandu = await public_works.known_posyandu()
    refused = await survey(public_works, posyandu, **change)
    assert refused.status_code == 422, refused.text
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in refused.json()["errors"]
    ]
    listed = await public_works.client.get("/v1/households", headers=public_works.opd)
    assert listed.json() == []


async def test_wilayah_and_one_posyandu_per_household(public_works: PublicWorks) -> None:
    here, there = (
        await public_works.known_posyandu(),
        await public_works.known_posyandu(MANGKURAWANG),
    )
    refused = await survey(public_works, there)  # the kader's wilayah is Rapak Lambur
    assert refused.status_code == 403
    first = await survey(public_works, here)
    elsewhere = await survey(public_works, there, headers=public_works.opd)
    assert elsewhere.status_code == 409
    assert elsewhere.json()["household_id"] == first.json()["household"]["id"]
    dpmd = public_works.auth(["dpmd"], ["64.02"])
    assert (await public_works.client.get("/v1/households", headers=dpmd)).status_code == 403


async def test_the_migrations_build_the_models(
    public_works: PublicWorks, postgres_url: str
) -> None:
    assert await schema_drift(postgres_url, metadata, replica_metadata, referral_metadata) == []
