"""Immunisation coverage per wilayah and period (IDL, the baduta boosters, each basic dose),
and the children of a posyandu overdue for a dose on its next open day."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_health.api.deps import HealthUser, SettingsDep, Today
from simpul_health.api.indicators import CountedDep
from simpul_health.domain.immunisation import load_schedule
from simpul_health.ops import coverage
from simpul_health.schemas.coverage import (
    ImmunisationCoverageOut,
    MissingDoseOut,
    OverdueChildOut,
    OverdueOut,
)
from simpul_platform.uow import SessionDep

router = APIRouter(prefix="/v1", tags=["immunisation"])


@router.get(
    "/indicators/immunisation",
    response_model=ImmunisationCoverageOut,
    operation_id="immunisationCoverage",
)
async def immunisation_coverage(
    session: SessionDep, asked: CountedDep, settings: SettingsDep
) -> Any:
    """IDL by the first birthday, the baduta boosters by the second, and each basic dose."""
    schedule = load_schedule(settings.immunisation_schedule_file)
    area = asked.area
    rows = await coverage.coverage(session, area, asked.period, schedule)
    return ImmunisationCoverageOut(
        wilayah=area.wilayah,
        posyandu_id=area.posyandu_id,
        period=asked.period.label,
        indicators=rows,
    )


@router.get("/immunisation/overdue", response_model=OverdueOut, operation_id="immunisationOverdue")
async def overdue(
    session: SessionDep,
    principal: HealthUser,
    settings: SettingsDep,
    today: Today,
    posyandu_id: Annotated[str, Query(min_length=1, max_length=36)],
    on: Annotated[
        date | None, Query(description="The posyandu's next open day; default today")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    """The posyandu's children under 24 months with a dose due by ``on`` not given, the longest
    overdue first."""
    day = on or today
    schedule = load_schedule(settings.immunisation_schedule_file)
    found = await coverage.overdue(session, principal, posyandu_id, day, schedule)
    return OverdueOut(
        posyandu_id=posyandu_id,
        on=day,
        total=len(found),
        limit=limit,
        offset=offset,
        children=[
            OverdueChildOut(
                target_id=o.target.id,
                nik=o.nik_masked,
                name=o.target.name,
                sex=o.target.sex,
                birth_date=o.target.birth_date,
                age_months=o.age_months,
                missing=[
                    MissingDoseOut(
                        antigen=m.dose.antigen,
                        dose=m.dose.dose,
                        due_on=m.due_on,
                        days_overdue=m.days_overdue,
                    )
                    for m in o.missing
                ],
            )
            for o in found[offset : offset + limit]
        ],
    )
