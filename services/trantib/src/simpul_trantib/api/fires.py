"""Fire incidents: reported by Damkar (and the trantib OPD) at a posyandu's desa within
their wilayah, its times recorded in order as the incident goes (the response time =
arrival − report received, against ``fire_response_minutes``), casualties and loss, the
damaged houses' households, and the close that announces the incident to housing and social.
Readers read incidents in their wilayah; the response-time figures are for aggregate readers
too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_platform.auth import Principal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.indicators import PeriodQuery, period_from_query
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_trantib.api.deps import AggregateReader, Fire, Now, Reader, SettingsDep
from simpul_trantib.models import FireIncident
from simpul_trantib.ops import commit
from simpul_trantib.ops import fire_reads as reads
from simpul_trantib.ops import fires as ops
from simpul_trantib.schemas import DayQuery
from simpul_trantib.schemas.fire import (
    DamagedHousesIn,
    FireIncidentDetail,
    FireIncidentIn,
    FireIncidentOut,
    FireIncidentPatch,
    FireResponseOut,
    FireTimesIn,
)
from simpul_trantib.settings import TrantibSettings

router = APIRouter(tags=["fire incidents"])
INCIDENTS = "/v1/fire-incidents"
ONE = INCIDENTS + "/{incident_id}"
STEP_PROBLEMS = problems(404, 409, 422)  # outside the wilayah; closed; a time's rule


@router.post(
    INCIDENTS,
    status_code=201,
    response_model=FireIncidentDetail,
    operation_id="reportFireIncident",
    responses=problems(403, 422),
)
async def report_incident(
    body: FireIncidentIn, uow: UnitOfWorkDep, principal: Fire, settings: SettingsDep, now: Now
) -> Any:
    """Report a fire: its nearest active post, distance and WMK come from its coordinates."""
    incident = await ops.report(uow, principal, settings, body, now)
    await uow.commit()
    return await reads.detail(uow.session, incident, settings, now)


@router.get(INCIDENTS, response_model=list[FireIncidentOut], operation_id="listFireIncidents")
async def list_incidents(
    session: SessionDep,
    principal: Reader,
    settings: SettingsDep,
    now: Now,
    wilayah: WilayahQuery = None,
    since: Annotated[
        DayQuery | None, Query(alias="from", description="reported on or after (local date)")
    ] = None,
    until: Annotated[
        DayQuery | None, Query(alias="to", description="reported on or before (local date)")
    ] = None,
    missed: Annotated[
        bool | None,
        Query(description="response over the limit, or no arrival and the limit past"),
    ] = None,
    inside_wmk: Annotated[bool | None, Query(description="inside (or outside) a WMK")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Fire incidents in the caller's wilayah, latest call first."""
    found = await reads.list_incidents(
        session,
        principal,
        settings,
        wilayah=wilayah,
        since=since,
        until=until,
        missed=missed,
        inside_wmk=inside_wmk,
        now=now,
        limit=limit,
        offset=offset,
    )
    return [reads.incident_out(row, settings, now) for row in found]


@router.get(
    ONE,
    response_model=FireIncidentDetail,
    operation_id="getFireIncident",
    responses=problems(404),
)
async def get_incident(
    incident_id: str, session: SessionDep, principal: Reader, settings: SettingsDep, now: Now
) -> Any:
    """One incident with its damaged houses (No. KK masked)."""
    incident = await reads.visible_incident(session, principal, incident_id)
    return await reads.detail(session, incident, settings, now)


Change = Callable[[UnitOfWork, FireIncident], Awaitable[object]]


async def _change(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    incident_id: str,
    now: datetime,
    change: Change,
) -> Any:
    """Lock the incident, change it, commit, answer it with its damaged houses."""
    incident = await reads.visible_incident(uow.session, principal, incident_id, lock=True)
    await change(uow, incident)
    await commit(uow, "A household is already recorded for this incident.")
    return await reads.detail(uow.session, incident, settings, now)


@router.post(
    ONE + "/times",
    response_model=FireIncidentDetail,
    operation_id="recordFireIncidentTimes",
    responses=STEP_PROBLEMS,
)
async def record_times(
    incident_id: str,
    body: FireTimesIn,
    uow: UnitOfWorkDep,
    principal: Fire,
    settings: SettingsDep,
    now: Now,
) -> Any:
    """Record times (dispatched … extinguished): in order, none in the future."""
    return await _change(
        uow,
        principal,
        settings,
        incident_id,
        now,
        lambda u, i: ops.record_times(u, principal, settings, i, body, now),
    )


@router.patch(
    ONE,
    response_model=FireIncidentDetail,
    operation_id="updateFireIncident",
    responses=STEP_PROBLEMS,
)
async def update_incident(
    incident_id: str,
    body: FireIncidentPatch,
    uow: UnitOfWorkDep,
    principal: Fire,
    settings: SettingsDep,
    now: Now,
) -> Any:
    """Casualties, loss, units and crew, the investigation and the cause."""
    return await _change(
        uow,
        principal,
        settings,
        incident_id,
        now,
        lambda u, i: ops.amend(u, principal, settings, i, body, now),
    )


@router.post(
    ONE + "/damaged-houses",
    response_model=FireIncidentDetail,
    operation_id="addFireDamagedHouses",
    responses=problems(403, 404, 409, 422),
)
async def add_damaged_houses(
    incident_id: str,
    body: DamagedHousesIn,
    uow: UnitOfWorkDep,
    principal: Fire,
    settings: SettingsDep,
    now: Now,
) -> Any:
    """The houses the fire damaged, each household (No. KK at a posyandu) once."""
    return await _change(
        uow,
        principal,
        settings,
        incident_id,
        now,
        lambda u, i: ops.add_damaged_houses(u, principal, settings, i, body, now),
    )


@router.post(
    ONE + "/close",
    response_model=FireIncidentDetail,
    operation_id="closeFireIncident",
    responses=STEP_PROBLEMS,
)
async def close_incident(
    incident_id: str, uow: UnitOfWorkDep, principal: Fire, settings: SettingsDep, now: Now
) -> Any:
    """Close an extinguished incident: announced once, with its households as pseudonyms."""
    return await _change(
        uow,
        principal,
        settings,
        incident_id,
        now,
        lambda u, i: ops.close(u, principal, settings, i, now),
    )


@router.get("/v1/fire-response", response_model=FireResponseOut, operation_id="getFireResponse")
async def fire_response(
    period: PeriodQuery,
    session: SessionDep,
    principal: AggregateReader,
    settings: SettingsDep,
    wilayah: WilayahQuery = None,
) -> Any:
    """Response time over a period (by the report's local date): incidents, arrivals, mean
    and median seconds, the share met, inside and outside the WMK, per fire post."""
    window = period_from_query(period)
    return await reads.response(session, principal, settings, wilayah, window)
