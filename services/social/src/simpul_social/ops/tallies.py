"""Social's bansos coverage kept per posyandu and month (``simpul_platform.tallies``: rows
dropped by writes under an advisory lock, filled lazily on read; its docstring says why that
is right under concurrency). What coverage counts: ``ops.aggregates``, whose per-request
statement (``aggregates.coverage``) is the reference these counts are tested against.

**A period is kept whole.** Coverage counts households, each once however many distributions
it had in the period, so a quarter or a year is not the sum of its months. Each kind of period
is kept at the month it ends in, under its own prefix (``m:`` a month, ``q:`` a quarter, ``y:``
a year): a quarter's counts are rows of its last month, a year's rows of December. A period is
read at that month whether it has ended or not (its answer counts the distributions whose
periods overlap it, as the reference does), so no count depends on the day it is read.

Per posyandu, kind and month: ``<k>:poor``, the households of deciles 1–4 (both parts: the
denominator, and the mark that the posyandu-month was counted for the kind); ``<k>:any`` and
``<k>:<i>`` (the ``i``-th active program in code order: a program code alone may fill the
code column), the households of deciles 1–4 with a distributed distribution of any program /
of that program for a period overlapping the kept one ÷ poor's count. The active programs and
the deciles are in the basis: adding a program makes every row stale (counted again, not read).

**What invalidates** (``invalidate(session, posyandu_id, since)`` in the write's transaction):

- a distribution recorded: its household's posyandu, the first day of its period (every
  period it overlaps ends in that day's month or later);
- a household's decile recorded (registered with one, or assessed): its posyandu,
  ``ALL_MONTHS``. Coverage counts each household under its *current* decile in every period,
  whatever the period's date (a household assessed in 2026 counts in 2024's coverage under
  its 2026 decile, as the reference counts it), so a decile changes every month's counts. It
  invalidates even when the decile stays in (or out of) deciles 1–4: two assessments of one
  household racing may leave either decile, and a count made between them must not stay.

A household registered without a decile counts nowhere (no decile, no distributions yet).
Priority cases, PPKS and disaster protection are counted per request from their own tables
(``ops.aggregates``): their writes need not invalidate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import Table, and_, distinct, func, literal, select, union_all
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import tallies as kept_counts
from simpul_platform.indicators import Period
from simpul_platform.tallies import ALL_MONTHS, Scope, Tallies, added, month_end, month_of
from simpul_social.models import Distribution, Household, SocialTally

__all__ = ["ALL_MONTHS", "PRIORITY", "Scope", "count", "invalidate", "invalidate_many", "read"]

PRIORITY = (1, 4)  # the deciles coverage is of (DTSEN: bansos is mostly for deciles 1–4)
LOCK_CLASS = 0x50C1  # the first key of this service's tally locks (the second: the posyandu's)
TALLY: Table = SocialTally.__table__  # type: ignore[attr-defined]
POOR, ANY = "poor", "any"


@dataclass(frozen=True)
class Kind:
    """A kind of period: the prefix of its codes and how many months it spans."""

    prefix: str
    months: int

    @property
    def kept(self) -> kept_counts.Kept:
        return kept_counts.Kept(TALLY, LOCK_CLASS, f"{self.prefix}:{POOR}")

    def codes(self, programs: int) -> tuple[str, ...]:
        keys = [POOR, ANY, *(str(i) for i in range(programs))]
        return tuple(f"{self.prefix}:{key}" for key in keys)

    def window(self, month: date) -> tuple[date, date]:
        """The first and last day of the period of this kind that ends in ``month``."""
        index = month.year * 12 + month.month - self.months  # months since year 0, 0-based
        return date(index // 12, index % 12 + 1, 1), month_end(month)


KINDS = {kind.months: kind for kind in (Kind("m", 1), Kind("q", 3), Kind("y", 12))}
KEPT = KINDS[1].kept  # what writes drop through: a month's rows of every kind alike


@dataclass(frozen=True)
class Coverage:
    """A scope's coverage in a period: households of deciles 1–4, those with any program,
    and those with each active program (code → count, in code order)."""

    poor: int
    any_program: int
    programs: dict[str, int]


def basis(programs: Sequence[str]) -> str:
    """The tag of the definitions above, of the deciles and of the active programs: rows kept
    under others are counted again rather than read."""
    text = f"v1:{PRIORITY}:{','.join(programs)}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (call it in every write that changes what they count)."""
    await kept_counts.invalidate_many(session, KEPT, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    await kept_counts.invalidate_many(session, KEPT, posyandu_ids, since)


async def read(
    session: AsyncSession, programs: Sequence[str], scope: Scope, period: Period
) -> Coverage:
    """The scope's coverage in ``period`` over the active ``programs`` (in code order), from
    the counts kept at the period's last month; posyandu not counted yet are counted first."""
    kind = KINDS[period.months]
    codes = kind.codes(len(programs))
    counting = kept_counts.Counting(
        basis(programs), codes, partial(count, kind=kind, programs=programs)
    )
    month = month_of(period.end)
    counts = added((await kept_counts.read(session, kind.kept, counting, scope, month)).values())
    poor, any_program, *each = (counts.get(code, (0, 0))[0] for code in codes)
    return Coverage(poor, any_program, dict(zip(programs, each, strict=True)))


# --------------------------------------------------------------------------- the count


async def count(
    session: AsyncSession,
    posyandu_ids: Sequence[str],
    month: date,
    *,
    kind: Kind,
    programs: Sequence[str],
) -> dict[str, Tallies]:
    """The coverage of ``posyandu_ids`` in the period of ``kind`` ending in ``month``, in one
    statement (by posyandu; a posyandu without households of deciles 1–4 is absent)."""
    first, end = kind.window(month)
    index = {code: str(i) for i, code in enumerate(programs)}
    found: dict[str, dict[str, int]] = {}
    for posyandu_id, key, program, n in await session.execute(
        counting_statement(list(posyandu_ids), first, end)
    ):
        name = index.get(program) if key == "program" else key
        if name is not None:  # an inactive program's: only "any" counts it
            found.setdefault(posyandu_id, {})[name] = int(n)
    out: dict[str, Tallies] = {}
    for posyandu_id, numbers in found.items():
        poor = numbers.get(POOR, 0)
        keys = [POOR, ANY, *index.values()]
        out[posyandu_id] = {f"{kind.prefix}:{k}": (numbers.get(k, 0), poor) for k in keys}
    return out


def counting_statement(ids: list[str], first: date, end: date) -> Any:
    """Rows (posyandu id, "poor" | "any" | "program", program code or "", households): the
    posyandu's households of deciles 1–4 (from ix_household_posyandu_id), and of those, the
    ones with a distributed distribution for a period overlapping [first, end], in all and per
    program (each household probing its own, ix_distribution_household_program)."""
    poor = and_(col(Household.posyandu_id).in_(ids), col(Household.decile).between(*PRIORITY))
    households = (
        select(col(Household.posyandu_id), literal(POOR), literal(""), func.count())
        .where(poor)
        .group_by(col(Household.posyandu_id))
    )
    pairs = (
        select(
            col(Household.posyandu_id).label("posyandu_id"),
            col(Distribution.household_id).label("household_id"),
            col(Distribution.program_code).label("program_code"),
        )
        .join(Household, col(Household.id) == col(Distribution.household_id))
        .where(
            poor,
            col(Distribution.status) == "distributed",
            col(Distribution.period_start) <= end,
            col(Distribution.period_end) >= first,
        )
        .distinct()
        .cte("pairs")
    )
    p = pairs.c
    per_program = select(p.posyandu_id, literal("program"), p.program_code, func.count()).group_by(
        p.posyandu_id, p.program_code
    )
    any_program = select(
        p.posyandu_id, literal(ANY), literal(""), func.count(distinct(p.household_id))
    ).group_by(p.posyandu_id)
    return union_all(households, per_program, any_program)
