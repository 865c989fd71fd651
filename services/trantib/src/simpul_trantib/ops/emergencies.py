"""The emergencies DPMD follows across fields: fires reported in a period that missed the
response time, and the period's disasters and damaging fires with the households they struck
in the wilayah (by pseudonym: housing and social follow the same households by it).

The period is of local dates (the deployment's time zone): a fire reported at 00:30 WITA on
1 July is July's, though UTC still says 30 June.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_day
from simpul_platform.indicators import Period
from simpul_platform.wilayah import overlapping, under
from simpul_trantib.models import (
    Disaster,
    DisasterHousehold,
    FireDamagedHouse,
    FireIncident,
    FirePost,
)
from simpul_trantib.schemas.emergencies import (
    AffectedHousehold,
    Emergencies,
    Emergency,
    MissedFire,
)
from simpul_trantib.settings import TrantibSettings

FIRE_HAZARD = "kebakaran"
F = FireIncident


def instants(period: Period, settings: TrantibSettings) -> tuple[datetime, datetime]:
    """The period's local days as UTC instants: [its first midnight, the midnight after)."""
    zone = settings.zone
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def missed(now: datetime, minutes: int) -> ColumnElement[bool]:
    """Response not met: recorded as missed; or arrived late with the verdict not kept; or
    no arrival recorded once the response time has passed."""
    allowed = timedelta(minutes=minutes)
    received, arrived, met = col(F.report_received_at), col(F.arrived_at), col(F.response_met)
    return or_(
        met.is_(False),
        and_(met.is_(None), arrived.is_(None), received < now - allowed),
        and_(met.is_(None), arrived > received + allowed),
    )


async def emergencies(
    session: AsyncSession,
    settings: TrantibSettings,
    wilayah: str,
    scopes: Sequence[str],
    period: Period,
    now: datetime,
) -> Emergencies:
    """The view for ``wilayah``, read within ``scopes`` (the caller's part of it)."""
    found = [
        *await disasters(session, scopes, period),
        *await damaging_fires(session, settings, scopes, period),
    ]
    return Emergencies(
        wilayah=wilayah,
        period=period.label,
        response_minutes=settings.fire_response_minutes,
        missed_fires=await missed_fires(session, settings, scopes, period, now),
        emergencies=sorted(found, key=lambda e: (e.occurred_on, e.kind, e.id)),
    )


def _fires_in(
    settings: TrantibSettings, scopes: Sequence[str], period: Period
) -> ColumnElement[bool]:
    if not scopes:
        return false()
    start, end = instants(period, settings)
    received = col(F.report_received_at)
    return and_(under(F.desa_code, scopes), received >= start, received < end)


async def missed_fires(
    session: AsyncSession,
    settings: TrantibSettings,
    scopes: Sequence[str],
    period: Period,
    now: datetime,
) -> list[MissedFire]:
    statement = (
        select(F, col(FirePost.name))
        .outerjoin(FirePost, col(FirePost.id) == col(F.fire_post_id))
        .where(_fires_in(settings, scopes, period), missed(now, settings.fire_response_minutes))
        .order_by(col(F.report_received_at), col(F.id))
    )
    return [
        MissedFire(
            incident_id=fire.id,
            posyandu_id=fire.posyandu_id,
            desa_code=fire.desa_code,
            object_kind=fire.object_kind,
            fire_post_id=fire.fire_post_id,
            fire_post_name=post_name,
            inside_wmk=fire.inside_wmk,
            distance_km=fire.distance_km,
            report_received_at=fire.report_received_at,
            arrived_at=fire.arrived_at,
            response_seconds=fire.response_seconds,
        )
        for fire, post_name in (await session.exec(statement)).all()
    ]


async def damaging_fires(
    session: AsyncSession, settings: TrantibSettings, scopes: Sequence[str], period: Period
) -> list[Emergency]:
    """The period's fires in the wilayah that damaged a house, with those houses' households
    in the wilayah."""
    in_period = _fires_in(settings, scopes, period)
    damaged = exists().where(col(FireDamagedHouse.incident_id) == col(F.id))
    fires = (await session.exec(select(F).where(in_period, damaged))).all()
    houses = (
        await session.exec(
            select(FireDamagedHouse)
            .join(F, col(F.id) == col(FireDamagedHouse.incident_id))
            .where(in_period, under(FireDamagedHouse.desa_code, scopes))
            .order_by(col(FireDamagedHouse.desa_code), col(FireDamagedHouse.household_ref))
        )
    ).all()
    by_fire: dict[str, list[AffectedHousehold]] = defaultdict(list)
    for house in houses:
        # A fire's record does not say whether the household had to leave: null, not a guess.
        by_fire[house.incident_id].append(
            AffectedHousehold(
                household_ref=house.household_ref,
                desa_code=house.desa_code,
                damage=house.damage,
                displaced=None,
            )
        )
    return [
        _fire(fire, local_day(settings, fire.report_received_at), by_fire[fire.id])
        for fire in fires
    ]


def _fire(fire: FireIncident, day: date, households: list[AffectedHousehold]) -> Emergency:
    return Emergency(
        kind="fire",
        id=fire.id,
        name=f"Kebakaran {fire.object_kind} {fire.desa_code} {day.isoformat()}",
        hazard=FIRE_HAZARD,
        occurred_on=day,
        wilayah_code=fire.desa_code,
        households=households,
    )


async def disasters(
    session: AsyncSession, scopes: Sequence[str], period: Period
) -> list[Emergency]:
    """The period's disasters whose area overlaps the wilayah, with their households in it."""
    if not scopes:
        return []
    occurred = col(Disaster.occurred_on)
    in_period = and_(
        occurred >= period.start,
        occurred <= period.end,
        overlapping(Disaster.wilayah_code, scopes),
    )
    found = (await session.exec(select(Disaster).where(in_period))).all()
    households = (
        await session.exec(
            select(DisasterHousehold)
            .join(Disaster, col(Disaster.id) == col(DisasterHousehold.disaster_id))
            .where(in_period, under(DisasterHousehold.desa_code, scopes))
            .order_by(col(DisasterHousehold.desa_code), col(DisasterHousehold.household_ref))
        )
    ).all()
    by_disaster: dict[str, list[AffectedHousehold]] = defaultdict(list)
    for household in households:
        by_disaster[household.disaster_id].append(
            AffectedHousehold(
                household_ref=household.household_ref,
                desa_code=household.desa_code,
                damage=household.damage,
                displaced=household.displaced,
            )
        )
    return [
        Emergency(
            kind="disaster",
            id=disaster.id,
            name=disaster.name,
            hazard=disaster.kind,
            occurred_on=disaster.occurred_on,
            wilayah_code=disaster.wilayah_code,
            households=by_disaster[disaster.id],
        )
        for disaster in found
    ]
