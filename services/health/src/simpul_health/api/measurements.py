"""Growth monitoring of balita: one measurement, or a posyandu day in bulk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_health.api.deps import HealthUser, SettingsDep, Today
from simpul_health.models import Measurement
from simpul_health.ops import commit, measurements
from simpul_health.ops.access import visible
from simpul_health.schemas.measurements import BulkIn, BulkOut, MeasurementIn, MeasurementOut
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["growth"])


@router.post(
    "/v1/posyandu/{posyandu_id}/measurements",
    status_code=201,
    response_model=MeasurementOut,
    operation_id="createMeasurement",
)
async def create_measurement(
    posyandu_id: str, body: MeasurementIn, uow: UnitOfWorkDep, principal: HealthUser, today: Today
) -> Any:
    """Record one weighing/measuring of a balita at a posyandu."""
    measurement_id = await measurements.record_one(uow, principal, posyandu_id, body, today)
    await commit(uow, measurements.CONCURRENT)
    return await uow.session.get(Measurement, measurement_id)


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
    today: Today,
) -> Any:
    """Record a posyandu day (≤ 1,000 measurements) with a result per item."""
    result = await measurements.record_day(
        uow, principal, posyandu_id, body, max_items=settings.bulk_max_items, today=today
    )
    await commit(uow, measurements.CONCURRENT)
    return result


@router.get(
    "/v1/targets/{target_id}/measurements",
    response_model=list[MeasurementOut],
    operation_id="listTargetMeasurements",
)
async def list_measurements(target_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """A child's growth record, oldest first."""
    return await measurements.growth_record(session, principal, target_id)


@router.get(
    "/v1/measurements/{measurement_id}",
    response_model=MeasurementOut,
    operation_id="getMeasurement",
)
async def get_measurement(measurement_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one measurement."""
    return await visible(session, principal, Measurement, measurement_id, "measurement")
