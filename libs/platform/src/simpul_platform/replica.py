"""A local replica of posyandu identity, kept from the registry's events.

Field services never call the registry on a write path: they opt in to this replica by adding
``replica_metadata`` to their ServiceSpec.metadata (and migrations) and
``posyandu_replica_consumer("<service>.posyandu-replica")`` to their consumers, then check a
posyandu with ``require_active_posyandu(session, posyandu_id)``.

Every registry posyandu event carries the posyandu's identity, so each one upserts the row.
An event older than the stored one (by event time) is ignored: replays and reordering are
harmless. Payloads are parsed tolerantly (unknown fields ignored).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, ValidationError
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.db import Database
from simpul_platform.errors import FieldError, InvalidInput, ServiceUnavailable
from simpul_platform.events import Envelope, TolerantPayload
from simpul_platform.registry_client import Lookup, RegistryUnreachable, current_lookup

REGISTRY_TOPIC = "simpul.registry.v1"
INACTIVE = "inactive"

replica_metadata = MetaData()

posyandu_replica = Table(
    "posyandu_replica",
    replica_metadata,
    Column("posyandu_id", String(36), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("desa_code", String(13), nullable=False, index=True),
    Column("kecamatan_code", String(8), nullable=False, index=True),
    Column("kabupaten_code", String(5), nullable=False, index=True),
    Column("status", String(12), nullable=False),
    Column("fields", String(80), nullable=False),  # "health,social"
    Column("registration_number", String(17), nullable=True),
    Column("version", Integer, nullable=True),
    Column("last_event_at", DateTime(timezone=True), nullable=False),
    Column("last_event_id", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class PosyanduIdentity(TolerantPayload):
    """The part of every registry posyandu event a replica needs."""

    topic = REGISTRY_TOPIC

    posyandu_id: str = Field(min_length=1, max_length=36)
    name: str = Field(max_length=120)
    desa_code: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    status: str = Field(max_length=12)
    fields: list[str] = Field(default_factory=list)
    registration_number: str | None = None
    version: int | None = None


class PosyanduRegistered(PosyanduIdentity):
    event_type = "registry.posyandu.registered.v1"


class PosyanduUpdated(PosyanduIdentity):
    event_type = "registry.posyandu.updated.v1"


class PosyanduStatusChanged(PosyanduIdentity):
    event_type = "registry.posyandu.status_changed.v1"


class PosyanduDeactivated(PosyanduIdentity):
    event_type = "registry.posyandu.deactivated.v1"


class PosyanduFieldsChanged(PosyanduIdentity):
    event_type = "registry.posyandu.fields_changed.v1"


POSYANDU_EVENTS: tuple[type[PosyanduIdentity], ...] = (
    PosyanduRegistered,
    PosyanduUpdated,
    PosyanduStatusChanged,
    PosyanduDeactivated,
    PosyanduFieldsChanged,
)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def apply_posyandu_event(session: AsyncSession, event: Envelope) -> None:
    """``upsert_posyandu`` for a caller holding only the envelope (not a consumer: its runner
    has parsed the view already)."""
    await upsert_posyandu(session, PosyanduIdentity.model_validate(event.data), event)


async def upsert_posyandu(
    session: AsyncSession, identity: PosyanduIdentity, event: Envelope
) -> None:
    """Upsert the replica row from one registry posyandu event, unless a newer one is stored."""
    event_at = _aware(event.time)
    parts = identity.desa_code.split(".")
    values: dict[str, Any] = {
        "name": identity.name,
        "desa_code": identity.desa_code,
        "kecamatan_code": ".".join(parts[:3]),
        "kabupaten_code": ".".join(parts[:2]),
        "status": identity.status,
        "fields": ",".join(identity.fields),
        "registration_number": identity.registration_number,
        "version": identity.version,
        "last_event_at": event_at,
        "last_event_id": event.id,
        "updated_at": datetime.now(UTC),
    }
    current = (
        await session.execute(
            select(posyandu_replica.c.last_event_at)
            .where(posyandu_replica.c.posyandu_id == identity.posyandu_id)
            .with_for_update()
        )
    ).first()
    if current is None:
        await session.execute(
            insert(posyandu_replica).values(posyandu_id=identity.posyandu_id, **values)
        )
    elif _aware(current.last_event_at) <= event_at:
        await session.execute(
            update(posyandu_replica)
            .where(posyandu_replica.c.posyandu_id == identity.posyandu_id)
            .values(**values)
        )


def posyandu_replica_consumer(name: str) -> Consumer:
    """A consumer (group ``name``) keeping ``posyandu_replica`` from ``simpul.registry.v1``."""
    return Consumer(name, [Subscription(view, upsert_posyandu) for view in POSYANDU_EVENTS])


@asynccontextmanager
async def cached(session: AsyncSession) -> AsyncIterator[None]:
    """Inside, each posyandu's replica row is read once (a loader writing many records of a
    posyandu in one transaction, each of which checks the posyandu)."""
    session.info[CACHE] = {}
    try:
        yield
    finally:
        del session.info[CACHE]


async def get_posyandu(session: AsyncSession, posyandu_id: str) -> RowMapping | None:
    """The replica row of a posyandu, or None; inside ``cached``, read once."""
    cache: dict[str, RowMapping | None] | None = session.info.get(CACHE)
    if cache is not None and posyandu_id in cache:
        return cache[posyandu_id]
    row = (
        (
            await session.execute(
                select(posyandu_replica).where(posyandu_replica.c.posyandu_id == posyandu_id)
            )
        )
        .mappings()
        .first()
    )
    if cache is not None and row is not None:
        cache[posyandu_id] = row
    return row


CACHE = "simpul_platform.replica.cached"  # a session's replica rows read (``cached``)
UNKNOWN_POSYANDU = "unknown_posyandu"
# Not known here yet and not confirmable now: a client retries after Retry-After.
POSYANDU_UNCONFIRMED = "posyandu_unconfirmed"


async def require_known_posyandu(
    session: AsyncSession, posyandu_id: str, *, field: str = "posyandu_id"
) -> RowMapping:
    """The replica row whatever its status (reads of a posyandu's figures), confirmed with the
    registry when the replica has not heard of it yet; 422 ``unknown_posyandu`` otherwise."""
    row = await get_posyandu(session, posyandu_id)
    if row is None:
        row = await confirm_with_registry(session, posyandu_id, field)
    return row


async def aggregate_scope(
    session: AsyncSession, principal: Principal, wilayah: str | None, posyandu_id: str | None
) -> tuple[list[str], str | None]:
    """What an aggregate read covers: the caller's wilayah (narrowed to ``wilayah`` when given),
    or one known posyandu's desa (403 outside the caller's wilayah, 422 when unknown) and the
    posyandu itself."""
    if posyandu_id is None:
        return list(principal.visible_scopes(wilayah)), None
    posyandu = await require_known_posyandu(session, posyandu_id, field="query.posyandu_id")
    principal.require_wilayah(posyandu["desa_code"])
    return [posyandu["desa_code"]], posyandu_id


async def require_active_posyandu(
    session: AsyncSession,
    posyandu_id: str,
    *,
    field: str = "posyandu_id",
    inactive_statuses: Sequence[str] = (INACTIVE,),
) -> RowMapping:
    """The replica row, or a 422 naming ``posyandu_id`` (``unknown_posyandu`` or
    ``posyandu_inactive``). One the replica has not heard of yet is confirmed with the
    registry first (``confirm_with_registry``)."""
    row = await require_known_posyandu(session, posyandu_id, field=field)
    if row["status"] in inactive_statuses:
        raise InvalidInput.field(
            field, "posyandu_inactive", f"Posyandu {posyandu_id} is {row['status']}."
        )
    return row


async def confirm_with_registry(
    session: AsyncSession, posyandu_id: str, field: str = "posyandu_id"
) -> RowMapping:
    """A posyandu the replica has not heard of, asked of the registry as the request's caller.

    The registry's record goes into the replica in the caller's transaction, through the
    event path and stamped with the record's ``updated_at``: every event of a later change
    is newer and still wins. 422 ``unknown_posyandu`` when the registry has no such
    posyandu; 503 ``posyandu_unconfirmed`` with Retry-After when the registry cannot be
    asked. Outside a request (consumers, demo loaders) the replica's word is final.
    """
    lookup = current_lookup()
    record = await _ask(lookup, posyandu_id, field) if lookup is not None else None
    if record is None:
        raise InvalidInput.field(
            field, UNKNOWN_POSYANDU, f"No posyandu {posyandu_id} is known to the registry."
        )
    try:
        envelope = _as_event(record)
        async with session.begin_nested():
            await apply_posyandu_event(session, envelope)
    except (ValidationError, ValueError, KeyError) as exc:
        raise _unconfirmed(field, posyandu_id, f"its record did not parse ({exc})") from exc
    except IntegrityError:
        pass  # the replica's consumer stored it meanwhile: that row stands
    row = await get_posyandu(session, posyandu_id)
    if row is None:
        raise _unconfirmed(field, posyandu_id, "the replica did not keep it")
    return row


async def _ask(lookup: Lookup, posyandu_id: str, field: str) -> dict[str, Any] | None:
    try:
        return await lookup(posyandu_id)
    except RegistryUnreachable as exc:
        raise _unconfirmed(field, posyandu_id, f"the registry cannot be asked ({exc})") from exc


def _as_event(record: dict[str, Any]) -> Envelope:
    """The registry's record as the event that would have brought it."""
    version = record.get("version")
    return Envelope(
        id=f"registry-read:v{version}",
        type=PosyanduUpdated.event_type,
        source="registry",
        time=datetime.fromisoformat(record["updated_at"]),
        data={**record, "posyandu_id": record["id"]},
        posyandu_id=record["id"],
    )


def _unconfirmed(field: str, posyandu_id: str, why: str) -> ServiceUnavailable:
    message = f"Posyandu {posyandu_id} is not in this service's replica yet, and {why}."
    return ServiceUnavailable(
        message + " Retry shortly.",
        errors=[FieldError(field=field, rule=POSYANDU_UNCONFIRMED, message=message)],
        retry_after_s=1,
    )


async def wait_until_settled(db: Database, *, interval_s: float = 3.0, attempts: int = 200) -> int:
    """Wait until the replica has rows and has stopped growing; returns how many it holds.

    Demo loaders call this so that every field service generates its demo data from the same,
    complete list of posyandu (their data is linked by the pseudonyms derived from it).
    """
    last = -1
    for _ in range(attempts):
        async with db.sessions() as session:
            count = int(
                (
                    await session.execute(select(func.count()).select_from(posyandu_replica))
                ).scalar_one()
            )
        if count and count == last:
            return count
        last = count
        await asyncio.sleep(interval_s)
    raise TimeoutError("the posyandu replica did not settle; is the registry publishing?")
