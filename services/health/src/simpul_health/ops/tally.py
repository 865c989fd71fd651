"""The SPM counts over registered people, kept per posyandu and month (``health_tally``, on
``simpul_platform.tallies``: rows dropped by writes under an advisory lock, made again on
read; its docstring says why that is right under concurrency).

What is kept, per posyandu at a month's end: the balita denominator (registered children
under five), ibu hamil (pregnancies of the posyandu delivered, or still ongoing and due, in the
period; with K6 or more) and the four screening services over the registered adults (usia
produktif, usia lanjut, and the people ever found hypertensive or diabetic by then, each with
those screened in the period wherever they were screened). A person's age, and "ever found",
are taken at the month's end, so a month's counts depend on the records only.

A quarter's or a year's numerator counts distinct people over its months, not a sum of them,
so each of these codes is kept three times per month: ``.m`` over the month, ``.q`` over the
quarter up to the month's end, ``.y`` over the year up to it. A period is then read from its
last month's rows: a month's ``.m``, a quarter's ``.q``, a year's ``.y``.

What invalidates (``since``): a target registered (its birth date: it counts from then on), a
screening (its day, at the registering posyandu of the person screened), a pregnancy
registered, visited or delivered (the earliest of its due and delivery days).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, case, func, literal, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.indicators import SPM, months_before
from simpul_health.domain.lifecycle import birth_date_bounds
from simpul_health.domain.pregnancy import ANC_STANDARD_VISITS
from simpul_health.models import HealthTally, Pregnancy, Screening, Target
from simpul_platform import tallies
from simpul_platform.auth import NATIONWIDE
from simpul_platform.indicators import Period
from simpul_platform.tallies import Scope, Tallies, month_end, month_of

LOCK_CLASS = 0x4854  # the first key of health's tally locks (the second: the posyandu's)
TALLY: Table = HealthTally.__table__  # type: ignore[attr-defined]
T: Table = Target.__table__  # type: ignore[attr-defined]
S: Table = Screening.__table__  # type: ignore[attr-defined]
P: Table = Pregnancy.__table__  # type: ignore[attr-defined]

BALITA = "balita_den"  # every counted posyandu-month has it (the marker)
PEOPLE = ("ibu_hamil", "usia_produktif", "usia_lanjut", "hipertensi", "diabetes")
KINDS = ("m", "q", "y")  # the month, the quarter to date, the year to date
CODES = (BALITA, *(f"{code}.{kind}" for code in PEOPLE for kind in KINDS))
KEPT = tallies.Kept(TALLY, LOCK_CLASS, BALITA)
# Rows counted under other parameters (ages, visits) are not read but counted again.
BASIS = hashlib.blake2b(
    json.dumps({c: SPM[c].parameters for c in ("balita", *PEOPLE)}, sort_keys=True).encode(),
    digest_size=5,
).hexdigest()


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (every write that changes what they count calls it)."""
    await tallies.invalidate_many(session, KEPT, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    await tallies.invalidate_many(session, KEPT, posyandu_ids, since)


def kind_of(period: Period) -> str:
    """Which of a month's rows answer ``period`` (read at its last month)."""
    return "y" if len(period.label) == 4 else "q" if period.label[5] == "Q" else "m"


async def read(
    session: AsyncSession, period: Period, *, wilayah: str | None, posyandu_id: str | None
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of ibu hamil and the four screening services, and ``balita``'s
    denominator (its numerator is ``balita_weighed``'s), for an area and period. Posyandu not
    counted yet for the period's last month are counted first (committed on their own)."""
    scope = Scope([wilayah or NATIONWIDE] if posyandu_id is None else [NATIONWIDE], posyandu_id)
    counting = tallies.Counting(BASIS, CODES, count)
    found = await tallies.read(session, KEPT, counting, scope, month_of(period.end))
    kept, kind = found.get("", {}), kind_of(period)
    counts = {code: kept.get(f"{code}.{kind}", (0, 0)) for code in PEOPLE}
    return {"balita": (0, kept.get(BALITA, (0, 0))[1]), **counts}


# --------------------------------------------------------------------------- the count


async def count(
    session: AsyncSession, posyandu_ids: Sequence[str], month: date
) -> dict[str, Tallies]:
    """Every code of ``posyandu_ids`` at ``month``'s end: two statements (the registered
    people with their screenings, the pregnancies), by posyandu."""
    out: dict[str, Tallies] = {}
    for statement in (
        people_statement(posyandu_ids, month),
        pregnancy_statement(posyandu_ids, month),
    ):
        for row in (await session.execute(statement)).mappings():
            mine = out.setdefault(row["posyandu_id"], {})
            for code in CODES:
                if f"{code}_d" in row:
                    mine[code] = (int(row[f"{code}_n"] or 0), int(row[f"{code}_d"] or 0))
    return out


def _starts(month: date) -> dict[str, date]:
    """Each kind's first day, for ``month``."""
    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return {"m": month, "q": quarter, "y": month.replace(month=1)}


def _aged(end: date, min_years: int, max_years: int | None) -> ColumnElement[bool]:
    born_after, born_by = birth_date_bounds(end, min_years, max_years)
    condition = T.c.birth_date <= born_by
    return and_(condition, T.c.birth_date > born_after) if born_after else condition


def _any(condition: ColumnElement[bool], label: str) -> Any:
    return func.max(case((condition, 1), else_=0)).label(label)  # SQLite has no bool_or


def _count_if(condition: ColumnElement[bool], label: str) -> Any:
    return func.count().filter(condition).label(label)


def people_statement(posyandu_ids: Sequence[str], month: date) -> Select[Any]:
    """One row per posyandu: its balita, and its adults (15+) with whether each was screened
    (with blood pressure, with glucose) in each kind's window and was ever found hypertensive
    or diabetic, all by ``month``'s end; screenings anywhere, as weighings are."""
    end, starts = month_end(month), _starts(month)
    ids = list(posyandu_ids)
    ages, old = SPM["usia_produktif"].parameters, SPM["usia_lanjut"].parameters
    adult = _aged(end, ages["min_age"], None)
    flags = [S.c.target_id, _any(S.c.hypertension.is_(True), "hyper")]
    flags.append(_any(S.c.diabetes.is_(True), "diab"))
    for kind, start in starts.items():
        inside = S.c.screened_on >= start  # every row below ends by ``end``
        flags += [
            _any(inside, f"screened_{kind}"),
            _any(and_(inside, S.c.systolic.is_not(None)), f"bp_{kind}"),
            _any(and_(inside, S.c.glucose_mg_dl.is_not(None)), f"glucose_{kind}"),
        ]
    f = (
        select(*flags)
        .where(
            S.c.screened_on <= end,
            or_(S.c.screened_on >= starts["y"], S.c.hypertension.is_(True), S.c.diabetes.is_(True)),
            S.c.target_id.in_(select(T.c.id).where(T.c.posyandu_id.in_(ids), adult)),
        )
        .group_by(S.c.target_id)
        .subquery()
    )
    productive = _aged(end, ages["min_age"], ages["max_age"] + 1)
    elderly = _aged(end, old["min_age"], None)
    hyper, diab = f.c.hyper == 1, f.c.diab == 1
    balita = and_(T.c.birth_date > months_before(end, 60), T.c.birth_date <= end)
    sums = [T.c.posyandu_id, _count_if(balita, f"{BALITA}_d"), literal(0).label(f"{BALITA}_n")]
    for kind in KINDS:
        screened = f.c[f"screened_{kind}"] == 1
        for code, among, served in (
            ("usia_produktif", productive, screened),
            ("usia_lanjut", elderly, screened),
            ("hipertensi", and_(adult, hyper), f.c[f"bp_{kind}"] == 1),
            ("diabetes", and_(adult, diab), f.c[f"glucose_{kind}"] == 1),
        ):
            sums.append(_count_if(and_(among, served), f"{code}.{kind}_n"))
            sums.append(_count_if(among, f"{code}.{kind}_d"))
    return (
        select(*sums)
        .select_from(T.outerjoin(f, f.c.target_id == T.c.id))
        .where(T.c.posyandu_id.in_(ids), or_(balita, adult))
        .group_by(T.c.posyandu_id)
    )


def pregnancy_statement(posyandu_ids: Sequence[str], month: date) -> Select[Any]:
    """One row per posyandu: in each kind's window, its pregnancies delivered in it or still
    ongoing and due in it, and those of them with the standard ANC visits."""
    end, starts = month_end(month), _starts(month)

    def within(start: date) -> ColumnElement[bool]:
        return or_(
            P.c.delivered_on.between(start, end),
            and_(P.c.status == "ongoing", P.c.estimated_delivery.between(start, end)),
        )

    sums: list[Any] = [P.c.posyandu_id]
    for kind, start in starts.items():
        code = f"ibu_hamil.{kind}"
        sums.append(
            _count_if(and_(within(start), P.c.anc_visits >= ANC_STANDARD_VISITS), f"{code}_n")
        )
        sums.append(_count_if(within(start), f"{code}_d"))
    return (
        select(*sums)
        .where(P.c.posyandu_id.in_(list(posyandu_ids)), within(starts["y"]))
        .group_by(P.c.posyandu_id)
    )
