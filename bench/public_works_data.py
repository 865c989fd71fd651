"""The data ``bench.public_works_indicators`` measures on, generated with a seed and COPY-loaded:
the demo population's Kukar posyandu (``devstack.population.generate_kukar``: real desa codes)
in the posyandu replica; households spread over them, each surveyed once over the last three
years and a fifth of them again later (the household's copy its latest survey's, as
``record_survey`` keeps it), the ladder levels derived by the service's own ``ladder`` (worse
water and sanitation more common in some desa than others); households known from other fields
(one in nine not surveyed here, and a tenth of the surveyed ones known there too); and
infrastructure issues in every state (a twentieth of them duplicates). ``tables`` builds the
rows as the models' columns (``bench.bulk_load`` copies them into a migrated database).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.bulk_load import Rows, Tables, field_tables, kukar_places
from bench.seeded_rows import at_nine, desa_odds, draw_day, draw_id, spread
from simpul_public_works.domain.ladder import Survey, Thresholds, ladder
from simpul_public_works.models import metadata

NOW = datetime.now(UTC)
WHO = "bench"
RULES = Thresholds()
GOOD = ("ledeng", "sumur_bor", "sumur_terlindung", "air_hujan", "kran_umum")
BAD = ("sumur_tidak_terlindung", "mata_air_tidak_terlindung", "air_permukaan")
GROUND = ("sumur_bor", "sumur_terlindung", "sumur_tidak_terlindung", "mata_air_tidak_terlindung")
KINDS = ("jalan_desa", "drainase", "jembatan", "spam_air", "sanitasi_mck", "sumur", "embung")


def _survey(rng: random.Random, household_id: str, on: date, poor: float) -> dict[str, Any]:
    bad = rng.random() < poor
    source = rng.choice(BAD if bad else GOOD)
    facility = rng.choice(("tidak_ada", "sendiri", "bersama") if bad else ("sendiri", "sendiri"))
    toilet = "tidak_ada" if facility == "tidak_ada" else rng.choice(
        ("leher_angsa", "cemplung_cubluk") if bad else ("leher_angsa",)
    )  # fmt: skip
    fields: dict[str, Any] = {
        "water_source": source,
        "washing_source": None,
        "distance_to_waste_m": float(rng.randint(3, 25)) if source in GROUND else None,
        "on_premises": not bad,
        "fetch_minutes": None if not bad else rng.randint(5, 60),
        "available_24h": rng.random() < 0.7,
        "litres_per_person_day": float(rng.choice((40, 55, 60, 80, 100))),
        "quality": ["keruh"] if bad and rng.random() < 0.3 else [],
        "e_coli": rng.choice(("negatif", None)),
        "toilet_facility": facility,
        "toilet_type": toilet,
        "faeces_disposal": rng.choice(("tangki_septik", "lubang_tanah", "ipal"))
        if not bad
        else "kolam_sawah_sungai_danau_laut",
        "septic_emptied_on": on - timedelta(days=rng.randint(100, 3000))
        if rng.random() < 0.3
        else None,
        "surveyed_on": on,
    }
    found = ladder(Survey(**fields), RULES)
    return {
        **fields,
        "id": draw_id(rng),
        "household_id": household_id,
        "source": "kader",
        "source_ref": None,
        "occupants": rng.randint(1, 8),
        "quality": json.dumps(fields["quality"]),
        "water_level": found.water,
        "water_rule": found.water_rule,
        "sanitation_level": found.sanitation,
        "sanitation_rule": found.sanitation_rule,
        "basic_water": found.basic_water,
        "basic_water_failed": json.dumps(found.basic_water_rules),
        "wastewater_service": found.wastewater_service,
        "recorded_by": WHO,
        "recorded_at": at_nine(on),
    }


def _households(rows: Rows, places: list[tuple[str, str]], count: int, today: date) -> None:
    rng = random.Random(64_02_106)
    poor = desa_odds(rng, places, 0.05, 0.5)  # worse water and sanitation odds per desa
    first = today.replace(year=today.year - 3)
    for n, posyandu_id, desa in spread(places, count):
        household_id, kk = draw_id(rng), f"6402{n:012d}"
        surveys = [_survey(rng, household_id, draw_day(rng, first, today), poor[desa])]
        if rng.random() < 0.2:
            later = draw_day(rng, surveys[0]["surveyed_on"], today)
            surveys.append(_survey(rng, household_id, later, poor[desa]))
        latest = max(surveys, key=lambda s: s["surveyed_on"])
        created = min(s["surveyed_on"] for s in surveys)
        rows["household"].append(
            {
                "id": household_id, "kk": kk, "household_ref": f"ref-{kk}",
                "posyandu_id": posyandu_id, "desa_code": desa,
                "latest_survey_id": latest["id"], "surveyed_on": latest["surveyed_on"],
                **{k: latest[k] for k in ("occupants", "water_level", "sanitation_level",
                                          "basic_water", "wastewater_service")},
                "created_by": WHO, "created_at": at_nine(created), "updated_by": WHO,
                "updated_at": at_nine(latest["surveyed_on"]),
            }
        )  # fmt: skip
        rows["wash_survey"].extend(surveys)
        if rng.random() < 0.1:
            _known(rows, f"ref-{kk}", posyandu_id, desa, draw_day(rng, first, today))
        if rng.random() < 1 / 8:  # a household another field knows and no kader surveyed
            _known(rows, f"other-{n}", posyandu_id, desa, draw_day(rng, first, today))


def _known(rows: Rows, ref: str, posyandu_id: str, desa: str, on: date) -> None:
    rows["known_household"].append(
        {"household_ref": ref, "posyandu_id": posyandu_id, "desa_code": desa, "source": "health",
         "known_on": on, "last_event_id": ref}
    )  # fmt: skip


def _issues(rows: Rows, places: list[tuple[str, str]], count: int, today: date) -> None:
    rng = random.Random(29_2018_1)
    first = today.replace(year=today.year - 2)
    for n in range(count):
        posyandu_id, desa = rng.choice(places)
        reported = draw_day(rng, first, today)
        steps: dict[str, Any] = {}
        stage = rng.choice(("reported", "triaged", "forwarded", "scheduled", "done", "declined"))
        on = reported
        for step, column in (("triaged", "triaged_on"), ("forwarded", "forwarded_on"),
                             ("scheduled", "scheduled_on"), ("done", "done_on")):  # fmt: skip
            if stage == "declined" or stage == "reported":
                break
            on = draw_day(rng, on, min(today, on + timedelta(days=90)))
            steps[column] = on
            if step == "scheduled":
                steps["budget_year"] = on.year + rng.choice((0, 1))
                steps["funding_source"] = "apbd"
            if step == stage:
                break
        if stage == "declined":
            declined = draw_day(rng, reported, today)
            steps |= {"declined_on": declined, "decline_reason": "bukan_prioritas"}
        duplicate = rows["infrastructure_issue"][-1]["id"] if n and rng.random() < 0.05 else None
        rows["infrastructure_issue"].append(
            {
                "id": draw_id(rng), "posyandu_id": posyandu_id, "desa_code": desa,
                "kind": rng.choice(KINDS), "severity": rng.choice(("ringan", "sedang", "berat")),
                "status": stage, "latitude": -0.4, "longitude": 117.0, "source": "kader",
                "reported_on": reported, "duplicate_of": duplicate, **steps,
                "created_by": WHO, "created_at": NOW, "updated_by": WHO, "updated_at": NOW,
            }
        )  # fmt: skip


def tables(posyandu: int, households: int, issues: int, today: date) -> Tables:
    places = kukar_places(posyandu)
    rows: Rows = {
        name: [] for name in ("household", "wash_survey", "known_household", "infrastructure_issue")
    }
    _households(rows, places, households, today)
    _issues(rows, places, issues, today)
    return field_tables("public_works", places, metadata, rows)
