"""The data ``bench.health_spm`` measures on, generated with a seed and COPY-loaded: the demo
population's Kukar posyandu (real desa codes) in the posyandu replica, and for the year up to
the last full month (``first``..``last``):

- balita (``generate_balita``) with a measurement a month and adults with their screenings
  (``bench.health_indicators``' generators), and an immunisation history for every balita
  (four in five complete, on time or a little late; the others missing a dose in four);
- deliveries of the year (a woman each, most at a facility with a midwife or a doctor), a
  newborn for every live birth with its neonatal visits (most KN1–KN3 in their windows), and
  a few ongoing pregnancies due now (the deliveries the benchmark writes);
- school-age children as education's events leave them (``school_age_children``, most with
  a birth month) and as sasaran, about two in three screened once in a school year;
- ODGJ berat cases (a tenth closed) with a service most months, TB presumptives (most
  examined) and people at risk of HIV (most tested).

``tables`` builds the rows in load order (``bench.bulk_load`` copies them); ``Sizes`` scales
them from the number of balita (Kukar: 60,000).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.sql.schema import ScalarElementColumnDefault

from bench.bulk_load import Place, Rows, Tables, kukar_places, model_tables, replica_table
from bench.health_indicators import (
    MEASUREMENT_COLUMNS,
    SCREENING_COLUMNS,
    _adults,
    _measurements,
)
from bench.seeded_rows import draw_day, draw_id, spread
from simpul_health.domain.birth import delivered_to_standard
from simpul_health.domain.immunisation import NATIONAL_SCHEDULE
from simpul_health.models import metadata
from simpul_platform.devstack.population import generate_balita, generate_school_age
from simpul_platform.wilayah import codes

NOW = datetime.now(UTC)
WHO = "bench"
WRITTEN = {"created_by": WHO, "created_at": NOW}
RECORDED = {**WRITTEN, "updated_by": WHO, "updated_at": NOW}
WITA = ZoneInfo("Asia/Makassar")
ONGOING = 400  # pregnancies due now: the deliveries the benchmark records
ATTENDED = (
    ["midwife"], ["doctor", "midwife"], ["obgyn"], ["nurse"], ["traditional_birth_attendant"],
    ["family"],
)  # fmt: skip
FACILITY_PLACES = ("puskesmas", "hospital", "clinic", "midwife_practice")
IMMUNISATION_COLUMNS = [
    "id", "target_id", "posyandu_id", "desa_code", "antigen", "dose", "given_on",
    "created_by", "created_at",
]  # fmt: skip


@dataclass(frozen=True)
class Sizes:
    """How many of each record, from the balita (the other figures scale with them)."""

    balita: int

    def of(self, kukar: int) -> int:
        return max(1, kukar * self.balita // 60_000)

    @property
    def deliveries(self) -> int:
        return self.of(12_000)

    @property
    def school_age(self) -> int:
        return self.of(60_000)

    @property
    def odgj(self) -> int:
        return self.of(800)

    @property
    def tb(self) -> int:
        return self.of(6_000)

    @property
    def hiv(self) -> int:
        return self.of(10_000)


def window(today: date) -> tuple[date, date]:
    """The data's first and last days: the current year up to the last full month."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(month=1, day=1), last


def _area(desa: str) -> dict[str, str]:
    c = codes(desa)
    return {
        "desa_code": desa,
        "kecamatan_code": c.kecamatan_code,
        "kabupaten_code": c.kabupaten_code,
    }


def _person(
    rng: random.Random, serial: int, prefix: str, sex: str, birth: date, place: Place
) -> dict[str, Any]:
    posyandu_id, desa = place
    return {
        "id": draw_id(rng), "nik": f"{prefix}{serial:015d}", "kk": None, "name": f"Warga {serial}",
        "sex": sex, "birth_date": birth, "posyandu_id": posyandu_id, **_area(desa),
        "person_ref": f"{prefix}{serial:063d}", "household_ref": None, **RECORDED,
    }  # fmt: skip


# --------------------------------------------------------------------------- balita


def _immunisations(children: list[Any], rng: random.Random, last: date) -> list[tuple[Any, ...]]:
    rows = []
    for child in children:
        t = child.target
        complete = rng.random() < 0.8
        for d in NATIONAL_SCHEDULE:
            if not complete and rng.random() < 0.25:
                continue
            given = t["birth_date"] + timedelta(
                days=d.due_age_days + rng.randint(0, 20 if complete else 75)
            )
            if given <= last:
                row = (t["id"], t["posyandu_id"], t["desa_code"], d.antigen, d.dose, given)
                rows.append((draw_id(rng), *row, WHO, NOW))
    return rows


# --------------------------------------------------------------------------- births


def _delivery(rng: random.Random) -> tuple[str, str, bool]:
    place = rng.choice(FACILITY_PLACES) if rng.random() < 0.86 else rng.choice(("home", "other"))
    attendants = rng.choice(ATTENDED)
    return place, ",".join(attendants), delivered_to_standard(place, attendants)


