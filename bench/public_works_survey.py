"""A survey team's batches through the real public-works app on a real PostgreSQL and Kafka
(both started here, removed after): POST /v1/wash-survey-batches with 1,000 household water
and sanitation surveys a request, each placed on both ladders.

Three passes over the same households: the first surveys (every household new by its No. KK),
those batches sent again (a retry: every household known again by its KK, every survey
unchanged) and a re-survey a year later (every household known, a new survey its latest).
Items per second are the items answered divided by the requests' wall time, beside the target
(≥ 3,000 items/s). The posyandu replica is filled through the platform's own event handler;
the relay runs in the app's process and publishes the
``public_works.household.wash_assessed.v1`` events to the broker while the batches are sent
(``--no-broker``: relay off and no broker, the outbox rows still written in each request's
transaction).

    uv run python -m bench.public_works_survey [--quick] [--requests 20] [--no-broker]
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from bench.batch_timing import TeamSurvey
from simpul_public_works.app import create_app
from simpul_public_works.settings import PublicWorksSettings

SURVEYS = TeamSurvey(
    name="public_works_survey",
    field="public_works",
    sender="bench-dpu",
    path="/v1/wash-survey-batches",
    counted=("created", "recorded", "unchanged", "errors"),
    target=3000.0,
    noun=("household", "households"),
    settings_type=PublicWorksSettings,
    create_app=create_app,
)
GROUND = ("sumur_bor", "sumur_terlindung", "sumur_tidak_terlindung", "mata_air_terlindung")
OTHER_SOURCES = ("ledeng", "kran_umum", "air_hujan", "air_permukaan")


def survey(household: int, posyandu_id: str, on: date) -> dict[str, Any]:
    """A plausible survey of household ``household`` on ``on``, different (seeded by the date)
    from one year to the next."""
    rnd = random.Random(household * 7919 + on.year)
    water = rnd.choice(GROUND + OTHER_SOURCES)
    on_premises = rnd.random() < 0.7
    facility = rnd.choice(("sendiri", "sendiri", "bersama", "mck_umum", "tidak_ada"))
    return {
        "kk": f"6402{household:012d}",
        "posyandu_id": posyandu_id,
        "surveyed_on": on.isoformat(),
        "occupants": rnd.randint(1, 8),
        "water_source": water,
        "distance_to_waste_m": float(rnd.randint(3, 25)) if water in GROUND else None,
        "on_premises": on_premises,
        "fetch_minutes": None if on_premises else rnd.randint(5, 60),
        "available_24h": rnd.random() < 0.7,
        "litres_per_person_day": float(rnd.choice((40, 55, 60, 80, 100))),
        "quality": ["keruh"] if rnd.random() < 0.1 else [],
        "e_coli": rnd.choice(("negatif", "positif", None)),
        "toilet_facility": facility,
        "toilet_type": "tidak_ada"
        if facility == "tidak_ada"
        else rnd.choice(("leher_angsa", "leher_angsa", "cemplung_cubluk")),
        "faeces_disposal": rnd.choice(("tangki_septik", "lubang_tanah", "ipal", "tidak_tahu")),
        "septic_emptied_on": (on - timedelta(days=rnd.randint(100, 2000))).isoformat()
        if rnd.random() < 0.3
        else None,
    }


if __name__ == "__main__":
    SURVEYS.main(survey)
