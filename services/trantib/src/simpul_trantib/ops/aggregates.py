"""Aggregates for DPMD, the Tim Pembina and the gateway: the SPM trantibumlinmas indicators,
the summary and the rows by desa. Fires and public-order reports are summed from the counts
kept per posyandu and month (``ops.tallies``); desa, disasters and hazard zones are read from
their own small tables (``domain.indicators`` says what each counts and why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.indicators import Indicator, IndicatorValue, Period
from simpul_platform.tallies import Scope, Tallies, added, in_scope
from simpul_trantib.domain import indicators as d
from simpul_trantib.models import Apar, LinmasStrength, OrderReport
from simpul_trantib.ops import tallies
from simpul_trantib.ops.indicator_reads import Places, places
from simpul_trantib.settings import TrantibSettings

__all__ = ["Scope", "by_desa", "indicators", "period_counts", "state"]

FIRE = "Permendagri 114/2018 (SPM sub-urusan kebakaran): response time ≤ 15 minutes"
DISASTER = "Permendagri 101/2018 (SPM sub-urusan bencana)"
ORDER = "Permendagri 121/2018 (SPM trantibum); the formula was not found (FIELDS.md §4(a) [BG])"


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


FIXED = (
    Indicator(
        d.FIRES_WMK,
        "Kebakaran di dalam WMK yang ditangani dalam waktu tanggap ≤ 15 menit",
        "Fires inside a fire post's WMK whose arrival came at most 15 minutes after the report "
        "÷ fires inside a WMK, of the fires reported in the period (by the report's local "
        "date); a fire with no arrival counts as not met",
        FIRE,
    ),
    Indicator(
        d.FIRES,
        "Kebakaran yang ditangani dalam waktu tanggap ≤ 15 menit (semua)",
        "Fires whose arrival came at most 15 minutes after the report ÷ fires reported in the "
        "period (by the report's local date), inside a WMK or not; no arrival: not met",
        FIRE,
    ),
    Indicator(
        d.DESA_IN_WMK,
        "Desa dalam wilayah manajemen kebakaran (WMK)",
        "Desa of the posyandu in scope whose reference point lies within the radius of its "
        "nearest active fire post ÷ those desa (no point: not within); the state now",
        "Kepmen PU 11/KPTS/2000 (WMK radius 7.5 km); coverage as in Permendagri 69/2012",
    ),
    Indicator(
        d.DISASTER_EVACUATION,
        "Korban bencana yang diselamatkan dan dievakuasi",
        "Victims rescued and evacuated ÷ victims needing rescue and evacuation, of the "
        "disasters that occurred in the period whose area overlaps the scope (a disaster "
        "spanning several desa is counted whole in each)",
        f"{DISASTER}, layanan penyelamatan dan evakuasi korban bencana",
    ),
    Indicator(
        d.RISK_INFORMATION,
        "Warga di kawasan rawan bencana yang memperoleh informasi rawan bencana",
        "People of hazard-zone desa (zones of the period's year) reached by risk information "
        "on the zone's hazard in the period, each zone at most its population ÷ their people",
        f"{DISASTER}, layanan informasi rawan bencana",
    ),
)
ORDER_SERVED = {
    "citizens_served": Indicator(
        d.ORDER_SERVED,
        "Warga terdampak gangguan trantibum yang terlayani (warga terlayani)",
        "Formula citizens_served: affected citizens served (at most the affected, per report) "
        "÷ affected citizens, of the public-order reports closed in the period",
        ORDER,
    ),
    "reports_closed": Indicator(
        d.ORDER_SERVED,
        "Gangguan trantibum yang ditangani (laporan ditutup)",
        "Formula reports_closed: public-order reports closed in the period ÷ reports opened "
        "in the period",
        ORDER,
    ),
}
FORMULA_COUNTS = {"citizens_served": d.ORDER_CITIZENS, "reports_closed": d.ORDER_REPORTS}


# --------------------------------------------------------------------------- kept counts


async def period_counts(
    session: AsyncSession,
    scope: Scope,
    period: Period,
    today: date,
    settings: TrantibSettings,
    *,
    by_desa: bool = False,
) -> dict[str, Tallies]:
    """The period's fire and public-order counts (``domain.indicators.reads``), by desa or
    under the one key ""."""
    reads = d.reads(period, today)
    if reads.month is None:
        return {}
    zone = settings.zone
    at_end = await tallies.read(session, scope, reads.month, zone, by_desa=by_desa)
    before: dict[str, Tallies] = {}
    if reads.before is not None:
        before = await tallies.read(session, scope, reads.before, zone, by_desa=by_desa)
    keys = sorted(set(at_end) | set(before))
    return {k: d.combined(at_end.get(k, {}), before.get(k, {}), reads.suffix) for k in keys}


# --------------------------------------------------------------------------- read directly


@dataclass
class DesaState:
    """A desa's state now, as the summary and the rows by desa show it."""

    posyandu: int = 0
    inside_wmk: bool = False
    linmas_under_strength: bool = True  # no strength recorded: no Satlinmas counted
    apar_expired: int = 0
    order_reports_open: int = 0


