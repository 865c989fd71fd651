"""Immunisation coverage counted in SQL (one GROUP BY per indicator family, no rows in
Python), and the list of a posyandu's children overdue for a dose.

Coverage counts children by where they are registered (``targets``: posyandu, desa,
kecamatan, kabupaten), whichever posyandu gave the doses. The definitions are in
``simpul_health.domain.coverage``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Table, and_, false, func, literal_column, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.coverage import (
    BOOSTER,
    IDL,
    basic,
    births_reaching,
    boosters,
    dose_definition,
)
from simpul_health.domain.immunisation import ScheduledDose
from simpul_health.domain.indicators import IndicatorDefinition, months_before
from simpul_health.models import Immunisation, Target
from simpul_health.ops.indicators import Area, _prepare
from simpul_platform.auth import Principal
from simpul_platform.indicators import IndicatorValue, Period
from simpul_platform.pseudonym import mask_nik
from simpul_platform.replica import require_known_posyandu

T: Table = Target.__table__  # type: ignore[attr-defined]
I: Table = Immunisation.__table__  # type: ignore[attr-defined]  # noqa: E741
BADUTA_MONTHS = 24


class AddYears(FunctionElement[date]):
    """``date + n years`` as a date (a birthday)."""

    type = Date()
    inherit_cache = True


@compiles(AddYears)
def _add_years(element: Any, compiler: Any, **kw: Any) -> str:
    """SQLite (the quick start): its 29 February + 1 year is 1 March, one day later than
    PostgreSQL's; only children born on 29 February can differ."""
    column, years = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({column}, '+' || {years} || ' years')"


@compiles(AddYears, "postgresql")
def _add_years_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    column, years = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({column} + make_interval(years => {years}) AS DATE)"


def _is(dose: ScheduledDose) -> Any:
    return and_(I.c.antigen == dose.antigen, I.c.dose == dose.dose)


async def reaching(
    session: AsyncSession,
    area: Area,
    period: Period,
    years: int,
    doses: tuple[ScheduledDose, ...],
) -> tuple[int, int, list[int]]:
    """Children of the area whose ``years``-th birthday falls in the period; of them, those
    given every one of ``doses`` before that birthday; and per dose, those given it."""
    first, last = births_reaching(period, years)
    children = (area.where(T), T.c.birth_date.between(first, last))
    if await _prepare(session, serial=True):
        per_child = _probed(children, years, doses)
    else:
        per_child = _joined(children, years, doses)
    query = select(
        func.count(),
        func.count().filter(per_child.c.given == len(doses)),
        *(func.count().filter(per_child.c[f"d{i}"] > 0) for i in range(len(doses))),
    )
    row = (await session.execute(query)).one()
    return int(row[0]), int(row[1]), [int(n) for n in row[2:]]


def _dose_counts(doses: tuple[ScheduledDose, ...], counted: Any) -> tuple[Any, ...]:
    """A child's doses counted: all of ``doses`` given before the birthday, and each one
    (``counted``: what a dose's row counts by)."""
    return (
        func.count(counted).label("given"),
        *(func.count(counted).filter(_is(d)).label(f"d{i}") for i, d in enumerate(doses)),
    )


def _before_birthday(years: int, doses: tuple[ScheduledDose, ...]) -> Any:
    return and_(
        I.c.target_id == T.c.id,
        or_(false(), *(_is(d) for d in doses)),
        I.c.given_on < AddYears(T.c.birth_date, years),
    )


def _probed(children: tuple[Any, ...], years: int, doses: tuple[ScheduledDose, ...]) -> Any:
    """PostgreSQL: each child's doses read from ix_immunisations_target_dose (LATERAL, one
    probe a child, an index-only scan). A kabupaten's year is some 13,000 children, while
    a join hashed all 1.1 million immunisations of the database for them (0.7 s)."""
    # count(*), not count(id): every row here is a dose, and the index holds no id
    counts = _dose_counts(doses, literal_column("*"))
    given = select(*counts).where(_before_birthday(years, doses)).lateral()
    columns = [given.c.given, *(given.c[f"d{i}"] for i in range(len(doses)))]
    return select(*columns).select_from(T.join(given, true())).where(*children).subquery()


