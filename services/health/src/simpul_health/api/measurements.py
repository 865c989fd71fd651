"""Growth monitoring of balita: one measurement, or a posyandu day in bulk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from simpul_health.api.deps import HealthUser, SettingsDep, codes, visible_target, writable_posyandu
from simpul_health.measuring import parse_items, record_measurements
from simpul_health.models import Measurement
from simpul_health.schemas import BulkIn, BulkOut, MeasurementIn, MeasurementOut
from simpul_platform.errors import Conflict, FieldError, InvalidInput, NotFound
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep

router = APIRouter(tags=["growth"])


async def _commit(uow: UnitOfWork) -> None:
    try:
        await uow.commit()
    except IntegrityError as exc:  # a concurrent request stored the same child and day first
        await uow.rollback()
        raise Conflict("A concurrent request recorded some of these measurements; retry.") from exc


@router.post(
    "/v1/posyandu/{posyandu_id}/measurements",
    status_code=201,
    response_model=MeasurementOut,
    operation_id="createMeasurement",
)
async def create_measurement(
    posyandu_id: str, body: MeasurementIn, uow: UnitOfWorkDep, principal: HealthUser
) -> Any:
    """Record one weighing/measuring of a balita at a posyandu."""
    posyandu = await writable_posyandu(uow.session, principal, posyandu_id)
    [result] = await record_measurements(
        uow, principal, posyandu, [(0, body)], codes(posyandu["desa_code"])
    )
    if result.status == "rejected":
        raise InvalidInput(
            result.errors[0].message,
            errors=[FieldError(**e.model_dump()) for e in result.errors],
        )
    if result.status == "duplicate":
        raise Conflict(
            "This measurement is already recorded.", measurement_id=result.measurement_id
        )
    await _commit(uow)
    return await uow.session.get(Measurement, result.measurement_id)


@router.post(
    "/v1/posyandu/{posyandu_id}/measurements/bulk",
    response_model=BulkOut,
    operation_id="bulkCreateMeasurements",
)
async def bulk_measurements(
    posyandu_id: str,
    body: BulkIn,
    uow: UnitOfWorkDep,
    principal: HealthUser,
    settings: SettingsDep,
) -> Any:
    """Record a posyandu day (≤ 1,000 measurements) with a result per item."""
    if body.posyandu_id != posyandu_id:
        raise InvalidInput.field("posyandu_id", "path_mismatch", "Body and path posyandu differ.")
    if len(body.items) > settings.bulk_max_items:
        raise InvalidInput.field("items", "too_many", f"At most {settings.bulk_max_items} items.")
    posyandu = await writable_posyandu(uow.session, principal, posyandu_id)
    good, bad = parse_items(body.items)
    area = codes(posyandu["desa_code"])
    results = await record_measurements(uow, principal, posyandu, good, area)
    await _commit(uow)
    results = sorted([*results, *bad], key=lambda r: r.index)
    count = {s: sum(r.status == s for r in results) for s in ("created", "duplicate", "rejected")}
    return BulkOut(
        posyandu_id=posyandu_id,
        created=count["created"],
        duplicates=count["duplicate"],
        rejected=count["rejected"],
        results=results,
    )


@router.get(
    "/v1/targets/{target_id}/measurements",
    response_model=list[MeasurementOut],
    operation_id="listTargetMeasurements",
)
async def list_measurements(target_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """A child's growth record, oldest first."""
    await visible_target(session, principal, target_id)
    query = (
        select(Measurement)
        .where(col(Measurement.target_id) == target_id)
        .order_by(col(Measurement.measured_on))
    )
    return (await session.execute(query)).scalars().all()


@router.get(
    "/v1/measurements/{measurement_id}",
    response_model=MeasurementOut,
    operation_id="getMeasurement",
)
async def get_measurement(measurement_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one measurement."""
    measurement = await session.get(Measurement, measurement_id)
    if measurement is None:
        raise NotFound(f"No measurement {measurement_id}.")
    principal.require_wilayah(measurement.desa_code, hide=True)
    return measurement
