"""Hazard zones and risk outreach (SPM bencana's risk information: people of hazard-zone desa
reached by KIE ÷ people there).

A zone is one per desa, hazard and year: writers of one such key are serialised by an advisory
lock (two requests cannot both find "none yet"); the second is a 409 naming the first. Outreach
is refused with ``not_hazard_zone`` unless its desa is a zone for that hazard in the year it was
held, and drops the posyandu's kept counts from its day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.locks import hold
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_trantib.domain.disaster import reach
from simpul_trantib.models import HazardZone, RiskOutreach
from simpul_trantib.ops import tallies
from simpul_trantib.ops.access import posyandu_for_write
from simpul_trantib.schemas.hazard import (
    HazardZoneIn,
    RiskOutreachIn,
    RiskReachOut,
    ZoneReach,
)

LOCK_CLASS = 0x7A2D  # the first key of the hazard-zone locks (the second: desa, hazard, year)
# A zone may be mapped for the coming year, not further.
YEARS_AHEAD = 1


async def add_zone(
    uow: UnitOfWork, principal: Principal, body: HazardZoneIn, today: date
) -> HazardZone:
    """Stage a hazard zone in the caller's wilayah (403); a second of one desa, hazard and year
    is a 409 naming the first."""
    principal.require_wilayah(body.desa_code)
    if body.year > today.year + YEARS_AHEAD:
        raise RuleViolation(
            "body.year",
            "too_far_ahead",
            f"A zone is mapped for {today.year + YEARS_AHEAD} at most.",
        )
    await hold(uow.session, LOCK_CLASS, [f"{body.desa_code}:{body.hazard}:{body.year}"])
    first = await zone_of(uow.session, body.desa_code, body.hazard, body.year)
    if first is not None:
        raise Conflict(
            f"Desa {body.desa_code} is a {body.hazard} zone for {body.year} already ({first.id}).",
            hazard_zone_id=first.id,
        )
    moment, actor = now(), principal.subject
    zone = HazardZone(
        id=new_id(),
        **body.model_dump(),
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(zone)
    return zone


async def zone_of(session: AsyncSession, desa: str, hazard: str, year: int) -> HazardZone | None:
    query = select(HazardZone).where(
        HazardZone.desa_code == desa, HazardZone.hazard == hazard, HazardZone.year == year
    )
    return (await session.exec(query)).first()


async def list_zones(
    session: AsyncSession, principal: Principal, *, wilayah: str | None, year: int | None
) -> Sequence[HazardZone]:
    """Zones in the caller's scope, by year (latest first), desa and hazard."""
    query = select(HazardZone).where(
        under(col(HazardZone.desa_code), principal.visible_scopes(wilayah))
    )
    if year is not None:
        query = query.where(HazardZone.year == year)
    query = query.order_by(
        col(HazardZone.year).desc(), col(HazardZone.desa_code), col(HazardZone.hazard)
    )
    return list((await session.exec(query)).all())


async def record_outreach(
    uow: UnitOfWork, principal: Principal, body: RiskOutreachIn, today: date
) -> tuple[RiskOutreach, HazardZone]:
    """Stage risk information given at a posyandu (active, in the caller's wilayah) whose desa
    is a zone for the hazard in the year it was held (422 ``not_hazard_zone`` otherwise)."""
    not_in_future(body.held_on, today, "body.held_on", "The outreach date")
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    desa = posyandu["desa_code"]
    zone = await zone_of(uow.session, desa, body.hazard, body.held_on.year)
    if zone is None:
        raise RuleViolation(
            "body.hazard",
            "not_hazard_zone",
            f"Desa {desa} is not a {body.hazard} zone in {body.held_on.year}.",
        )
    outreach = RiskOutreach(
        id=new_id(),
        **body.model_dump(),
        desa_code=desa,
        created_by=principal.subject,
        created_at=now(),
    )
    uow.session.add(outreach)
    await tallies.invalidate(uow.session, body.posyandu_id, body.held_on)
    return outreach, zone


async def reach_in(
    session: AsyncSession, principal: Principal, *, wilayah: str | None, year: int
) -> RiskReachOut:
    """Each zone of the year in the caller's scope with the people its outreach reached that
    year, capped at its population, and the whole's reach."""
    scopes = principal.visible_scopes(wilayah)
    reached = (
        select(
            RiskOutreach.desa_code,
            RiskOutreach.hazard,
            func.sum(RiskOutreach.people_reached).label("reached"),
        )
        .where(
            under(col(RiskOutreach.desa_code), scopes),
            col(RiskOutreach.held_on) >= date(year, 1, 1),
            col(RiskOutreach.held_on) <= date(year, 12, 31),
        )
        .group_by(col(RiskOutreach.desa_code), col(RiskOutreach.hazard))
    )
    sums = {(d, h): int(n) for d, h, n in (await session.exec(reached)).all()}
    zones = await list_zones(session, principal, wilayah=wilayah, year=year)
    found = [
        ZoneReach(
            zone_id=zone.id,
            desa_code=zone.desa_code,
            hazard=zone.hazard,
            population=zone.population,
            reached=sums.get((zone.desa_code, zone.hazard), 0),
            reach=reach(sums.get((zone.desa_code, zone.hazard), 0), zone.population),
        )
        for zone in zones
    ]
    population = sum(z.population for z in found)
    capped = sum(min(z.reached, z.population) for z in found)
    return RiskReachOut(
        year=year,
        population=population,
        reached=capped,
        reach=capped / population if population else None,
        zones=found,
    )
