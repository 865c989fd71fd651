"""The people of the demo posyandu: balita born within five years (their growth set by a
height-for-age and a weight-for-height z-score: about 15 % stunted, as Kukar reports), older
children and youth up to 18, and adults (usia produktif and lansia) with their screenings and,
for some women, a pregnancy.

Each is one person's record as a field's register keeps it (id, NIK, No. KK, name, sex, birth
date, posyandu and wilayah, the ``person_ref`` and ``household_ref`` pseudonyms, attribution).
Every service that generates for the same posyandu list, seed, day and pseudonym secret gets
the same people: that is how health's balita are social's households' children.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from simpul_platform.devstack.population.identity import nik, no_kk
from simpul_platform.devstack.population.size import DemoSize
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.wilayah import codes

HAZ_MEAN, HAZ_SD = -0.9, 1.1  # P(HAZ < −2) ≈ 16%: Kukar reports 14.9% stunting


@dataclass(frozen=True)
class DemoChild:
    target: dict[str, Any]
    haz: float
    whz: float


@dataclass(frozen=True)
class DemoAdult:
    """A posyandu's adult sasaran: screenings to record and, for some women, a pregnancy
    (HPHT, the ANC visits K1… made by ``end``, and the delivery if it is due by then)."""

    target: dict[str, Any]
    screenings: list[dict[str, Any]]
    pregnancy: dict[str, Any] | None


def generate_balita(
    posyandu: list[tuple[str, str]],
    *,
    seed: int = 2025,
    per_posyandu: int = 20,
    end: date | None = None,
    secret: str = "demo",
) -> list[DemoChild]:
    """``per_posyandu`` balita for each (posyandu_id, desa_code), born within 5 years of end."""
    rng = random.Random(seed)
    last = end or date.today()
    children = []
    for serial, pid, desa in _slots(posyandu, per_posyandu):
        sex = rng.choice("MF")
        birth = last - timedelta(days=rng.randint(380, 1790))
        nik_ = nik(desa, birth, woman=sex == "F", serial=serial)
        kk = no_kk(desa, "0101", serial)
        children.append(
            DemoChild(
                _person_row(rng, f"Balita {serial}", sex, birth, pid, desa, nik_, kk, secret),
                rng.gauss(HAZ_MEAN, HAZ_SD),
                rng.gauss(-0.2, 0.9),
            )
        )
    return children


def generate_adults(
    posyandu: list[tuple[str, str]],
    *,
    seed: int = 2026,
    per_posyandu: int = 8,
    end: date | None = None,
    secret: str = "demo",
) -> list[DemoAdult]:
    """``per_posyandu`` adults for each (posyandu_id, desa_code): about three quarters of usia
    produktif (15–59) and a quarter of lansia; most screened in the last 12 months, some
    hypertensive or diabetic (Riskesdas-like shares), and a pregnancy for one woman of
    childbearing age in three. Deterministic and pure, like ``generate_balita``."""
    rng = random.Random(seed)
    last = end or date.today()
    adults = []
    for serial, pid, desa in _slots(posyandu, per_posyandu):
        sex = rng.choice("MF")
        age = rng.randint(15, 59) if rng.random() < 0.75 else rng.randint(60, 80)
        birth = last - timedelta(days=age * 365 + rng.randint(0, 364))
        nik_ = nik(desa, birth, woman=sex == "F", serial=serial)
        kk = no_kk(desa, "0202", serial)
        target = _person_row(rng, f"Warga {serial}", sex, birth, pid, desa, nik_, kk, secret)
        pregnant = sex == "F" and 18 <= age <= 40 and rng.random() < 1 / 3
        adults.append(
            DemoAdult(target, _screenings(rng, last), _pregnancy(rng, last) if pregnant else None)
        )
    return adults


# Older children are born from just past the balita's oldest (1,790 days) to just under 19
# years before the day: the 5–18-year-olds the education field knows besides the balita.
SCHOOL_AGE_DAYS = (1800, 6930)
# The demo's school-age children: education registers them, social assesses their households.
SCHOOL_AGE_SEED = 2027


def generate_school_age(
    posyandu: list[tuple[str, str]],
    *,
    seed: int = SCHOOL_AGE_SEED,
    per_posyandu: int = 12,
    end: date | None = None,
    secret: str = "demo",
) -> list[dict[str, Any]]:
    """``per_posyandu`` children and youth aged 5–18 for each (posyandu_id, desa_code), as
    person rows. Their own seed and KK block (0303): the balita and adults other services
    generate stay exactly as they were."""
    rng = random.Random(seed)
    last = end or date.today()
    people = []
    for serial, pid, desa in _slots(posyandu, per_posyandu):
        sex = rng.choice("MF")
        birth = last - timedelta(days=rng.randint(*SCHOOL_AGE_DAYS))
        nik_ = nik(desa, birth, woman=sex == "F", serial=serial)
        kk = no_kk(desa, "0303", serial)
        people.append(_person_row(rng, f"Anak {serial}", sex, birth, pid, desa, nik_, kk, secret))
    return people


def demo_school_age(
    posyandu: list[tuple[str, str]], size: DemoSize, *, secret: str, end: date | None = None
) -> list[dict[str, Any]]:
    """The linked demo's children and youth 5–18 at ``size``, for (posyandu_id, desa_code) of
    every Kukar posyandu in the replica, active or not, in id order (``kukar_posyandu``):
    education's children and, in social, their households. Both demos call this, so they hold
    the same people (the same NIK, No. KK and ``household_ref``)."""
    return generate_school_age(
        posyandu,
        seed=SCHOOL_AGE_SEED,
        per_posyandu=size.school_age_per_posyandu,
        end=end,
        secret=secret,
    )


def month_ends(months: int, end: date) -> list[date]:
    """The last days of the ``months`` whole months before ``end``'s, oldest first."""
    out, cursor = [], end.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        out.append(cursor)
        cursor = cursor.replace(day=1) - timedelta(days=1)
    return list(reversed(out))


