"""Fire incidents (``domain.fire``): reported at a posyandu's desa the caller may write to,
with the nearest active post and the WMK verdict fixed from the place's coordinates at the
report; times recorded in order as the incident goes, the response time kept with them;
casualties, loss and the investigation; the damaged houses' households; closed once, which
announces ``FireAttended`` with the households as pseudonyms (housing and social open cases
from it, so nothing about the incident changes after it). Every write drops the kept counts
of the posyandu from the report's local month on. The reads are ``ops.fire_reads``.
"""

from __future__ import annotations

from datetime import datetime

from simpul_platform.auth import Principal
from simpul_platform.clock import local_day
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict
from simpul_platform.events import new_id
from simpul_platform.geo import check_coordinates
from simpul_platform.pseudonym import household_ref
from simpul_platform.uow import UnitOfWork
from simpul_trantib.domain import fire
from simpul_trantib.events import DamagedHousehold, FireAttended, FireReported
from simpul_trantib.models import FireDamagedHouse, FireIncident
from simpul_trantib.ops import tallies
from simpul_trantib.ops.access import posyandu_for_write
from simpul_trantib.ops.fire_posts import coverage_at
from simpul_trantib.ops.fire_reads import damaged_houses
from simpul_trantib.schemas.fire import (
    DamagedHousesIn,
    FireIncidentIn,
    FireIncidentPatch,
    FireTimesIn,
)
from simpul_trantib.settings import TrantibSettings


def _times(incident: FireIncident) -> dict[str, datetime | None]:
    return {name: getattr(incident, name) for name, _ in fire.SEQUENCE}


def _follow_times(incident: FireIncident, settings: TrantibSettings) -> None:
    """Status and response from the times (after any of them changed)."""
    incident.status = fire.status_of(_times(incident), closed=incident.closed_at is not None)
    seconds = fire.response_seconds(incident.report_received_at, incident.arrived_at)
    incident.response_seconds = seconds
    incident.response_met = fire.response_met(seconds, settings.fire_response_minutes)


async def _touched(
    uow: UnitOfWork, incident: FireIncident, settings: TrantibSettings, actor: str, at: datetime
) -> None:
    """Attribute the change, stage the row, drop the counts it feeds."""
    incident.updated_by, incident.updated_at = actor, at
    uow.session.add(incident)
    since = local_day(settings, incident.report_received_at)
    await tallies.invalidate(uow.session, incident.posyandu_id, since)


