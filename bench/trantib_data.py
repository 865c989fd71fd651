"""The data ``bench.trantib_indicators`` measures on, generated with a seed and COPY-loaded: the
demo population's Kukar posyandu (real desa codes) in the posyandu replica; a point for every
desa, most within a WMK; a year of incidents up to today over the posyandu, half fires (each
reported at a local hour of the day, arriving 5 to 25 minutes later or not yet, inside a WMK
as its desa mostly is) and half public-order reports (most closed some days later, with their
affected citizens and those served); disasters of the year over a kecamatan's desa or the
whole kecamatan; hazard zones in a third of the desa and the year's risk outreach there.
``tables`` builds the rows as the models' columns (``bench.bulk_load`` copies them).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.bulk_load import Place, Rows, Tables, field_tables, kukar_places
from bench.seeded_rows import at_nine, desa_odds, draw_day, draw_id, spread
from simpul_trantib.models import metadata

NOW = datetime.now(UTC)
WHO = "bench"
RECORDED = {"created_by": WHO, "created_at": NOW, "updated_by": WHO, "updated_at": NOW}
WITA = ZoneInfo("Asia/Makassar")
HAZARDS = ("banjir", "tanah_longsor", "karhutla", "angin_puting_beliung")
VICTIMS = {
    f"{kind}_{hurt}": 0 for kind in ("direct", "affected") for hurt in ("injured", "dead", "trauma")
}


def _points(rows: Rows, rng: random.Random, desa: list[str]) -> dict[str, bool]:
    inside = {code: rng.random() < 0.7 for code in desa}
    for code in desa:
        rows["desa_point"].append(
            {"desa_code": code, "latitude": -0.4, "longitude": 117.0, "inside_wmk": inside[code],
             "distance_km": rng.uniform(0.5, 7.4) if inside[code] else rng.uniform(7.6, 40),
             "updated_by": WHO, "updated_at": NOW}
        )  # fmt: skip
    return inside


def _fire(rng: random.Random, n: int, place: Place, day: date, inside: bool) -> dict[str, Any]:
    posyandu_id, desa = place
    at = datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59)), WITA).astimezone(UTC)
    seconds = None if rng.random() < 0.1 else rng.randint(300, 1500)
    arrived = at + timedelta(seconds=seconds) if seconds is not None else None
    return {
        "id": draw_id(rng), "posyandu_id": posyandu_id, "desa_code": desa,
        "place": f"tempat {n}", "latitude": -0.4, "longitude": 117.0,
        "status": "extinguished" if arrived else "reported", "report_received_at": at,
        "dispatched_at": at + timedelta(seconds=60) if arrived else None, "arrived_at": arrived,
        "inside_wmk": inside if rng.random() < 0.9 else not inside, "response_seconds": seconds,
        "response_met": None if seconds is None else seconds <= 900,
        "object_kind": rng.choice(("rumah", "lahan", "kendaraan", "toko")), **VICTIMS,
        **RECORDED,
    }  # fmt: skip


def _report(rng: random.Random, n: int, place: Place, day: date, today: date) -> dict[str, Any]:
    posyandu_id, desa = place
    closed = draw_day(rng, day, min(today, day + timedelta(days=30)))
    is_closed = rng.random() < 0.7
    affected = rng.randint(1, 30)
    return {
        "id": draw_id(rng), "posyandu_id": posyandu_id, "desa_code": desa,
        "category": rng.choice(("keributan", "pkl", "miras", "bangunan_liar")),
        "place": f"tempat {n}", "occurred_at": at_nine(day), "reported_on": day,
        "source": rng.choice(("kader", "linmas", "warga")),
        "status": "closed" if is_closed else "verified", "closed_on": closed if is_closed else None,
        "affected_citizens": affected if is_closed else None,
        "citizens_served": rng.randint(0, affected) if is_closed else None, **RECORDED,
    }  # fmt: skip


def _incidents(rows: Rows, places: list[Place], count: int, today: date) -> None:
    rng = random.Random(114_2018)
    inside = _points(rows, rng, sorted({desa for _, desa in places}))
    first = today - timedelta(days=364)
    for n, posyandu_id, desa in spread(places, count):
        day, place = draw_day(rng, first, today), (posyandu_id, desa)
        if n % 2:
            rows["fire_incident"].append(_fire(rng, n, place, day, inside[desa]))
        else:
            rows["order_report"].append(_report(rng, n, place, day, today))


def _disasters(rows: Rows, places: list[Place], today: date) -> None:
    rng = random.Random(101_2018)
    kecamatan = sorted({desa[:8] for _, desa in places})
    first = today - timedelta(days=364)
    for _ in range(40):
        where = rng.choice(kecamatan)
        desa = sorted({d for _, d in places if d.startswith(where)})
        listed = rng.sample(desa, min(len(desa), rng.randint(1, 3))) if rng.random() < 0.7 else []
        needing = rng.randint(0, 400)
        rows["disaster"].append(
            {"id": draw_id(rng), "kind": rng.choice(HAZARDS), "name": "bencana",
             "occurred_on": draw_day(rng, first, today), "wilayah_code": where,
             "affected_desa": json.dumps(listed), "status": "assessed",
             "needing_evacuation": needing, "evacuated": rng.randint(0, needing),
             "facilities": json.dumps({}), **{k: 0 for k in ("dead", "missing", "injured",
             "displaced", "affected", "houses_rr", "houses_rs", "houses_rb")}, **RECORDED}
        )  # fmt: skip


def _zones(rows: Rows, places: list[Place], today: date) -> None:
    rng = random.Random(3_2026)
    odds = desa_odds(rng, places, 0.0, 0.7)
    by_desa = {desa: posyandu_id for posyandu_id, desa in places}
    first = today - timedelta(days=364)
    for desa, posyandu_id in sorted(by_desa.items()):
        if rng.random() > odds[desa]:
            continue
        for hazard in rng.sample(HAZARDS, rng.randint(1, 2)):
            population = rng.randint(300, 3000)
            for year in {first.year, today.year}:
                rows["hazard_zone"].append(
                    {"id": draw_id(rng), "desa_code": desa, "hazard": hazard,
                     "population": population, "year": year, **RECORDED}
                )  # fmt: skip
            for _ in range(rng.randint(1, 12)):
                rows["risk_outreach"].append(
                    {"id": draw_id(rng), "posyandu_id": posyandu_id, "desa_code": desa,
                     "hazard": hazard, "held_on": draw_day(rng, first, today),
                     "method": "sosialisasi", "people_reached": rng.randint(20, 400),
                     "created_by": WHO, "created_at": NOW}
                )  # fmt: skip


def tables(posyandu: int, incidents: int, today: date) -> Tables:
    places = kukar_places(posyandu)
    names = ("desa_point", "fire_incident", "order_report", "disaster", "hazard_zone",
             "risk_outreach")  # fmt: skip
    rows: Rows = {name: [] for name in names}
    _incidents(rows, places, incidents, today)
    _disasters(rows, places, today)
    _zones(rows, places, today)
    return field_tables("trantib", places, metadata, rows)
