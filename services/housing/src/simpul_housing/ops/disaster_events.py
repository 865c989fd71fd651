"""Disaster events: recorded by Perkim (or from another service's event, idempotent by its id),
seen by whoever works in the wilayah they struck, read with their damaged houses counted per
class and status.

An event is visible to a caller whose wilayah overlaps the area it struck: a flood over a
kecamatan is seen by the kecamatan's desa kader (they report its houses) as well as by the
kabupaten's Perkim.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.models import DisasterEvent, DisasterHouse
from simpul_housing.schemas.disaster import DisasterIn
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import NotFound
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import overlapping

UNASSESSED = "unassessed"


async def create_event(
    uow: UnitOfWork, principal: Principal, body: DisasterIn, today: date
) -> DisasterEvent:
    """Stage a disaster a user records, over an area inside the caller's wilayah (403)."""
    not_in_future(body.occurred_on, today, "body.occurred_on", "The disaster date")
    principal.require_wilayah(body.wilayah_code)
    return _stage(uow, body, principal.subject, source="report", source_event_id=None)


async def event_from_source(
    uow: UnitOfWork, body: DisasterIn, *, source: str, source_event_id: str, actor: str
) -> DisasterEvent:
    """The disaster another service announced (trantib's disaster or fire event), created the
    first time its event id is seen and found by it after (``source_event_id`` is unique: a
    redelivery, or two damaged houses of one disaster, reach the same row). The caller locks
    nothing: a concurrent first sighting is refused by the unique index on commit."""
    query = select(DisasterEvent).where(DisasterEvent.source_event_id == source_event_id)
    found = (await uow.session.exec(query.with_for_update())).first()
    if found is not None:
        return found
    return _stage(uow, body, actor, source=source, source_event_id=source_event_id)


def _stage(
    uow: UnitOfWork, body: DisasterIn, actor: str, *, source: str, source_event_id: str | None
) -> DisasterEvent:
    moment = now()
    event = DisasterEvent(
        id=new_id(),
        **body.model_dump(),
        source=source,
        source_event_id=source_event_id,
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(event)
    return event


async def visible_event(
    session: AsyncSession, principal: Principal, event_id: str, *, lock: bool = False
) -> DisasterEvent:
    """A disaster over an area overlapping the caller's wilayah; 404 otherwise."""
    event = await session.get(DisasterEvent, event_id, with_for_update=lock or None)
    if event is None or not principal.overlaps(event.wilayah_code):
        raise NotFound(f"No disaster {event_id} in your wilayah.")
    return event


async def list_events(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    kind: str | None,
    year: int | None,
    limit: int,
    offset: int,
) -> Sequence[DisasterEvent]:
    """Disasters over areas overlapping the caller's scope, the latest first."""
    scopes = principal.visible_scopes(wilayah)
    area = col(DisasterEvent.wilayah_code)
    query = select(DisasterEvent).where(overlapping(area, scopes))
    if kind is not None:
        query = query.where(DisasterEvent.kind == kind)
    if year is not None:
        query = query.where(
            col(DisasterEvent.occurred_on) >= date(year, 1, 1),
            col(DisasterEvent.occurred_on) <= date(year, 12, 31),
        )
    query = query.order_by(col(DisasterEvent.occurred_on).desc(), col(DisasterEvent.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())


async def counts(session: AsyncSession, event_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """The event's damaged houses per class (``unassessed`` before an assessment) and per
    status."""
    query = (
        select(DisasterHouse.damage, DisasterHouse.status, func.count())
        .where(DisasterHouse.event_id == event_id)
        .group_by(col(DisasterHouse.damage), col(DisasterHouse.status))
    )
    by_damage: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for damage, status, n in (await session.exec(query)).all():
        key = damage or UNASSESSED
        by_damage[key] = by_damage.get(key, 0) + n
        by_status[status] = by_status.get(status, 0) + n
    return by_damage, by_status