async def report(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    body: FireIncidentIn,
    moment: datetime,
) -> FireIncident:
    """Stage a reported fire and ``FireReported`` (the desa and the WMK verdict; no place)."""
    check_coordinates(body.latitude, body.longitude)
    given = {n for n, _ in fire.SEQUENCE if getattr(body, n) is not None}
    fire.check_times(body.model_dump(), given, moment)
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    cover = await coverage_at(uow.session, settings, body.latitude, body.longitude)
    actor = principal.subject
    incident = FireIncident(
        id=new_id(),
        desa_code=str(posyandu["desa_code"]),
        **body.model_dump(),
        status="received",
        fire_post_id=cover.post_id,
        distance_km=cover.distance_km,
        inside_wmk=cover.inside_wmk,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    _follow_times(incident, settings)
    await _touched(uow, incident, settings, actor, moment)
    uow.publish(
        FireReported(
            incident_id=incident.id,
            posyandu_id=incident.posyandu_id,
            desa_code=incident.desa_code,
            object_kind=incident.object_kind,
            report_received_at=incident.report_received_at,
            fire_post_id=incident.fire_post_id,
            distance_km=incident.distance_km,
            inside_wmk=incident.inside_wmk,
        ),
        subject=incident.id,
    )
    return incident


def _open(incident: FireIncident) -> None:
    """A closed incident was announced to housing and social: it changes no more."""
    if incident.closed_at is not None:
        raise Conflict(
            f"Fire incident {incident.id} is closed: it changes no more.",
            current_status=incident.status,
        )


async def record_times(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    incident: FireIncident,
    body: FireTimesIn,
    moment: datetime,
) -> None:
    """Record (or correct) times: in order with every recorded one, none in the future."""
    _open(incident)
    given = {name: value for name, value in body.model_dump().items() if value is not None}
    if not given:
        raise RuleViolation("body", "time_required", "Give at least one time.")
    fire.check_times({**_times(incident), **given}, set(given), moment)
    for name, value in given.items():
        setattr(incident, name, value)
    _follow_times(incident, settings)
    await _touched(uow, incident, settings, principal.subject, moment)


async def amend(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    incident: FireIncident,
    body: FireIncidentPatch,
    moment: datetime,
) -> None:
    """Casualties, loss, units, crew, investigation, cause: the values given (a null leaves
    a count as it is)."""
    _open(incident)
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(incident, name, value)
    await _touched(uow, incident, settings, principal.subject, moment)


async def add_damaged_houses(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    incident: FireIncident,
    body: DamagedHousesIn,
    moment: datetime,
) -> list[FireDamagedHouse]:
    """The houses the fire damaged, each household once per incident (a 409 naming the item
    otherwise), at a posyandu the caller may write to."""
    _open(incident)
    known = {h.household_ref for h in await damaged_houses(uow.session, incident.id)}
    added: list[FireDamagedHouse] = []
    for index, item in enumerate(body.items):
        field = f"body.items[{index}]"
        posyandu = await posyandu_for_write(
            uow.session, item.posyandu_id, principal, f"{field}.posyandu_id"
        )
        ref = household_ref(settings.pseudonym_secret, item.kk)
        if ref in known:
            raise Conflict(
                f"{field}: this household is already recorded for the incident.",
                field=f"{field}.kk",
                incident_id=incident.id,
            )
        known.add(ref)
        house = FireDamagedHouse(
            id=new_id(),
            incident_id=incident.id,
            kk=item.kk,
            household_ref=ref,
            posyandu_id=item.posyandu_id,
            desa_code=str(posyandu["desa_code"]),
            damage=item.damage,
            members=item.members,
            created_by=principal.subject,
            created_at=moment,
        )
        uow.session.add(house)
        added.append(house)
    since = local_day(settings, incident.report_received_at)
    await tallies.invalidate_many(uow.session, {h.posyandu_id for h in added}, since)
    await _touched(uow, incident, settings, principal.subject, moment)
    return added


async def close(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    incident: FireIncident,
    moment: datetime,
) -> None:
    """Close an extinguished incident and announce ``FireAttended`` (once: a closed
    incident is not closed again)."""
    _open(incident)
    if incident.extinguished_at is None:
        raise RuleViolation(
            "body.extinguished_at",
            "extinguished_required",
            "Record when the fire was extinguished before closing the incident.",
        )
    incident.closed_at = moment
    _follow_times(incident, settings)
    await _touched(uow, incident, settings, principal.subject, moment)
    houses = await damaged_houses(uow.session, incident.id)
    uow.publish(attended(incident, houses, settings), subject=incident.id)


def attended(
    incident: FireIncident, houses: list[FireDamagedHouse], settings: TrantibSettings
) -> FireAttended:
    return FireAttended(
        incident_id=incident.id,
        posyandu_id=incident.posyandu_id,
        desa_code=incident.desa_code,
        object_kind=incident.object_kind,
        cause=incident.cause,
        occurred_on=local_day(settings, incident.report_received_at),
        report_received_at=incident.report_received_at,
        arrived_at=incident.arrived_at,
        extinguished_at=incident.extinguished_at,
        response_seconds=incident.response_seconds,
        response_met=incident.response_met,
        fire_post_id=incident.fire_post_id,
        inside_wmk=incident.inside_wmk,
        casualties={name: getattr(incident, name) for name in fire.CASUALTIES},
        loss_rupiah=incident.loss_rupiah,
        damaged_households=[
            DamagedHousehold(
                household_ref=h.household_ref,
                posyandu_id=h.posyandu_id,
                desa_code=h.desa_code,
                damage=h.damage,
                displaced=fire.displaced(h.damage),
                members=h.members,
            )
            for h in houses
        ],
    )
