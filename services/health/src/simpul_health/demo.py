"""Synthetic sasaran for the Kukar demo posyandu: balita with 12 months of measurements
(~15% stunted), and adults with screenings and pregnancies with ANC visits.

``generate_balita(posyandu, seed)`` is deterministic and pure (benchmarks reuse it). The
posyandu come from this service's own replica (filled from the registry's events, i.e. the
registry's own demo posyandu), so ids match whatever the registry issued.
``load_demo`` writes through the service layer (``simpul_health.ops``): the measurements in a
unit of work (validation, z-scores, episodes, outbox events), one transaction per posyandu,
then the screenings and pregnancies, one transaction per record as a kader's would be.

    python -m simpul_health.demo            # reads HEALTH_* / SIMPUL_* like the service
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from simpul_health.domain.zscores import value_at_z
from simpul_health.models import Target
from simpul_health.ops import pregnancy, screening, targets
from simpul_health.ops.measurement_batch import record_measurements
from simpul_health.schemas.measurements import MeasurementIn
from simpul_health.schemas.pregnancy import AncVisitIn, DeliveryIn, PregnancyIn
from simpul_health.schemas.screening import ScreeningIn
from simpul_health.settings import HealthSettings
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.migrations import upgrade
from simpul_platform.outbox import Outbox
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.replica import INACTIVE, posyandu_replica, wait_until_settled
from simpul_platform.uow import UnitOfWork

logger = logging.getLogger("simpul.health.demo")
KUKAR = "64.02"
HAZ_MEAN, HAZ_SD = -0.9, 1.1  # P(HAZ < −2) ≈ 16%: Kukar reports 14.9% stunting


@dataclass(frozen=True)
class DemoChild:
    target: dict[str, Any]
    haz: float
    whz: float


def _nik(desa_code: str, birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    region = desa_code[:8].replace(".", "")
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


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
    for serial, (pid, desa) in enumerate(
        [(p, d) for p, d in posyandu for _ in range(per_posyandu)], start=1
    ):
        sex = rng.choice("MF")
        birth = last - timedelta(days=rng.randint(380, 1790))
        nik = _nik(desa, birth, sex, serial % 9999 + 1)
        kk = f"{desa[:8].replace('.', '')}0101{serial:06d}"
        children.append(
            DemoChild(
                _target_row(rng, f"Balita {serial}", sex, birth, pid, desa, nik, kk, secret),
                rng.gauss(HAZ_MEAN, HAZ_SD),
                rng.gauss(-0.2, 0.9),
            )
        )
    return children


@dataclass(frozen=True)
class DemoAdult:
    """A posyandu's adult sasaran: screenings to record and, for some women, a pregnancy
    (HPHT, the ANC visits K1… made by ``end``, and the delivery if it is due by then)."""

    target: dict[str, Any]
    screenings: list[dict[str, Any]]
    pregnancy: dict[str, Any] | None


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
    for serial, (pid, desa) in enumerate(
        [(p, d) for p, d in posyandu for _ in range(per_posyandu)], start=1
    ):
        sex = rng.choice("MF")
        age = rng.randint(15, 59) if rng.random() < 0.75 else rng.randint(60, 80)
        birth = last - timedelta(days=age * 365 + rng.randint(0, 364))
        nik = _nik(desa, birth, sex, serial % 9999 + 1)
        kk = f"{desa[:8].replace('.', '')}0202{serial:06d}"
        target = _target_row(rng, f"Warga {serial}", sex, birth, pid, desa, nik, kk, secret)
        pregnant = sex == "F" and 18 <= age <= 40 and rng.random() < 1 / 3
        adults.append(
            DemoAdult(target, _screenings(rng, last), _pregnancy(rng, last) if pregnant else None)
        )
    return adults


def _target_row(
    rng: random.Random,
    name: str,
    sex: str,
    birth: date,
    pid: str,
    desa: str,
    nik: str,
    kk: str,
    secret: str,
) -> dict[str, Any]:
    parts, now = desa.split("."), datetime.now(UTC)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "nik": nik,
        "kk": kk,
        "name": name,
        "sex": sex,
        "birth_date": birth,
        "posyandu_id": pid,
        "desa_code": desa,
        "kecamatan_code": ".".join(parts[:3]),
        "kabupaten_code": ".".join(parts[:2]),
        "person_ref": person_ref(secret, nik),
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


def monthly_measurements(
    child: DemoChild, month_end: date, rng: random.Random
) -> MeasurementIn | None:
    """The weighing in the month ending ``month_end`` (day 5–25), or None (unborn/absent)."""
    on = month_end.replace(day=rng.randint(5, 25))
    birth: date = child.target["birth_date"]
    age = (on - birth).days
    if age < 0 or age > 1826 or on > date.today() or rng.random() < 0.08:
        return None
    haz = max(-4.5, min(3.0, child.haz + rng.gauss(0, 0.08)))
    length = value_at_z("lhfa", child.target["sex"], age, haz)
    waz = max(-4.0, min(3.0, 0.6 * haz + 0.8 * child.whz + rng.gauss(0, 0.15)))
    weight = value_at_z("wfa", child.target["sex"], age, waz)
    position = "recumbent" if age < 731 else "standing"
    return MeasurementIn(
        target_id=child.target["id"],
        measured_on=on,
        weight_kg=round(weight, 1),
        height_cm=round(length, 1),
        measure_position=position,
        confirmed_implausible=True,
        vitamin_a=on.month in (2, 8),
    )


def month_ends(months: int, end: date) -> list[date]:
    out, cursor = [], end.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        out.append(cursor)
        cursor = cursor.replace(day=1) - timedelta(days=1)
    return list(reversed(out))


async def load_demo(
    db: Database,
    settings: HealthSettings,
    *,
    months: int = 12,
    per_posyandu: int = 20,
    seed: int = 2025,
) -> int:
    """Targets and 12 months of measurements for every Kukar posyandu in the replica."""
    async with db.sessions() as session:
        if (await session.execute(select(func.count()).select_from(Target))).scalar_one():
            logger.info("demo data already present")
            return 0
        rows = (
            await session.execute(
                select(
                    posyandu_replica.c.posyandu_id,
                    posyandu_replica.c.desa_code,
                    posyandu_replica.c.status,
                )
                .where(posyandu_replica.c.kabupaten_code == KUKAR)
                .order_by(posyandu_replica.c.posyandu_id)
            )
        ).all()
    posyandu = [(r[0], r[1]) for r in rows]
    children = generate_balita(
        posyandu, seed=seed, per_posyandu=per_posyandu, secret=settings.pseudonym_secret
    )
    # The balita are history; an inactive posyandu takes no new screenings or pregnancies.
    active = [(r[0], r[1]) for r in rows if r[2] != INACTIVE]
    adults = generate_adults(active, seed=seed + 1, secret=settings.pseudonym_secret)
    rng = random.Random(seed)
    outbox, principal = (
        Outbox(settings),
        Principal("demo", frozenset({"opd:health"}), (NATIONWIDE,)),
    )
    today = local_today(settings)
    total = 0
    for pid, desa in posyandu:
        mine = [c for c in children if c.target["posyandu_id"] == pid]
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            await targets.insert_many(session, [c.target for c in mine])
            at = {"posyandu_id": pid, "desa_code": desa}
            for month_end in month_ends(months, today):
                items = [m for c in mine if (m := monthly_measurements(c, month_end, rng))]
                results = await record_measurements(
                    uow, principal, at, list(enumerate(items)), today=today
                )
                total += sum(r.status == "created" for r in results)
            await uow.commit()
            mine_adults = [a for a in adults if a.target["posyandu_id"] == pid]
            await _load_adults(uow, principal, mine_adults, today)
    return total


async def _load_adults(
    uow: UnitOfWork, principal: Principal, adults: list[DemoAdult], today: date
) -> None:
    """The adults' targets, then their screenings and pregnancies through the service layer
    (validation, flags, events), each in its own transaction as a kader's would be."""
    if not adults:  # an inactive posyandu
        return
    await targets.insert_many(uow.session, [a.target for a in adults])
    await uow.commit()
    for adult in adults:
        target_id = adult.target["id"]
        for reading in adult.screenings:
            body = ScreeningIn(target_id=target_id, **reading)
            await screening.record(uow, principal, body, today)
            await uow.commit()
        if adult.pregnancy is not None:
            await _load_pregnancy(uow, principal, target_id, adult.pregnancy, today)