async def state(
    session: AsyncSession, scope: Scope, today: date, found: Places
) -> dict[str, DesaState]:
    """Every desa in scope's state now (Linmas by desa; APAR and open reports of the scope)."""
    out = {
        code: DesaState(posyandu=n, inside_wmk=inside) for code, (n, inside) in found.desa.items()
    }
    strength = _table(LinmasStrength).c
    query = select(strength.desa_code, strength.under_strength).where(
        strength.desa_code.in_(list(out))
    )
    for code, under_strength in await session.execute(query):
        out[code].linmas_under_strength = bool(under_strength)
    apar, report = _table(Apar).c, _table(OrderReport).c
    expired = and_(apar.expires_on < today, apar.retired_on.is_(None))
    for code, n in await _per_desa(session, apar, scope, expired):
        out.setdefault(code, DesaState()).apar_expired = n
    for code, n in await _per_desa(session, report, scope, report.closed_on.is_(None)):
        out.setdefault(code, DesaState()).order_reports_open = n
    return out


async def _per_desa(
    session: AsyncSession, table: Any, scope: Scope, condition: ColumnElement[bool]
) -> list[tuple[str, int]]:
    query = (
        select(table.desa_code, func.count())
        .where(*in_scope(table, scope), condition)
        .group_by(table.desa_code)
    )
    return [(code, int(n)) for code, n in await session.execute(query)]


# --------------------------------------------------------------------------- the answers


async def indicators(
    session: AsyncSession, scope: Scope, period: Period, today: date, settings: TrantibSettings
) -> list[IndicatorValue]:
    """The SPM trantibumlinmas indicators of the period."""
    counts = added((await period_counts(session, scope, period, today, settings)).values())
    found = await places(session, scope, period)
    desa = found.desa.values()
    counts[d.DESA_IN_WMK] = (sum(inside for _, inside in desa), len(desa))
    _, evacuated, needing = found.disaster_counts(scope.wilayah)
    counts[d.DISASTER_EVACUATION] = (evacuated, needing)
    _, reached, people = found.risk.of()
    counts[d.RISK_INFORMATION] = (reached, people)
    formula = settings.order_served_formula
    counts[d.ORDER_SERVED] = counts.get(FORMULA_COUNTS[formula], (0, 0))
    values = [i.value("trantib", counts) for i in FIXED]
    return [*values[:3], ORDER_SERVED[formula].value("trantib", counts), *values[3:]]


def _figures(counts: Tallies) -> dict[str, dict[str, int]]:
    met, fires = counts.get(d.FIRES, (0, 0))
    wmk_met, wmk = counts.get(d.FIRES_WMK, (0, 0))
    served, affected = counts.get(d.ORDER_CITIZENS, (0, 0))
    closed, opened = counts.get(d.ORDER_REPORTS, (0, 0))
    return {
        "fires": {
            "fires": fires,
            "response_met": met,
            "inside_wmk": wmk,
            "inside_wmk_met": wmk_met,
        },
        "order_reports": {
            "opened": opened,
            "closed": closed,
            "affected_citizens": affected,
            "citizens_served": served,
        },
    }


def _other(found: Places, scopes: Sequence[str], desa: str | None) -> dict[str, dict[str, int]]:
    n, evacuated, needing = found.disaster_counts(scopes)
    zones, reached, people = found.risk.of(desa)
    return {
        "disasters": {"disasters": n, "needing_evacuation": needing, "evacuated": evacuated},
        "risk_information": {"zones": zones, "population": people, "people_reached": reached},
    }


async def summary(
    session: AsyncSession, scope: Scope, period: Period, today: date, settings: TrantibSettings
) -> dict[str, Any]:
    """The summary's figures (``schemas.indicators.Summary`` less the echo and referrals)."""
    counts = added((await period_counts(session, scope, period, today, settings)).values())
    found = await places(session, scope, period)
    desa = (await state(session, scope, today, found)).values()
    return {
        "desa": sum(1 for s in desa if s.posyandu),
        "desa_in_wmk": sum(1 for s in desa if s.posyandu and s.inside_wmk),
        "desa_under_linmas_strength": sum(
            1 for s in desa if s.posyandu and s.linmas_under_strength
        ),
        "apar_expired": sum(s.apar_expired for s in desa),
        "order_reports_open": sum(s.order_reports_open for s in desa),
        **_figures(counts),
        **_other(found, scope.wilayah, None),
    }


async def by_desa(
    session: AsyncSession, scope: Scope, period: Period, today: date, settings: TrantibSettings
) -> list[dict[str, Any]]:
    """One row per desa with a posyandu in scope (``schemas.indicators.DesaRow``)."""
    counts = await period_counts(session, scope, period, today, settings, by_desa=True)
    found = await places(session, scope, period)
    states = await state(session, scope, today, found)
    rows = []
    for code, s in sorted(states.items()):
        if not s.posyandu:
            continue
        rows.append(
            {
                "desa_code": code,
                "posyandu": s.posyandu,
                "inside_wmk": s.inside_wmk,
                "linmas_under_strength": s.linmas_under_strength,
                "apar_expired": s.apar_expired,
                "order_reports_open": s.order_reports_open,
                **_figures(counts.get(code, {})),
                **_other(found, [code], code),
            }
        )
    return rows