def _joined(children: tuple[Any, ...], years: int, doses: tuple[ScheduledDose, ...]) -> Any:
    """SQLite (the quick start, no LATERAL): the children joined to their doses."""
    return (
        select(*_dose_counts(doses, I.c.id))  # a child without a dose has a NULL row
        .select_from(T.outerjoin(I, _before_birthday(years, doses)))
        .where(*children)
        .group_by(T.c.id)
        .subquery()
    )


def _value(d: IndicatorDefinition, numerator: int, denominator: int) -> IndicatorValue:
    return IndicatorValue.of(
        f"health.{d.code}",
        "health",
        d.name,
        numerator,
        denominator,
        d.text(),
        d.source,
        target_percent=d.target_percent,
        kind="context",
    )


async def coverage(
    session: AsyncSession,
    area: Area,
    period: Period,
    schedule: tuple[ScheduledDose, ...],
    *,
    per_dose: bool = True,
) -> list[IndicatorValue]:
    """IDL and the baduta boosters (and, with ``per_dose``, each basic dose) as context rows."""
    doses = basic(schedule)
    children, complete, given = await reaching(session, area, period, 1, doses)
    baduta, boosted, _ = await reaching(session, area, period, 2, boosters(schedule))
    rows = [_value(IDL, complete, children), _value(BOOSTER, boosted, baduta)]
    if per_dose:
        rows += [_value(dose_definition(d), n, children) for d, n in zip(doses, given, strict=True)]
    return rows


# --- overdue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    dose: ScheduledDose
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class Overdue:
    target: Target
    nik_masked: str
    age_months: int
    missing: list[Missing]


async def overdue(
    session: AsyncSession,
    principal: Principal,
    posyandu_id: str,
    on: date,
    schedule: tuple[ScheduledDose, ...],
) -> list[Overdue]:
    """The posyandu's registered children under 24 months on ``on`` with a dose due by then
    (``due_age_days`` ≤ age) and not given by then, the longest overdue first (then the
    oldest child, then the name). One posyandu's under-twos are a few dozen children, so the
    schedule is compared in Python (``domain.immunisation``'s rule)."""
    row = await require_known_posyandu(session, posyandu_id, field="posyandu_id")
    principal.require_wilayah(row["desa_code"])
    children = (
        (
            await session.execute(
                select(Target).where(
                    T.c.posyandu_id == posyandu_id,
                    T.c.birth_date > months_before(on, BADUTA_MONTHS),
                    T.c.birth_date <= on,
                )
            )
        )
        .scalars()
        .all()
    )
    given = await _given(session, [c.id for c in children], on)
    found = []
    for child in children:
        age = (on - child.birth_date).days
        missing = [
            Missing(d, due := child.birth_date + timedelta(days=d.due_age_days), (on - due).days)
            for d in schedule
            if d.due_age_days <= age and (d.antigen, d.dose) not in given.get(child.id, set())
        ]
        if missing:
            missing.sort(key=lambda m: (m.due_on, m.dose.antigen, m.dose.dose))
            found.append(
                Overdue(child, mask_nik(child.nik), age_months(child.birth_date, on), missing)
            )
    found.sort(key=lambda o: (o.missing[0].due_on, o.target.birth_date, o.target.name, o.target.id))
    return found


async def _given(
    session: AsyncSession, target_ids: list[str], on: date
) -> dict[str, set[tuple[str, int]]]:
    if not target_ids:
        return {}
    rows = await session.execute(
        select(I.c.target_id, I.c.antigen, I.c.dose).where(
            I.c.target_id.in_(target_ids), I.c.given_on <= on
        )
    )
    given: dict[str, set[tuple[str, int]]] = {}
    for target_id, antigen, dose in rows:
        given.setdefault(target_id, set()).add((antigen, dose))
    return given


def age_months(birth: date, on: date) -> int:
    """Whole months of age on ``on``: a month is reached on the same day of the month, or on
    the month's last day when it is shorter (as 29 February's birthday is 28 February)."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    year, month = divmod(birth.year * 12 + birth.month - 1 + months, 12)
    reached = date(year, month + 1, min(birth.day, calendar.monthrange(year, month + 1)[1]))
    return months - 1 if reached > on else months
