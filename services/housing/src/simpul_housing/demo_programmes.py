"""The demo's disaster and relocation programme (``simpul_housing.demo_cases`` runs them after
the RTLH cases), and the houses the demo's cases are drawn from.

One banjir struck a kecamatan (Tenggarong when it has enough houses, else the one with the most)
``DISASTER_WEEKS`` ago: its damaged houses were reported within days, most assessed before the
SK Bupati three weeks later fixed their classes for this year's handling, a few assessed after
it (one joined to it, one still waiting), and since then some are being handled and some are
completed (``DISASTER_ROUND``). A riverbank relocation programme of this year in the same
kecamatan affects households that are then checked against the recipient criteria,
facilitated and housed (``RELOCATION_ROUND``). Houses with an RTLH case are left out of both,
and a household is in only one of them. Each round of a plan, shuffled, reaches every state.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.demo import PRINCIPAL, SEED
from simpul_housing.domain.disaster import AidProgram, Damage, Handling
from simpul_housing.models import DisasterEvent, DisasterHouse, House, HouseHousehold, RtlhCase
from simpul_housing.ops import disaster as disaster_ops
from simpul_housing.ops import relocation as relocation_ops
from simpul_housing.ops.disaster_events import create_event
from simpul_housing.schemas.disaster import AssessIn, CompleteIn, DisasterHouseIn, DisasterIn, SkIn
from simpul_housing.schemas.disaster import HandleIn as DisasterHandleIn
from simpul_housing.schemas.relocation import (
    AffectedIn,
    CheckIn,
    FacilitateIn,
    HousedIn,
    ProgrammeIn,
)
from simpul_housing.settings import HousingSettings
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork

T = TypeVar("T")
DISASTER_SEED = SEED + 153
RELOCATION_SEED = SEED + 154
TENGGARONG = "64.02.06"  # on the Mahakam: floods there most years
DISASTER_WEEKS = 9
SK_AFTER_DAYS = 21
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")  # fmt: skip

# (damage class, where the house is now); None: not assessed yet. ``late``: assessed after the
# SK and not yet joined to it; ``joined``: assessed after it and joined (fixed).
DISASTER_ROUND: tuple[tuple[Damage | None, str], ...] = (
    (None, "reported"),
    ("belum_ditentukan", "undetermined"),
    ("rr", "late"),
    ("rs", "joined"),
    ("rr", "fixed"),
    ("rb", "fixed"),
    ("rr", "in_handling"),
    ("rs", "in_handling"),
    ("hilang", "in_handling"),
    ("rr", "completed"),
    ("rr", "completed"),
    ("rs", "completed"),
    ("rb", "completed"),
)
DISASTER_ROUNDS = 3
# The handlings each class is given, in proportion.
HANDLINGS: dict[str, tuple[Handling, ...]] = {
    "rr": ("rehabilitation",) * 5 + ("rental_access",),
    "rs": ("rehabilitation",) * 4 + ("rental_access",),
    "rb": ("rebuild", "rebuild", "relocation"),
    "hilang": ("relocation", "rental_access"),
}
# BNPB's stimulant per class (RB Rp50 juta, RS Rp25 juta, RR Rp10 juta); rental access: six
# months' rent.
STIMULANT = {"rr": 10_000_000, "rs": 25_000_000, "rb": 50_000_000, "hilang": 50_000_000}
RENT = 6 * 600_000
FUNDERS: dict[AidProgram, int] = {"bnpb": 45, "apbd": 35, "baznas": 10, "csr": 10}

RELOCATION_ROUND = ("affected", "not_eligible", "eligible", "facilitated", "facilitated",
                    "housed", "housed")  # fmt: skip
RELOCATION_ROUNDS = 3
RELOCATION_STEPS: dict[str, tuple[str, ...]] = {
    "affected": (),
    "not_eligible": ("disqualify",),
    "eligible": ("qualify",),
    "facilitated": ("qualify", "facilitate"),
    "housed": ("qualify", "facilitate", "house"),
}
RELOCATION_GAPS = {"disqualify": (7, 20), "qualify": (7, 20), "facilitate": (20, 40),
                   "house": (10, 30)}  # fmt: skip


# --- the houses ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A house with the No. KK of its first household (what orders the demo's draws)."""

    house_id: str
    posyandu_id: str
    desa_code: str
    land_status: str
    assessed_on: date | None
    occupants: int
    kk: str


