"""The figures the indicators read from their own small tables, not from kept counts
(``domain.indicators`` says why): the desa of the posyandu in scope and whether each lies
within a WMK, the disasters of the period overlapping the scope, and the hazard zones of the
period's year with the people reached. All three come back from **one statement** (a
``UNION ALL`` of rows of one shape), so an indicator read pays one round trip for them. Each
branch reads one table and the rows are joined here: the statement is prepared once and run
on PostgreSQL's generic plan, whose guesses for a wilayah prefix made a join inside it a
nested loop ten times slower than the tables' scans."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, Table, cast, func, literal, null, or_, select
from sqlalchemy import union_all as union_all_
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.indicators import Period
from simpul_platform.replica import posyandu_replica
from simpul_platform.tallies import Scope, in_scope
from simpul_platform.wilayah import under
from simpul_trantib.domain import indicators as d
from simpul_trantib.models import DesaPoint, Disaster, HazardZone, RiskOutreach

__all__ = ["DisasterFact", "Places", "Risk", "places"]


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


@dataclass(frozen=True)
class DisasterFact:
    wilayah_code: str
    affected_desa: Sequence[str]
    needing_evacuation: int
    evacuated: int


@dataclass
class Risk:
    """Hazard zones (a desa and a hazard, their rows' people summed) and the people reached."""

    zones: list[d.Zone] = field(default_factory=list)
    reached: dict[tuple[str, str], int] = field(default_factory=dict)

    def of(self, desa: str | None = None) -> tuple[int, int, int]:
        """(zones, people reached, people) of one desa or all."""
        zones = [z for z in self.zones if desa is None or z.desa_code == desa]
        reached, people = d.risk_reach(zones, self.reached)
        return len(zones), reached, people


@dataclass
class Places:
    """What the scope holds for the period: desa → (posyandu, inside a WMK), the disasters
    overlapping it, the hazard zones and their reach."""

    desa: dict[str, tuple[int, bool]] = field(default_factory=dict)
    disasters: list[DisasterFact] = field(default_factory=list)
    risk: Risk = field(default_factory=Risk)

    def disaster_counts(self, scopes: Sequence[str]) -> tuple[int, int, int]:
        """(disasters, evacuated, needing evacuation) of those overlapping ``scopes``."""
        mine = [f for f in self.disasters if d.overlaps(scopes, f.wilayah_code, f.affected_desa)]
        return len(mine), sum(f.evacuated for f in mine), sum(f.needing_evacuation for f in mine)


async def places(session: AsyncSession, scope: Scope, period: Period) -> Places:
    """The scope's desa, disasters and hazard zones for the period, in one round trip."""
    query = union_all_(
        _desa(scope), _points(scope), _disasters(scope, period), *_zones(scope, period)
    )
    out, inside = Places(), set()
    for kind, code, hazard, affected, first, second in await session.execute(query):
        if kind == "desa":
            out.desa[code] = (int(first), False)
        elif kind == "point":
            inside.add(code)
        elif kind == "zone":
            out.risk.zones.append(d.Zone(code, hazard, int(first)))
        elif kind == "reached":
            out.risk.reached[(code, hazard)] = int(first)
        else:
            listed = affected if isinstance(affected, list) else json.loads(affected or "[]")
            out.disasters.append(DisasterFact(code, listed, int(first), int(second)))
    out.desa = {code: (n, code in inside) for code, (n, _) in out.desa.items()}
    out.disasters = [
        f for f in out.disasters if d.overlaps(scope.wilayah, f.wilayah_code, f.affected_desa)
    ]
    return out


def _text(value: Any) -> Any:
    return cast(value, String)


def _desa(scope: Scope) -> Any:
    """("desa", desa code, -, -, posyandu, 0) of the replica's posyandu in scope."""
    replica = posyandu_replica.c
    return (
        select(
            _text(literal("desa")),
            replica.desa_code,
            _text(null()),
            _text(null()),
            func.count(),
            literal(0),
        )
        .where(*in_scope(replica, scope))
        .group_by(replica.desa_code)
    )


def _points(scope: Scope) -> Any:
    """("point", desa code, -, -, 1, 0) of the desa in the scope's wilayah inside a WMK."""
    point = _table(DesaPoint).c
    return select(
        _text(literal("point")), point.desa_code, _text(null()), _text(null()), literal(1),
        literal(0),
    ).where(under(point.desa_code, scope.wilayah), point.inside_wmk.is_(True))  # fmt: skip


def _ancestors(scopes: Sequence[str]) -> list[str]:
    """Every code a scope lies within (itself and its parents)."""
    out: set[str] = set()
    for scope in scopes:
        parts = scope.split(".")
        out.update(".".join(parts[: n + 1]) for n in range(len(parts)))
    return sorted(out)


def _disasters(scope: Scope, period: Period) -> Any:
    """("disaster", its wilayah, -, its listed desa, needing evacuation, evacuated) of the
    disasters of the period within the scope or holding it (by index; their listed desa are
    checked after)."""
    t = _table(Disaster).c
    area = or_(under(t.wilayah_code, scope.wilayah), t.wilayah_code.in_(_ancestors(scope.wilayah)))
    return select(
        _text(literal("disaster")), t.wilayah_code, _text(null()), _text(t.affected_desa),
        t.needing_evacuation, t.evacuated,
    ).where(t.occurred_on.between(period.start, period.end), area)  # fmt: skip


def _zones(scope: Scope, period: Period) -> tuple[Any, Any]:
    """("zone", desa, hazard, -, people, 0) of the hazard zones of the period's year in scope,
    and ("reached", desa, hazard, -, people reached, 0) by the period's outreach in scope."""
    zone, outreach = _table(HazardZone).c, _table(RiskOutreach).c
    zones = (
        select(
            _text(literal("zone")),
            zone.desa_code,
            zone.hazard,
            _text(null()),
            func.sum(zone.population),
            literal(0),
        )
        .where(zone.year == period.start.year, under(zone.desa_code, scope.wilayah))
        .group_by(zone.desa_code, zone.hazard)
    )
    reached = (
        select(
            _text(literal("reached")),
            outreach.desa_code,
            outreach.hazard,
            _text(null()),
            func.sum(outreach.people_reached),
            literal(0),
        )
        .where(*in_scope(outreach, scope), outreach.held_on.between(period.start, period.end))
        .group_by(outreach.desa_code, outreach.hazard)
    )
    return zones, reached