async def _load_pregnancy(
    uow: UnitOfWork, principal: Principal, target_id: str, plan: dict[str, Any], today: date
) -> None:
    body = PregnancyIn(
        target_id=target_id,
        registered_on=plan["registered_on"],
        last_menstrual_period=plan["lmp"],
        gravida=plan["gravida"],
    )
    p = await pregnancy.register(uow, principal, body, today)
    await uow.commit()
    for number, day in enumerate(plan["visits"], start=1):
        visit = AncVisitIn(visit_number=number, visited_on=day, iron_tablets=30)
        await pregnancy.record_anc_visit(uow, principal, p.id, visit, today)
        await uow.commit()
    if plan["delivered_on"] is not None:
        delivery = DeliveryIn(
            delivered_on=plan["delivered_on"], outcome="live_birth", birth_weight_kg=3.1
        )
        await pregnancy.record_delivery(uow, principal, p.id, delivery, today)
        await uow.commit()


async def _main() -> None:
    settings = HealthSettings()
    db = Database(settings.resolved_database_url, settings.database_pool_size)
    from simpul_health.app import MIGRATIONS

    await upgrade(MIGRATIONS, db.url)
    await wait_until_settled(db)  # every posyandu, as the social demo will see them
    loaded = await load_demo(db, settings, per_posyandu=settings.demo_balita_per_posyandu)
    print(f"demo: {loaded} measurements")
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(_main())
