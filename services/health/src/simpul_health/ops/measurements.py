"""Growth monitoring as the API takes it: one measurement, or a posyandu day in bulk."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.models import Measurement
from simpul_health.ops.access import visible_target, writable_posyandu
from simpul_health.ops.measurement_batch import parse_items, record_measurements
from simpul_health.schemas.measurements import BulkIn, BulkItemResult, BulkOut, MeasurementIn
from simpul_platform.auth import Principal
from simpul_platform.errors import Conflict, FieldError, InvalidInput
from simpul_platform.uow import UnitOfWork

# A concurrent request stored the same child and day between our read and our commit.
CONCURRENT = "A concurrent request recorded some of these measurements; retry."


async def record_one(
    uow: UnitOfWork, principal: Principal, posyandu_id: str, body: MeasurementIn, today: date
) -> str:
    """Stage one weighing at a posyandu; its id. A refused item is a 422, a resent one a 409."""
    posyandu = await writable_posyandu(uow.session, principal, posyandu_id)
    [result] = await record_measurements(uow, principal, posyandu, [(0, body)], today=today)
    if result.status == "rejected":
        raise InvalidInput(
            result.errors[0].message,
            errors=[FieldError(**e.model_dump()) for e in result.errors],
        )
    if result.status == "duplicate":
        raise Conflict(
            "This measurement is already recorded.", measurement_id=result.measurement_id
        )
    assert result.measurement_id is not None
    return result.measurement_id


async def record_day(
    uow: UnitOfWork,
    principal: Principal,
    posyandu_id: str,
    body: BulkIn,
    *,
    max_items: int,
    today: date,
) -> BulkOut:
    """Stage a posyandu day's measurements, each item with its own result."""
    if len(body.items) > max_items:
        raise InvalidInput.field("items", "too_many", f"At most {max_items} items.")
    posyandu = await writable_posyandu(uow.session, principal, posyandu_id)
    good, bad = parse_items(body.items)
    recorded = await record_measurements(uow, principal, posyandu, good, today=today)
    results: list[BulkItemResult] = sorted([*recorded, *bad], key=lambda r: r.index)
    count = {s: sum(r.status == s for r in results) for s in ("created", "duplicate", "rejected")}
    return BulkOut(
        posyandu_id=posyandu_id,
        created=count["created"],
        duplicates=count["duplicate"],
        rejected=count["rejected"],
        results=results,
    )


async def growth_record(
    session: AsyncSession, principal: Principal, target_id: str
) -> list[Measurement]:
    """A child's measurements, oldest first."""
    await visible_target(session, principal, target_id)
    query = (
        select(Measurement)
        .where(col(Measurement.target_id) == target_id)
        .order_by(col(Measurement.measured_on))
    )
    return list((await session.execute(query)).scalars().all())
