"""Bansos programs (kept as data) and distributions (one per program, household, period)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import col, select

from simpul_platform.indicators import PERIOD_PATTERN
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery, under
from simpul_social.api.deps import AggregateReader, Opd, Reader, SettingsDep, Writer
from simpul_social.models import Distribution, Program
from simpul_social.ops import bansos as ops
from simpul_social.ops.households import get_visible
from simpul_social.schemas.bansos import DistributionIn, DistributionOut, ProgramIn, ProgramOut

router = APIRouter(tags=["bansos"])
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "The household already has this program for this period; "
        "existing_distribution_id names it"
    }
}


@router.post(
    "/v1/programs", status_code=201, response_model=ProgramOut, operation_id="createProgram"
)
async def create_program(body: ProgramIn, uow: UnitOfWorkDep, principal: Opd) -> Any:
    """Add a bansos program with its period type (month, quarter, year)."""
    program = await ops.create_program(uow, body, principal.subject)
    await uow.commit()
    return program


@router.get("/v1/programs", response_model=list[ProgramOut], operation_id="listPrograms")
async def list_programs(session: SessionDep, principal: AggregateReader) -> Any:
    """Every bansos program."""
    return list((await session.exec(select(Program).order_by(col(Program.code)))).all())


@router.post(
    "/v1/distributions",
    status_code=201,
    response_model=DistributionOut,
    operation_id="recordDistribution",
    responses=CONFLICT,
)
async def record(
    body: DistributionIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Record a benefit reaching a household; a second one for the same period is a 409."""
    household = await get_visible(
        uow.session, body.household_id, principal, field="body.household_id"
    )
    distribution = await ops.record_distribution(uow, settings, body, household, principal.subject)
    await uow.commit()
    return distribution


@router.get(
    "/v1/distributions", response_model=list[DistributionOut], operation_id="listDistributions"
)
async def list_distributions(
    session: SessionDep,
    principal: Reader,
    household_id: str | None = None,
    program_code: str | None = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    wilayah: WilayahQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """Distributions in the caller's wilayah, filtered by household, program or period."""
    query = select(Distribution).where(
        under(Distribution.desa_code, principal.visible_scopes(wilayah))
    )
    if household_id is not None:
        query = query.where(Distribution.household_id == household_id)
    if program_code is not None:
        query = query.where(Distribution.program_code == program_code)
    if period is not None:
        query = query.where(Distribution.period == period)
    query = query.order_by(col(Distribution.distributed_on), col(Distribution.id)).limit(limit)
    return list((await session.exec(query)).all())
