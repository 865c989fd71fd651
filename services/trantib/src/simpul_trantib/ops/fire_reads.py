"""Reading fire incidents: one the caller may see (404 otherwise) with its damaged houses (No.
KK masked), lists by wilayah, the report's local dates, missed and inside the WMK, and the
response time over a period (overall, inside and outside the WMK, per fire post).

Dates are the deployment's: a period or a ``from``/``to`` bound is turned into the instants
its local days begin and end, so a fire called in at 07:00 WITA on the 1st is the 1st's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from statistics import fmean, median

from sqlalchemy import and_, not_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.indicators import Period, percent
from simpul_platform.pseudonym import mask_nik
from simpul_platform.wilayah import under
from simpul_trantib.domain import fire
from simpul_trantib.models import FireDamagedHouse, FireIncident, FirePost
from simpul_trantib.schemas.fire import (
    DamagedHouseOut,
    FireIncidentDetail,
    FireIncidentOut,
    FireResponseOut,
    PostResponse,
    ResponseStats,
    shown,
)
from simpul_trantib.settings import TrantibSettings

Incident = FireIncident


async def visible_incident(
    session: AsyncSession, principal: Principal, incident_id: str, *, lock: bool = False
) -> FireIncident:
    row = await session.get(Incident, incident_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No fire incident {incident_id} in your wilayah.")
    return row


async def damaged_houses(session: AsyncSession, incident_id: str) -> list[FireDamagedHouse]:
    query = select(FireDamagedHouse).where(FireDamagedHouse.incident_id == incident_id)
    query = query.order_by(col(FireDamagedHouse.created_at), col(FireDamagedHouse.id))
    return list((await session.exec(query)).all())


def incident_out(row: FireIncident, settings: TrantibSettings, now: datetime) -> FireIncidentOut:
    return FireIncidentOut.model_validate(shown(row, missed=_missed(row, settings, now)))


def _missed(row: FireIncident, settings: TrantibSettings, now: datetime) -> bool:
    return fire.missed(
        row.report_received_at,
        row.arrived_at,
        row.response_met,
        now,
        settings.fire_response_minutes,
    )


def house_out(house: FireDamagedHouse) -> DamagedHouseOut:
    return DamagedHouseOut.model_validate(
        shown(house, kk=mask_nik(house.kk), displaced=fire.displaced(house.damage))
    )


async def detail(
    session: AsyncSession, row: FireIncident, settings: TrantibSettings, now: datetime
) -> FireIncidentDetail:
    houses = [house_out(h) for h in await damaged_houses(session, row.id)]
    return FireIncidentDetail.model_validate(
        shown(row, missed=_missed(row, settings, now), damaged_houses=houses)
    )


# Incidents are from this century (``domain.fire.EARLIEST``): a bound outside these days
# selects the same rows, and every instant of them can be told in UTC.
FIRST_DAY, LAST_DAY = date(1999, 12, 1), date(3000, 1, 1)


def day_start(settings: TrantibSettings, day: date) -> datetime:
    """The instant a local day begins."""
    kept = min(max(day, FIRST_DAY), LAST_DAY)
    return datetime.combine(kept, time.min, tzinfo=settings.zone)


def day_after(settings: TrantibSettings, day: date) -> datetime:
    """The instant the local day after ``day`` begins: the end of ``day``, exclusive."""
    return day_start(settings, min(day, LAST_DAY) + timedelta(days=1))


def missed_clause(settings: TrantibSettings, now: datetime) -> ColumnElement[bool]:
    """``domain.fire.missed`` as SQL."""
    limit = now - timedelta(minutes=settings.fire_response_minutes)
    return or_(
        col(Incident.response_met).is_(False),
        and_(col(Incident.arrived_at).is_(None), col(Incident.report_received_at) < limit),
    )


async def list_incidents(
    session: AsyncSession,
    principal: Principal,
    settings: TrantibSettings,
    *,
    wilayah: str | None,
    since: date | None,
    until: date | None,
    missed: bool | None,
    inside_wmk: bool | None,
    now: datetime,
    limit: int,
    offset: int,
) -> Sequence[FireIncident]:
    """Incidents in the caller's scope, latest call first."""
    query = select(Incident).where(
        under(col(Incident.desa_code), principal.visible_scopes(wilayah))
    )
    if since is not None:
        query = query.where(col(Incident.report_received_at) >= day_start(settings, since))
    if until is not None:
        query = query.where(col(Incident.report_received_at) < day_after(settings, until))
    if missed is not None:
        clause = missed_clause(settings, now)
        query = query.where(clause if missed else not_(clause))
    if inside_wmk is not None:
        query = query.where(col(Incident.inside_wmk).is_(inside_wmk))
    query = query.order_by(col(Incident.report_received_at).desc(), col(Incident.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())


def stats(rows: Iterable[FireIncident]) -> ResponseStats:
    """Incidents, arrivals, the mean and median response over arrivals, met ÷ incidents."""
    listed = list(rows)
    seconds = [r.response_seconds for r in listed if r.response_seconds is not None]
    met = sum(1 for r in listed if r.response_met)
    return ResponseStats(
        incidents=len(listed),
        arrived=len(seconds),
        met=met,
        share_met_percent=percent(met, len(listed)),
        mean_response_seconds=round(fmean(seconds), 1) if seconds else None,
        median_response_seconds=float(median(seconds)) if seconds else None,
    )


async def response(
    session: AsyncSession,
    principal: Principal,
    settings: TrantibSettings,
    wilayah: str | None,
    period: Period,
) -> FireResponseOut:
    """The response time of the incidents reported in the period in the caller's scope."""
    scopes = principal.visible_scopes(wilayah)
    query = select(Incident).where(
        under(col(Incident.desa_code), scopes),
        col(Incident.report_received_at) >= day_start(settings, period.start),
        col(Incident.report_received_at) < day_after(settings, period.end),
    )
    rows = list((await session.exec(query)).all())
    return FireResponseOut(
        **stats(rows).model_dump(),
        wilayah=scopes,
        period=period.label,
        start=period.start,
        end=period.end,
        limit_minutes=settings.fire_response_minutes,
        inside_wmk=stats(r for r in rows if r.inside_wmk),
        outside_wmk=stats(r for r in rows if not r.inside_wmk),
        by_post=await _by_post(session, rows),
    )


async def _by_post(session: AsyncSession, rows: list[FireIncident]) -> list[PostResponse]:
    """Each post's incidents (the post nearest at the call), by post name; incidents with no
    active post last."""
    ids = sorted({r.fire_post_id for r in rows if r.fire_post_id is not None})
    names: dict[str, str] = {}
    if ids:
        found = await session.exec(select(FirePost).where(col(FirePost.id).in_(ids)))
        names = {p.id: p.name for p in found.all()}
    order = sorted(ids, key=lambda i: (names.get(i, ""), i))
    keys: list[str | None] = [*order, None]
    result = []
    for key in keys:
        mine = [r for r in rows if r.fire_post_id == key]
        if mine:
            counted = stats(mine).model_dump()
            result.append(PostResponse(**counted, fire_post_id=key, name=names.get(key or "")))
    return result
