"""Houses and their households over the real PostgreSQL: recorded at a posyandu's desa, KK kept
here and masked on reads, one house per household, wilayah enforced, schema as migrated."""

from __future__ import annotations

import pytest
from housing_testkit import MANGKURAWANG, SEBULU, Housing

from simpul_housing.models import metadata
from simpul_platform.migrations import schema_drift
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata

pytestmark = pytest.mark.integration


async def test_a_house_is_recorded_at_its_posyandus_desa_with_its_households(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(
        posyandu,
        kks=("6402061234560001", "6402061234560002"),
        dusun="Dusun II",
        latitude=-0.42,
        longitude=116.98,
        headers=housing.kader,
    )
    assert house["desa_code"] == "64.02.06.2012"
    assert house["rtlh_pupr"] is None and house["latest_assessment_id"] is None
    assert [h["kk_masked"] for h in house["households"]] == [
        "640206********01",
        "640206********02",
    ]
    assert house["households"][0]["household_ref"] == housing.household_ref("6402061234560001")
    assert house["created_by"] == "kader-rapak"

    read = await housing.client.get(f"/v1/houses/{house['id']}", headers=housing.opd)
    assert read.json() == house
    listed = await housing.client.get(
        "/v1/houses", params={"posyandu_id": posyandu}, headers=housing.opd
    )
    assert [h["id"] for h in listed.json()] == [house["id"]]
    assert "6402061234560001" not in read.text


async def test_a_household_lives_in_one_house_at_a_time(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    first = await housing.house(posyandu)
    again = await housing.client.post(
        "/v1/houses",
        json={
            "posyandu_id": posyandu,
            "rt": "001",
            "rw": "001",
            "tenure": "kontrak_sewa",
            "land_status": "bukan_milik_sendiri",
            "occupants": 4,
            "households": [{"kk": "6402061234560001"}],
        },
        headers=housing.opd,
    )
    assert again.status_code == 409, again.text
    assert again.json()["house_id"] == first["id"]


@pytest.mark.parametrize(
    ("given", "field", "rule"),
    [
        ({"latitude": -0.42}, "body.longitude", "coordinates_pair"),
        (
            {"latitude": -0.42, "longitude": 16.98},
            "body.longitude",
            "coordinates_outside_indonesia",
        ),
        ({"latitude": 40.7, "longitude": 116.9}, "body.latitude", "coordinates_outside_indonesia"),
        (
            {"occupants": 2, "households": [{"kk": "6402061234560001", "members": 4}]},
            "body.occupants",
            "fewer_than_members",
        ),
        (
            {"households": [{"kk": "6402061234560001"}, {"kk": "6402061234560001"}]},
            "body.households[1].kk",
            "duplicate_kk",
        ),
    ],
)
async def test_implausible_houses_are_refused_naming_the_field(
    housing: Housing, given: dict[str, object], field: str, rule: str
) -> None:
    posyandu = await housing.known_posyandu()
    body = {
        "posyandu_id": posyandu,
        "rt": "001",
        "rw": "002",
        "tenure": "milik_sendiri",
        "land_status": "milik_sendiri",
        "occupants": 5,
        **given,
    }
    refused = await housing.client.post("/v1/houses", json=body, headers=housing.opd)
    assert refused.status_code == 422, refused.text
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in refused.json()["errors"]
    ]
    listed = await housing.client.get("/v1/houses", headers=housing.opd)
    assert listed.json() == []


async def test_houses_outside_the_callers_wilayah_are_not_theirs(housing: Housing) -> None:
    elsewhere = await housing.known_posyandu(SEBULU)
    refused = await housing.client.post(
        "/v1/houses",
        json={
            "posyandu_id": elsewhere,
            "rt": "001",
            "rw": "001",
            "tenure": "milik_sendiri",
            "land_status": "milik_sendiri",
            "occupants": 3,
        },
        headers=housing.kader,
    )
    assert refused.status_code == 403, refused.text
    neighbour = await housing.house(await housing.known_posyandu(MANGKURAWANG))
    hidden = await housing.client.get(f"/v1/houses/{neighbour['id']}", headers=housing.kader)
    assert hidden.status_code == 404
    assert (await housing.client.get("/v1/houses", headers=housing.kader)).json() == []
    dpmd = await housing.client.get("/v1/houses", headers=housing.dpmd)
    assert dpmd.status_code == 403


async def test_the_migrations_build_the_models(housing: Housing, postgres_url: str) -> None:
    assert await schema_drift(postgres_url, metadata, replica_metadata, referral_metadata) == []