async def candidates(session: AsyncSession, *where: Any) -> list[Candidate]:
    """Houses with a household living there, in (posyandu, first No. KK) order."""
    first_kk = func.min(HouseHousehold.kk)
    query = (
        select(
            col(House.id),
            col(House.posyandu_id),
            col(House.desa_code),
            col(House.land_status),
            col(House.assessed_on),
            col(House.occupants),
            first_kk,
        )
        .join(HouseHousehold, col(HouseHousehold.house_id) == col(House.id))
        .where(col(HouseHousehold.moved_out_on).is_(None), *where)
        .group_by(col(House.id))
        .order_by(col(House.posyandu_id), first_kk)
    )
    return [Candidate(*row) for row in (await session.execute(query)).all()]


def rounds(plan: Sequence[T], n: int, rng: random.Random) -> list[T]:
    """``n`` items of ``plan``, a shuffled round of it after another."""
    out: list[T] = []
    while len(out) < n:
        chosen = list(plan)
        rng.shuffle(chosen)
        out.extend(chosen)
    return out[:n]



async def struck_kecamatan(session: AsyncSession) -> str | None:
    """Tenggarong when it has houses enough for both programmes, else the kecamatan with the
    most houses."""
    kecamatan = func.substr(House.desa_code, 1, 8)
    rows = await session.execute(select(kecamatan, func.count()).group_by(kecamatan))
    houses: dict[str, int] = {code: n for code, n in rows.all()}
    if not houses:
        return None
    enough = len(DISASTER_ROUND) + len(RELOCATION_ROUND)
    if houses.get(TENGGARONG, 0) >= enough:
        return TENGGARONG
    return max(sorted(houses), key=lambda code: houses[code])


async def _free_houses(session: AsyncSession, area: str) -> list[Candidate]:
    """The area's houses with no RTLH case and not damaged in a disaster."""
    in_case = select(col(RtlhCase.house_id))
    damaged = select(col(DisasterHouse.house_id)).where(col(DisasterHouse.house_id).is_not(None))
    return await candidates(
        session,
        col(House.desa_code).startswith(area + "."),
        col(House.id).not_in(in_case),
        col(House.id).not_in(damaged),
    )


def _sample(houses: list[Candidate], n: int, rng: random.Random) -> list[Candidate]:
    """``n`` of the houses (all when fewer), in their order."""
    return [houses[i] for i in sorted(rng.sample(range(len(houses)), min(n, len(houses))))]


# --- the disaster -------------------------------------------------------------------------


async def disaster(db: Database, settings: HousingSettings) -> dict[str, int]:
    """The banjir, its damaged houses and the SK Bupati, in one transaction."""
    today, rng = local_today(settings), random.Random(DISASTER_SEED)
    async with db.sessions() as session:
        area = await struck_kecamatan(session)
        houses = await _free_houses(session, area) if area else []
    if area is None or not houses:
        return {}
    chosen = _sample(houses, len(DISASTER_ROUND) * DISASTER_ROUNDS, rng)
    plans = rounds(DISASTER_ROUND, len(chosen), rng)
    occurred = today - timedelta(weeks=DISASTER_WEEKS)
    async with db.sessions() as session:
        uow = UnitOfWork(session, Outbox(settings))
        name = f"Banjir luapan Sungai Mahakam {BULAN[occurred.month - 1]} {occurred.year}"
        body = DisasterIn(kind="banjir", name=name, occurred_on=occurred, wilayah_code=area)
        event = await create_event(uow, PRINCIPAL, body, today)
        await session.flush()  # the event before its houses (their foreign key)
        units = []
        for house, (damage, end) in zip(chosen, plans, strict=True):
            reported = occurred + timedelta(days=rng.randint(0, 5))
            report = DisasterHouseIn(house_id=house.house_id, kk=house.kk, reported_on=reported)
            unit = await disaster_ops.report_house(
                uow, PRINCIPAL, event, report, secret=settings.pseudonym_secret, today=today
            )
            units.append((unit, damage, end))
            if damage is not None and end not in ("late", "joined"):
                assessed = AssessIn(damage=damage, assessed_on=reported + _days(2, 12, rng))
                await disaster_ops.assess(uow, PRINCIPAL, event, unit, assessed, today)
        sk_date = occurred + timedelta(days=SK_AFTER_DAYS)
        number = f"100.3.3.2/K.{rng.randint(100, 899)}/HK/{sk_date.year}"
        sk = SkIn(sk_number=number, sk_date=sk_date, planned_year=today.year)
        await disaster_ops.set_sk(uow, PRINCIPAL, event, sk, today)
        for unit, damage, end in units:
            await _after_sk(uow, event, unit, damage, end, sk_date, today, rng)
        await uow.commit()
    counts = Counter(f"disaster_{unit.status}" for unit, _, _ in units)
    counts.update(f"disaster_damage_{unit.damage}" for unit, _, _ in units if unit.damage)
    counts.update({"disasters": 1, "disaster_houses": len(units)})
    counts["disaster_planned"] = sum(unit.planned_year == today.year for unit, _, _ in units)
    return dict(counts)