def _pregnancy(
    rng: random.Random, mother: dict[str, Any], delivered: date | None, due: date
) -> dict[str, Any]:
    lmp = due - timedelta(days=280)
    row = {
        "id": draw_id(rng), "target_id": mother["id"], "posyandu_id": mother["posyandu_id"],
        **_area(mother["desa_code"]), "registered_on": lmp + timedelta(days=rng.randint(40, 110)),
        "last_menstrual_period": lmp, "estimated_delivery": due, "gravida": rng.randint(1, 4),
        "status": "ongoing", "flags": "", "anc_visits": rng.choice((2, 4, 5, 6, 6, 6)), **RECORDED,
    }  # fmt: skip
    if delivered is not None:
        place, attendants, standard = _delivery(rng)
        outcome = "live_birth" if rng.random() < 0.99 else "stillbirth"
        row |= {"status": "delivered", "delivered_on": delivered, "outcome": outcome,
                "birth_weight_kg": round(rng.gauss(3.1, 0.45), 2), "delivery_place": place,
                "delivery_attendants": attendants, "delivered_to_standard": standard}  # fmt: skip
    return row


def _newborn(rng: random.Random, p: dict[str, Any], rows: Rows, today: date) -> None:
    born_at = datetime.combine(p["delivered_on"], time(rng.randint(0, 23)), WITA).astimezone(UTC)
    nb = {
        "id": draw_id(rng), "pregnancy_id": p["id"], "birth_order": 1, "target_id": None,
        "mother_target_id": p["target_id"], "posyandu_id": p["posyandu_id"],
        **_area(p["desa_code"]), "born_at": born_at, "born_on": p["delivered_on"],
        "sex": rng.choice("MF"), "birth_weight_kg": p["birth_weight_kg"], **RECORDED,
    }  # fmt: skip
    windows = ((1, 6, 48), (2, 49, 7 * 24), (3, 7 * 24 + 1, 28 * 24))
    for kn, low, high in windows:
        at = born_at + timedelta(hours=rng.randint(low, high))
        if rng.random() < 0.12 or at.date() > today:
            continue
        nb[f"kn{kn}_at"] = at
        rows["neonatal_visits"].append(
            {"id": draw_id(rng), "newborn_id": nb["id"], "visited_at": at,
             "age_hours": int((at - born_at).total_seconds() // 3600), "kn": kn,
             "weight_kg": nb["birth_weight_kg"], "findings": "", **WRITTEN}
        )  # fmt: skip
    nb["kn_complete"] = all(nb.get(f"kn{k}_at") for k in (1, 2, 3))
    rows["newborns"].append(nb)


def _births(rows: Rows, places: list[Place], sizes: Sizes, today: date) -> None:
    rng = random.Random(2_2026)
    first, last = window(today)
    for n, posyandu_id, desa in spread(places, sizes.deliveries + ONGOING):
        serial = n + 1
        birth = today - timedelta(days=rng.randint(18 * 365, 40 * 365))
        mother = _person(rng, serial, "8", "F", birth, (posyandu_id, desa))
        rows["targets"].append(mother)
        if n < sizes.deliveries:  # delivered in the year
            delivered = draw_day(rng, first, last)
            p = _pregnancy(rng, mother, delivered, delivered + timedelta(days=rng.randint(-14, 10)))
        else:  # ongoing, due in the last month: the deliveries the benchmark records
            p = _pregnancy(rng, mother, None, last)
        rows["pregnancies"].append(p)
        if p.get("outcome") == "live_birth":
            _newborn(rng, p, rows, today)


# --------------------------------------------------------------------------- school age


def _school(rows: Rows, places: list[Place], sizes: Sizes, today: date) -> None:
    rng = random.Random(5_2026)
    first, last = window(today)
    per = max(1, sizes.school_age // len(places))
    people = generate_school_age(places, per_posyandu=per, end=last, secret=WHO)
    july = date(first.year, 7, 1)
    for person in people:
        person["nik"] = "7" + person["nik"][1:]  # their own NIK block: never a balita's
        rows["targets"].append(person)
        birth = person["birth_date"]
        rows["school_age_children"].append(
            {"child_id": draw_id(rng), "person_ref": person["person_ref"],
             "posyandu_id": person["posyandu_id"], **_area(person["desa_code"]),
             "birth_year": birth.year,
             "birth_month": birth.replace(day=1) if rng.random() < 0.9 else None,
             "status": "enrolled", "as_of": NOW, "last_event_id": draw_id(rng)}
        )  # fmt: skip
        for start, end in ((first, min(last, july - timedelta(days=1))), (july, last)):
            if end < start or rng.random() > 0.36:
                continue
            on = draw_day(rng, start, end)
            age = (on - birth).days // 365
            if not 5 <= age <= 18:
                continue
            kelas = min(9, max(1, age - 5))
            full = rng.random() < 0.88
            rows["school_screenings"].append(
                {"id": draw_id(rng), "target_id": person["id"], "person_ref": person["person_ref"],
                 "posyandu_id": person["posyandu_id"], **_area(person["desa_code"]),
                 "screened_on": on, "jenjang": "sd" if kelas <= 6 else "smp", "kelas": kelas,
                 "weight_kg": 25.0, "height_cm": 125.0, "vision": "normal", "hearing": "normal",
                 "dental": "healthy" if full else None, "findings": "", "to_standard": full,
                 "follow_up": "none", **WRITTEN}
            )  # fmt: skip


# --------------------------------------------------------------------------- programmes


def _mental_health(rows: Rows, adults: list[dict[str, Any]], sizes: Sizes, today: date) -> None:
    rng = random.Random(6_2026)
    first, last = window(today)
    for person in rng.sample(adults, sizes.odgj):
        registered = draw_day(rng, first - timedelta(days=730), last)
        closed = draw_day(rng, max(registered, first), last) if rng.random() < 0.1 else None
        case = {
            "id": draw_id(rng), "target_id": person["id"], "posyandu_id": person["posyandu_id"],
            **_area(person["desa_code"]), "diagnosis": "F20.0", "registered_on": registered,
            "restrained": rng.random() < 0.05, "status": "recovered" if closed else "active",
            "closed_on": closed, **RECORDED,
        }  # fmt: skip
        rows["mental_health_cases"].append(case)
        month = first
        while month <= last:
            day = month.replace(day=rng.randint(1, 28))
            if registered <= day <= (closed or last) and rng.random() < 0.8:
                standard = rng.random() < 0.85
                rows["mental_health_services"].append(
                    {"id": draw_id(rng), "case_id": case["id"], "posyandu_id": case["posyandu_id"],
                     "served_on": day, "mental_status_exam": True, "adherence_education": standard,
                     "medication_given": True, "to_standard": standard, **WRITTEN}
                )  # fmt: skip
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _tb_hiv(rows: Rows, adults: list[dict[str, Any]], sizes: Sizes, today: date) -> None:
    rng = random.Random(7_2026)
    first, last = window(today)
    for person in rng.choices(adults, k=sizes.tb):
        found = draw_day(rng, first, last)
        examined = found + timedelta(days=rng.randint(0, 14)) if rng.random() < 0.85 else None
        examined = examined if examined and examined <= today else None
        rows["tb_presumptives"].append(
            {"id": draw_id(rng), "target_id": person["id"], "posyandu_id": person["posyandu_id"],
             **_area(person["desa_code"]), "identified_on": found, "symptoms": "cough_2_weeks",
             "household_contact": rng.random() < 0.2, "examined_on": examined,
             "examination": "tcm" if examined else None,
             "result": "negative" if examined else None,
             "examined_to_standard": examined is not None, **RECORDED}
        )  # fmt: skip
    for person in rng.choices(adults, k=sizes.hiv):
        found = draw_day(rng, first, last)
        tested = found + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.8 else None
        tested = tested if tested and tested <= today else None
        rows["hiv_risk_people"].append(
            {"id": draw_id(rng), "target_id": person["id"], "posyandu_id": person["posyandu_id"],
             **_area(person["desa_code"]),
             "risk_group": rng.choice(("pregnant", "tb_patient", "sti_patient")),
             "identified_on": found, "tested_on": tested, "test": "rapid" if tested else None,
             "result": "non_reactive" if tested else None,
             "tested_to_standard": tested is not None, **RECORDED}
        )  # fmt: skip


# --------------------------------------------------------------------------- all


def _with_defaults(rows: Rows) -> Rows:
    """Each row with its model's column defaults where it leaves a column out (COPY would
    put NULL there)."""
    out: Rows = {}
    for name, table_rows in rows.items():
        columns = metadata.tables[name].columns
        defaults = {
            c.name: c.default.arg
            for c in columns
            if isinstance(c.default, ScalarElementColumnDefault)
        }
        out[name] = [{**defaults, **row} for row in table_rows]
    return out


def tables(posyandu: int, balita: int, today: date, adults_per_posyandu: int = 100) -> Tables:
    """Every table's rows, in load order (targets before what refers to them)."""
    places = kukar_places(posyandu)
    sizes = Sizes(balita)
    first, last = window(today)
    rng = random.Random(7)
    children = generate_balita(
        places, per_posyandu=max(1, balita // len(places)), end=last, secret=WHO
    )
    adults, screenings = _adults(
        places, adults_per_posyandu, rng, year=first.year, months=last.month
    )
    names = ("targets", "pregnancies", "newborns", "neonatal_visits", "school_age_children",
             "school_screenings", "mental_health_cases", "mental_health_services",
             "tb_presumptives", "hiv_risk_people")  # fmt: skip
    rows: Rows = {name: [] for name in names}
    rows["targets"] = [c.target for c in children] + adults
    _births(rows, places, sizes, today)
    _school(rows, places, sizes, today)
    _mental_health(rows, adults, sizes, today)
    _tb_hiv(rows, adults, sizes, today)
    out = model_tables(metadata, _with_defaults(rows))
    measurements = _measurements(children, rng, year=first.year, months=last.month)
    return {
        "posyandu_replica": replica_table(places, "health", NOW),
        "targets": out.pop("targets"),
        "measurements": (MEASUREMENT_COLUMNS, measurements),
        "screenings": (SCREENING_COLUMNS, screenings),
        "immunisations": (IMMUNISATION_COLUMNS, _immunisations(children, rng, last)),
        **out,
    }
