"""Aggregates for DPMD and the gateway: the SPM pendidikan indicators and the rows by desa
(summed from the counts kept per posyandu and month, ``ops.tallies``), and the summary by
status (counted on read: one posyandu's or a small wilayah's children), over a scope
(wilayah prefixes, or one posyandu)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain import indicators as d
from simpul_education.domain.status import STATUSES
from simpul_education.models import Child, ChildStatus
from simpul_education.ops import tallies
from simpul_education.ops.tallies import Scope
from simpul_education.schemas.indicators import DesaRow
from simpul_platform.indicators import IndicatorValue, percent
from simpul_platform.wilayah import under

__all__ = ["Scope", "by_desa", "by_status", "indicators", "statuses_as_of"]

UNRECORDED = "unrecorded"
SOURCE = (
    "Permendikbudristek 32/2022 (SPM pendidikan, kab/kota: PAUD, pendidikan dasar, "
    "kesetaraan); formulas as on regional dashboards (FIELDS.md §1(a)); statuses from this "
    "service"
)
EQUITY_SOURCE = (
    "Permendikbudristek 32/2022 Pasal 33(4) (APS 5–6 of the lowest income quintile ÷ the "
    "highest's); DTSEN deciles from social's household assessments"
)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str


INDICATORS = (
    Indicator(
        d.PAUD_5_6,
        "Anak usia 5–6 tahun mengikuti PAUD",
        "Children aged 5–6 at the period's end whose status then is paud ÷ children aged 5–6 "
        "known to the field",
    ),
    Indicator(
        d.DASAR_7_15,
        "Anak usia 7–15 tahun mengikuti pendidikan dasar",
        "Children aged 7–15 at the period's end in SD/SMP, Paket A/B or past them (SMA, SMK, "
        "Paket C) ÷ children aged 7–15 known to the field",
    ),
    Indicator(
        d.KESETARAAN_7_18,
        "Anak usia 7–18 tahun tidak bersekolah formal yang mengikuti pendidikan kesetaraan",
        "Children aged 7–18 at the period's end out of formal school and in kesetaraan ÷ "
        "children aged 7–18 out of formal school (statuses {numerator} ÷ {denominator}; a "
        "formula not found in a primary text, so both sets are settings: "
        "EDUCATION_KESETARAAN_NUMERATOR, EDUCATION_KESETARAAN_DENOMINATOR)",
    ),
)
EQUITY = Indicator(
    d.PAUD_EQUITY_5_6,
    "Kesetaraan partisipasi PAUD usia 5–6 tahun: desil 1–2 ÷ desil 9–10",
    "A ratio of two rates: numerator = the share of children aged 5–6 at the period's end in "
    "PAUD among households in DTSEN deciles 1–2, denominator = the same among deciles 9–10, "
    "both per 10,000; percent = 100 × numerator ÷ denominator (100 = parity), null when a "
    "group has no child aged 5–6 or deciles 9–10 have none in PAUD. Deciles are the "
    "households' latest known ones",
)


async def indicators(
    session: AsyncSession, defs: d.Definitions, scope: Scope, month: date
) -> list[IndicatorValue]:
    """PAUD 5–6, dasar 7–15, kesetaraan 7–18 and PAUD equity at ``month``'s end."""
    counts = d.added(list((await tallies.read(session, defs, scope, month)).values()))
    sets = _kesetaraan_sets(defs)
    values = [
        IndicatorValue.of(
            i.code,
            "education",
            i.name,
            *counts.get(i.code, (0, 0)),
            i.definition.format(**sets),
            SOURCE,
        )
        for i in INDICATORS
    ]
    low, high = counts.get(d.PAUD_5_6_LOW, (0, 0)), counts.get(d.PAUD_5_6_HIGH, (0, 0))
    values.append(
        IndicatorValue.of(
            EQUITY.code,
            "education",
            EQUITY.name,
            *d.equity(low, high),
            EQUITY.definition,
            EQUITY_SOURCE,
        )
    )
    return values


def _kesetaraan_sets(defs: d.Definitions) -> dict[str, str]:
    count = next(c for c in defs.counts if c.code == d.KESETARAAN_7_18)
    return {
        "numerator": ", ".join(sorted(count.served or ())),
        "denominator": ", ".join(sorted(count.among or ())),
    }


async def by_desa(
    session: AsyncSession,
    defs: d.Definitions,
    scope: Scope,
    month: date,
    ats_open: Mapping[str, int],
) -> list[DesaRow]:
    """One row per desa with a posyandu in scope: children by age group and who of them is in
    PAUD, in basic education, out of school, at ``month``'s end; and ``ats_open``, the open
    ATS cases by desa (``ats_aggregates.open_ats_by_desa``)."""
    per_desa = await tallies.read(session, defs, scope, month, by_desa=True)
    ats = ats_open
    return [_desa_row(desa, counts, ats.get(desa, 0)) for desa, counts in sorted(per_desa.items())]


def _desa_row(desa: str, counts: d.Tallies, ats_open: int) -> DesaRow:
    paud, dasar = counts.get(d.PAUD_5_6, (0, 0)), counts.get(d.DASAR_7_15, (0, 0))
    out = counts.get(d.OUT_OF_SCHOOL_7_18, (0, 0))
    return DesaRow(
        desa_code=desa,
        children=counts.get(d.CHILDREN, (0, 0))[1],
        children_5_6=paud[1],
        paud_5_6=paud[0],
        paud_5_6_percent=percent(*paud),
        children_7_15=dasar[1],
        dasar_7_15=dasar[0],
        dasar_7_15_percent=percent(*dasar),
        children_7_18=out[1],
        out_of_school_7_18=out[0],
        out_of_school_percent=percent(*out),
        ats_open=ats_open,
    )


async def statuses_as_of(
    session: AsyncSession, scope: Scope, day: date
) -> list[tuple[date, str | None]]:
    """(birth date, status on ``day``) of every child in ``scope`` born by ``day``."""
    children = select(col(Child.id), col(Child.birth_date)).where(
        under(col(Child.desa_code), scope.wilayah), col(Child.birth_date) <= day
    )
    statuses = (
        select(col(ChildStatus.child_id), col(ChildStatus.status))
        .join(Child, col(Child.id) == col(ChildStatus.child_id))
        .where(under(col(Child.desa_code), scope.wilayah), col(ChildStatus.on) <= day)
        .order_by(col(ChildStatus.on), col(ChildStatus.recorded_at), col(ChildStatus.id))
    )
    if scope.posyandu_id is not None:
        children = children.where(col(Child.posyandu_id) == scope.posyandu_id)
        statuses = statuses.where(col(Child.posyandu_id) == scope.posyandu_id)
    latest: dict[str, str] = {}
    for child_id, status in (await session.execute(statuses)).all():
        latest[child_id] = status  # ordered by date: the last one wins
    return [(birth, latest.get(child_id)) for child_id, birth in (await session.execute(children))]


async def by_status(session: AsyncSession, scope: Scope, day: date) -> dict[str, int]:
    """Children in ``scope`` by their status on ``day``; every code present, and unrecorded."""
    children = await statuses_as_of(session, scope, day)
    counts = Counter(status or UNRECORDED for _, status in children)
    return {code: counts.get(code, 0) for code in (*STATUSES, UNRECORDED)}
