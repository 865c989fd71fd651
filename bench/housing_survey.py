"""A survey team's batches through the real housing app on a real PostgreSQL and Kafka (both
started here, removed after): POST /v1/survey-batches with 1,000 house surveys a request,
each classified under Permen PUPR 29/2018 and Permensos 20/2017.

Three passes over the same houses: the first surveys (every house new: the house, its
household by No. KK and its survey), those batches sent again (a retry: every house known
again by its KK, every survey unchanged) and a re-survey a year later (every house by its id,
most surveys changed). Items per second are the items answered divided by the requests' wall
time, beside the target (≥ 2,000 items/s). The posyandu replica is filled through the
platform's own event handler; the relay runs in the app's process and publishes the
``housing.house.assessed.v1`` events to the broker while the batches are sent (``--no-broker``:
relay off and no broker, the outbox rows still written in each request's transaction).

    uv run python -m bench.housing_survey [--quick] [--requests 20] [--no-broker]
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from bench.batch_timing import ITEMS, Pass, TeamSurvey
from simpul_housing.app import create_app
from simpul_housing.settings import HousingSettings

SURVEYS = TeamSurvey(
    name="housing_survey",
    field="housing",
    sender="bench-perkim",
    path="/v1/survey-batches",
    counted=("created", "assessed", "unchanged", "errors"),
    target=2000.0,
    noun=("house", "houses"),
    settings_type=HousingSettings,
    create_app=create_app,
)
GROUND = ("sumur_bor", "sumur_terlindung", "sumur_tidak_terlindung", "mata_air_terlindung")
OTHER_SOURCES = ("perpipaan", "kemasan", "air_hujan")


def survey(house: int, on: date) -> dict[str, Any]:
    """A plausible survey of house ``house`` on ``on``: about half RTLH under each rule set,
    different (seeded by the date) from one year to the next."""
    rnd = random.Random(house * 7919 + on.year)
    water = rnd.choice(GROUND + OTHER_SOURCES)
    bathroom = rnd.choice(("sendiri", "sendiri", "bersama", "tidak_ada"))
    return {
        "kind": "initial",
        "surveyed_on": on.isoformat(),
        "pondasi": rnd.choice(("batu_belah", "bata", "batako", "tidak_ada")),
        "kolom": rnd.choice(("beton", "kayu", "kayu", "bambu")),
        "balok": rnd.choice(("beton", "kayu", "kayu")),
        "rangka_atap": rnd.choice(("baja_ringan", "kayu", "bambu")),
        "plafon": rnd.choice(("gypsum", "triplek", "tidak_ada")),
        "sloof": rnd.random() < 0.6,
        "atap": rnd.choice(("genteng", "seng", "seng", "asbes", "rumbia")),
        "atap_condition": rnd.choice(("layak", "menuju_layak", "agak_layak", "kurang_layak")),
        "dinding": rnd.choice(("tembok", "kayu", "kayu", "bambu")),
        "dinding_condition": rnd.choice(("layak", "agak_layak", "kurang_layak")),
        "lantai": rnd.choice(("keramik", "plester", "kayu", "tanah")),
        "lantai_condition": rnd.choice(("layak", "agak_layak", "tidak_layak")),
        "jendela": rnd.random() < 0.8,
        "ventilasi": rnd.random() < 0.7,
        "floor_area_m2": float(rnd.choice((21, 28, 36, 45, 54, 72))),
        "occupants": rnd.randint(2, 7),
        "water_source": water,
        "water_to_faeces_m": float(rnd.randint(3, 20)) if water in GROUND else None,
        "bathroom": bathroom,
        "toilet_type": "tidak_ada"
        if bathroom == "tidak_ada"
        else rnd.choice(("leher_angsa", "leher_angsa", "cemplung_cubluk")),
        "faeces_disposal": rnd.choice(
            ("tangki_septik", "lubang_tanah", "kolam_sawah_sungai_danau_laut")
        ),
        "electricity": rnd.choice(("pln_meteran", "pln_tanpa_meteran", "non_pln")),
        "kawasan": ["stunting"] if rnd.random() < 0.2 else [],
    }


def new_house(house: int, posyandu_id: str, on: date) -> dict[str, Any]:
    return {
        "house": {
            "posyandu_id": posyandu_id,
            "rt": f"{house % 12 + 1:03d}",
            "rw": f"{house % 4 + 1:03d}",
            "tenure": "milik_sendiri",
            "land_status": "milik_sendiri",
            "occupants": 4,
            "households": [{"kk": f"6402{house:012d}", "head_name": f"KK {house}"}],
        },
        "survey": survey(house, on),
    }


def resurvey(created: Pass, on: date) -> list[dict[str, Any]]:
    """Every house of the first pass surveyed again on ``on``, by the id it was answered with."""
    return [
        {
            "items": [
                {"house_id": r["house_id"], "survey": survey(n * ITEMS + i, on)}
                for i, r in enumerate(answer["results"])
            ]
        }
        for n, answer in enumerate(created.answers)
    ]


if __name__ == "__main__":
    SURVEYS.main(new_house, resurvey)