def _slots(posyandu: list[tuple[str, str]], per_posyandu: int) -> Iterator[tuple[int, str, str]]:
    """(serial from 1, posyandu id, desa code): ``per_posyandu`` places at each posyandu."""
    places = [(pid, desa) for pid, desa in posyandu for _ in range(per_posyandu)]
    for serial, (pid, desa) in enumerate(places, start=1):
        yield serial, pid, desa


def _person_row(
    rng: random.Random,
    name: str,
    sex: str,
    birth: date,
    pid: str,
    desa: str,
    nik_: str,
    kk: str,
    secret: str,
) -> dict[str, Any]:
    wilayah, now = codes(desa), datetime.now(UTC)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "nik": nik_,
        "kk": kk,
        "name": name,
        "sex": sex,
        "birth_date": birth,
        "posyandu_id": pid,
        "desa_code": desa,
        "kecamatan_code": wilayah.kecamatan_code,
        "kabupaten_code": wilayah.kabupaten_code,
        "person_ref": person_ref(secret, nik_),
        "household_ref": household_ref(secret, kk),
        "created_by": "demo",
        "created_at": now,
        "updated_by": "demo",
        "updated_at": now,
    }


def _screenings(rng: random.Random, end: date) -> list[dict[str, Any]]:
    """0–3 screenings in the 12 months before ``end`` (one in five adults none); about 30 %
    hypertensive and 10 % diabetic readings."""
    count = 0 if rng.random() < 0.2 else rng.randint(1, 3)
    days = sorted(end - timedelta(days=rng.randint(1, 360)) for _ in range(count))
    hypertensive, diabetic = rng.random() < 0.3, rng.random() < 0.1
    out = []
    for day in days:
        systolic = rng.randint(140, 175) if hypertensive else rng.randint(105, 135)
        out.append(
            {
                "screened_on": day,
                "systolic": systolic,
                "diastolic": systolic - rng.randint(40, 55),
                "glucose_mg_dl": float(rng.randint(200, 320) if diabetic else rng.randint(80, 160)),
                "glucose_kind": "random",
            }
        )
    return out


def _pregnancy(rng: random.Random, end: date) -> dict[str, Any]:
    """HPHT 4–13 months before ``end``; ANC visits every ~6 weeks from registration (some
    missed), and the delivery at 38–41 weeks if that is before ``end``."""
    lmp = end - timedelta(days=rng.randint(120, 400))
    registered = lmp + timedelta(days=rng.randint(40, 90))
    delivered = lmp + timedelta(days=rng.randint(266, 287))
    visits: list[date] = []
    day = registered
    while day < min(end, delivered) and len(visits) < 6:
        if rng.random() < 0.9:
            visits.append(day)
        day += timedelta(days=rng.randint(30, 42))
    return {
        "lmp": lmp,
        "registered_on": registered,
        "visits": visits,
        "delivered_on": delivered if delivered <= end else None,
        "gravida": rng.randint(1, 4),
    }
