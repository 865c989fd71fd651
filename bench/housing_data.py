"""The data ``bench.housing_indicators`` measures on, generated with a seed and COPY-loaded: the
demo population's Kukar posyandu (``devstack.population.generate_kukar``: real desa codes) in
the posyandu replica; houses spread over them, one household each (a tenth two), recorded over
the last three years; RTLH surveys of six houses in seven (a fifth of them surveyed twice, the
house's classification its latest survey's, as ``record_assessment`` keeps it; RTLH more common
in some desa than others); RTLH cases for one RTLH house in eight (handled this year or last,
or still open); disaster-damaged units planned for this year or last (about half completed);
relocated households of this year's and last year's programmes; and stunted children's
households (one household in sixty). ``tables`` builds the rows as the models' columns
(``bench.bulk_load`` copies them into a migrated database).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

from bench.bulk_load import Rows, Tables, field_tables, kukar_places
from bench.seeded_rows import at_nine, desa_odds, draw_day, draw_id, spread
from simpul_housing.models import metadata

NOW = datetime.now(UTC)
WHO = "bench"
SURVEY: dict[str, Any] = {
    "kind": "initial",
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
    "water_source": "sumur_terlindung",
    "water_to_faeces_m": 12.0,
    "bathroom": "sendiri",
    "toilet_type": "leher_angsa",
    "faeces_disposal": "tangki_septik",
    "electricity": "pln_meteran",
    "kawasan": "[]",
    "recorded_by": WHO,
}


def _survey(rng: random.Random, house_id: str, on: date, poor: float) -> dict[str, Any]:
    """A survey whose classification is drawn: RTLH under PUPR with the desa's odds, under
    Rutilahu (the laxer floor area) for two PUPR-RTLH houses in three."""
    pupr = rng.random() < poor
    rutilahu = pupr and rng.random() < 0.67
    occupants = rng.randint(2, 7)
    area = occupants * (rng.uniform(5.0, 8.9) if pupr else rng.uniform(9.0, 20.0))
    return {
        **SURVEY,
        "id": draw_id(rng),
        "house_id": house_id,
        "surveyed_on": on,
        "floor_area_m2": round(area, 1),
        "occupants": occupants,
        "rtlh_pupr": pupr,
        "failed_pupr": '["luas_per_orang"]' if pupr else "[]",
        "rtlh_rutilahu": rutilahu,
        "failed_rutilahu": '["luas_per_orang"]' if rutilahu else "[]",
        "recorded_at": at_nine(on),
    }


def _houses(rows: Rows, places: list[tuple[str, str]], count: int, today: date) -> None:
    rng = random.Random(64_02_105)
    poor = desa_odds(rng, places, 0.05, 0.45)  # RTLH odds per desa
    first = today.replace(year=today.year - 3)
    for n, posyandu_id, desa in spread(places, count):
        house_id, recorded = draw_id(rng), draw_day(rng, first, today)
        house: dict[str, Any] = {
            "id": house_id, "posyandu_id": posyandu_id, "desa_code": desa, "rt": "001",
            "rw": "001", "tenure": "milik_sendiri", "land_status": "milik_sendiri",
            "occupants": rng.randint(2, 7), "created_by": WHO, "created_at": at_nine(recorded),
            "updated_by": WHO, "updated_at": at_nine(recorded),
        }  # fmt: skip
        rows["house"].append(house)
        for k in range(2 if rng.random() < 0.1 else 1):
            kk = f"6402{n:08d}{k:04d}"
            rows["house_household"].append(
                {
                    "id": draw_id(rng),
                    "house_id": house_id,
                    "kk": kk,
                    "household_ref": f"ref-{kk}",
                    "recorded_by": WHO,
                    "recorded_at": at_nine(recorded),
                }
            )
        if rng.random() < 6 / 7:
            _surveys(rows, rng, house, recorded, today, poor[desa])


def _surveys(
    rows: Rows, rng: random.Random, house: dict[str, Any], recorded: date, today: date, poor: float
) -> None:
    surveys = [_survey(rng, house["id"], draw_day(rng, recorded, today), poor)]
    if rng.random() < 0.2:
        surveys.append(
            _survey(rng, house["id"], draw_day(rng, surveys[0]["surveyed_on"], today), poor)
        )
    rows["house_assessment"].extend(surveys)
    latest = max(surveys, key=lambda s: s["surveyed_on"])
    house.update(
        latest_assessment_id=latest["id"],
        assessed_on=latest["surveyed_on"],
        rtlh_pupr=latest["rtlh_pupr"],
        rtlh_rutilahu=latest["rtlh_rutilahu"],
    )
    if latest["rtlh_pupr"] and rng.random() < 1 / 8:
        handled = rng.random() < 0.6
        on = draw_day(rng, today.replace(year=today.year - 1, month=1, day=1), today)
        rows["rtlh_case"].append(
            {
                "id": draw_id(rng),
                "house_id": house["id"],
                "household_ref": f"ref-{house['id']}",
                "posyandu_id": house["posyandu_id"],
                "desa_code": house["desa_code"],
                "status": "rlh" if handled else rng.choice(("verified", "prioritised", "assigned")),
                "source": "survey",
                "reported_on": latest["surveyed_on"],
                "kawasan": "[]",
                "handled_on": on if handled else None,
                "created_by": WHO,
                "created_at": NOW,
                "updated_by": WHO,
                "updated_at": NOW,
            }
        )


def _disasters_and_relocation(rows: Rows, places: list[tuple[str, str]], today: date) -> None:
    rng = random.Random(29_2018)
    for year in (today.year - 1, today.year):
        event, programme = draw_id(rng), draw_id(rng)
        rows["disaster_event"].append(
            {
                "id": event,
                "kind": "banjir",
                "name": f"Banjir {year}",
                "wilayah_code": "64.02",
                "occurred_on": date(year, 1, 15),
                "planned_year": year,
                "source": "rest",
                "created_by": WHO,
                "created_at": NOW,
                "updated_by": WHO,
                "updated_at": NOW,
            }
        )
        rows["relocation_programme"].append(
            {
                "id": programme,
                "name": f"Relokasi {year}",
                "wilayah_code": "64.02",
                "year": year,
                "reason": "bendungan",
                "created_by": WHO,
                "created_at": NOW,
            }
        )
        for _ in range(900):
            posyandu_id, desa = rng.choice(places)
            done = draw_day(rng, date(year, 2, 1), min(today, date(year, 12, 31)))
            rows["disaster_house"].append(
                {
                    "id": draw_id(rng),
                    "event_id": event,
                    "posyandu_id": posyandu_id,
                    "desa_code": desa,
                    "status": "assessed",
                    "source": "rest",
                    "reported_on": date(year, 1, 16),
                    "damage": rng.choice(("rr", "rs", "rb")),
                    "planned_year": year,
                    "completed_on": done if rng.random() < 0.5 else None,
                    "created_by": WHO,
                    "created_at": NOW,
                    "updated_by": WHO,
                    "updated_at": NOW,
                }
            )
        for n in range(600):
            posyandu_id, desa = rng.choice(places)
            meets = rng.random() < 0.8
            done = draw_day(rng, date(year, 3, 1), min(today, date(year, 12, 31)))
            rows["relocation_household"].append(
                {
                    "id": draw_id(rng),
                    "programme_id": programme,
                    "kk": f"64029{year}{n:06d}"[:16],
                    "household_ref": f"moved-{year}-{n}",
                    "posyandu_id": posyandu_id,
                    "desa_code": desa,
                    "status": "eligible" if meets else "not_eligible",
                    "year": year,
                    "meets_criteria": meets,
                    "facilitated_on": done if meets and rng.random() < 0.6 else None,
                    "created_by": WHO,
                    "created_at": NOW,
                    "updated_by": WHO,
                    "updated_at": NOW,
                }
            )


def _stunted(rows: Rows, places: dict[str, str], today: date) -> None:
    rng = random.Random(2_2026)
    houses = {h["id"]: h for h in rows["house"]}
    for household in rows["house_household"]:
        if rng.random() < 1 / 60:
            house = houses[household["house_id"]]
            found = draw_day(rng, today.replace(year=today.year - 1), today)
            rows["stunted_household"].append(
                {
                    "household_ref": household["household_ref"],
                    "posyandu_id": house["posyandu_id"],
                    "desa_code": places[house["posyandu_id"]],
                    "first_detected_on": found,
                    "last_detected_on": found,
                    "last_event_id": draw_id(rng),
                }
            )


def tables(posyandu: int, houses: int, today: date) -> Tables:
    places = kukar_places(posyandu)
    order = ("house", "house_household", "house_assessment", "rtlh_case", "disaster_event",
             "disaster_house", "relocation_programme", "relocation_household",
             "stunted_household")  # fmt: skip
    rows: Rows = {name: [] for name in order}
    _houses(rows, places, houses, today)
    _disasters_and_relocation(rows, places, today)
    _stunted(rows, dict(places), today)
    return field_tables("housing", places, metadata, rows)