async def _after_sk(
    uow: UnitOfWork,
    event: DisasterEvent,
    unit: DisasterHouse,
    damage: Damage | None,
    end: str,
    sk_date: date,
    today: date,
    rng: random.Random,
) -> None:
    """A house assessed after the SK (and joined to it), or handled (and completed)."""
    if end in ("late", "joined"):
        assert damage is not None
        assessed = AssessIn(damage=damage, assessed_on=sk_date + _days(3, 14, rng))
        await disaster_ops.assess(uow, PRINCIPAL, event, unit, assessed, today)
        if end == "joined":
            await disaster_ops.fix(uow, PRINCIPAL, event, unit)
    if end not in ("in_handling", "completed"):
        return
    assert damage is not None and unit.assessed_on is not None
    handling = rng.choice(HANDLINGS[damage])
    started = min(today, max(sk_date, unit.assessed_on) + _days(3, 14, rng))
    handle = DisasterHandleIn(handling=handling, started_on=started)
    await disaster_ops.handle(uow, PRINCIPAL, event, unit, handle, today)
    if end == "completed":
        program = rng.choices(list(FUNDERS), weights=list(FUNDERS.values()))[0]
        amount = RENT if handling == "rental_access" else STIMULANT[damage]
        done = CompleteIn(
            program=program, amount=amount, completed_on=min(today, started + _days(10, 25, rng))
        )
        await disaster_ops.complete(uow, PRINCIPAL, event, unit, done, today)


def _days(low: int, high: int, rng: random.Random) -> timedelta:
    return timedelta(days=rng.randint(low, high))


# --- the relocation programme --------------------------------------------------------------


async def relocation(db: Database, settings: HousingSettings) -> dict[str, int]:
    """The programme and its households, in one transaction."""
    today, rng = local_today(settings), random.Random(RELOCATION_SEED)
    async with db.sessions() as session:
        area = await struck_kecamatan(session)
        houses = await _free_houses(session, area) if area else []
    if area is None or not houses:
        return {}
    chosen = _sample(houses, len(RELOCATION_ROUND) * RELOCATION_ROUNDS, rng)
    plans = rounds(RELOCATION_ROUND, len(chosen), rng)
    counts: Counter[str] = Counter({"relocation_programmes": 1})
    async with db.sessions() as session:
        uow = UnitOfWork(session, Outbox(settings))
        body = ProgrammeIn(
            name="Relokasi permukiman sempadan Sungai Mahakam",
            wilayah_code=area,
            year=today.year,
            reason="sempadan_sungai",
        )
        programme = relocation_ops.create_programme(uow, PRINCIPAL, body)
        await session.flush()  # the programme before its households (their foreign key)
        for house, end in zip(chosen, plans, strict=True):
            steps = RELOCATION_STEPS[end]
            gaps = [rng.randint(*RELOCATION_GAPS[step]) for step in steps]
            day = today - timedelta(days=sum(gaps) + rng.randint(0, 30))
            affected = AffectedIn(kk=house.kk, posyandu_id=house.posyandu_id, affected_on=day)
            row = await relocation_ops.register(
                uow, PRINCIPAL, programme, affected, secret=settings.pseudonym_secret, today=today
            )
            for step, gap in zip(steps, gaps, strict=True):
                day = min(today, day + timedelta(days=gap))
                if step in ("qualify", "disqualify"):
                    check = CheckIn(criteria=_answers(settings, step, rng), checked_on=day)
                    await relocation_ops.check(uow, PRINCIPAL, row, check, settings, today)
                elif step == "facilitate":
                    facilitated = FacilitateIn(facilitated_on=day)
                    await relocation_ops.facilitate(
                        uow, PRINCIPAL, programme, row, facilitated, today
                    )
                else:
                    await relocation_ops.house(uow, PRINCIPAL, row, HousedIn(housed_on=day), today)
            counts.update(["relocation_households", f"relocation_{row.status}"])
        await uow.commit()
    return dict(counts)


def _answers(settings: HousingSettings, step: str, rng: random.Random) -> dict[str, bool]:
    """Every criterion met, or (``disqualify``) all but one."""
    answers = {name: True for name in settings.relocation_criteria}
    if step == "disqualify":
        answers[rng.choice(settings.relocation_criteria)] = False
    return answers
