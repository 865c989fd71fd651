"""RTLH surveys over the real PostgreSQL and Kafka: classified as recorded, the house's current
classification its latest survey's, the event carrying classifications and pseudonyms only."""

from __future__ import annotations

from typing import Any

import pytest
from housing_testkit import LIVABLE_SURVEY, MANGKURAWANG, Housing

pytestmark = pytest.mark.integration

KK = "6402061234560001"


async def survey(
    housing: Housing, house_id: str, headers: dict[str, str] | None = None, **change: Any
) -> Any:
    return await housing.client.post(
        f"/v1/houses/{house_id}/assessments",
        json={**LIVABLE_SURVEY, **change},
        headers=headers or housing.kader,
    )


async def test_a_survey_is_classified_and_announced_without_personal_data(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    house = await housing.house(posyandu, kks=(KK,), address="Jl. Mangga 3")
    recorded = await survey(
        housing, house["id"], floor_area_m2=40.0, water_to_faeces_m=9.0, kawasan=["stunting"]
    )
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["failed_pupr"] == ["jarak_sumber_air", "luas_per_orang"]
    assert body["rtlh_pupr"] is True and body["rtlh_rutilahu"] is False
    assert body["m2_per_person"] == 8.0

    read = (await housing.client.get(f"/v1/houses/{house['id']}", headers=housing.opd)).json()
    assert (read["rtlh_pupr"], read["rtlh_rutilahu"]) == (True, False)
    assert read["latest_assessment_id"] == body["id"]

    events = await housing.events(1, "housing.house.assessed.v1")
    data = events[0].data
    assert data["household_refs"] == [housing.household_ref(KK)]
    assert data["failed_pupr"] == ["jarak_sumber_air", "luas_per_orang"]
    assert data["kawasan"] == ["stunting"]
    # The water and sanitation facts travel too (public works reads them as a survey).
    wash = {k: data[k] for k in ("water_source", "water_to_faeces_m", "bathroom", "toilet_type")}
    assert wash == {
        "water_source": "sumur_terlindung",
        "water_to_faeces_m": 9.0,
        "bathroom": "sendiri",
        "toilet_type": "leher_angsa",
    }
    assert data["faeces_disposal"] == "tangki_septik"
    assert (events[0].posyandu_id, events[0].wilayah) == (posyandu, house["desa_code"])
    text = str(data)
    assert KK not in text and "Mangga" not in text and "latitude" not in text


async def test_the_latest_survey_by_date_gives_the_house_its_classification(
    housing: Housing,
) -> None:
    house = await housing.house(await housing.known_posyandu())
    newer = await survey(housing, house["id"], surveyed_on="2026-03-02", floor_area_m2=20.0)
    older = await survey(housing, house["id"], surveyed_on="2025-06-01")
    assert newer.status_code == older.status_code == 201
    read = (await housing.client.get(f"/v1/houses/{house['id']}", headers=housing.opd)).json()
    assert read["latest_assessment_id"] == newer.json()["id"]
    assert (read["rtlh_pupr"], read["rtlh_rutilahu"]) == (True, True)
    listed = await housing.client.get(f"/v1/houses/{house['id']}/assessments", headers=housing.opd)
    assert [a["id"] for a in listed.json()] == [newer.json()["id"], older.json()["id"]]
    rtlh = await housing.client.get(
        "/v1/houses", params={"rtlh_rutilahu": True}, headers=housing.opd
    )
    assert [h["id"] for h in rtlh.json()] == [house["id"]]


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"surveyed_on": "2999-01-01"}, "body.surveyed_on", "not_in_future"),
        ({"water_to_faeces_m": None}, "body.water_to_faeces_m", "distance_required"),
        ({"previous_aid_year": 2027}, "body.previous_aid_year", "after_survey"),
        ({"lantai": "marmer"}, "body.lantai", "literal_error"),
        ({"occupants": 0}, "body.occupants", "greater_than_equal"),
    ],
)
async def test_a_survey_breaking_a_rule_is_refused_and_changes_nothing(
    housing: Housing, change: dict[str, Any], field: str, rule: str
) -> None:
    house = await housing.house(await housing.known_posyandu())
    refused = await survey(housing, house["id"], **change)
    assert refused.status_code == 422, refused.text
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in refused.json()["errors"]
    ]
    listed = await housing.client.get(f"/v1/houses/{house['id']}/assessments", headers=housing.opd)
    assert listed.json() == []


async def test_a_kader_surveys_only_houses_in_their_wilayah(housing: Housing) -> None:
    house = await housing.house(await housing.known_posyandu(MANGKURAWANG))
    refused = await survey(housing, house["id"], headers=housing.kader)
    assert refused.status_code == 404
    done = await survey(housing, house["id"], headers=housing.opd)
    assert done.status_code == 201
    hidden = await housing.client.get(f"/v1/assessments/{done.json()['id']}", headers=housing.kader)
    assert hidden.status_code == 404
