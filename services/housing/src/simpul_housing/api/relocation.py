"""Relocation by a Pemda programme (SPM perumahan 2): the programme, the households it affects
and one POST per step (check against the recipient criteria, facilitate, house). A step the
household's status does not allow is a 409 naming the allowed ones. Programmes are Perkim's
(``opd:housing``); their households also the housing kader's, within their wilayah."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.api.deps import OPD, Reader, SettingsDep, Today, Writer
from simpul_housing.domain.relocation import RelocationReason, RelocationStatus
from simpul_housing.models import RelocationHousehold, RelocationProgramme
from simpul_housing.ops import commit
from simpul_housing.ops import relocation as ops
from simpul_housing.ops import relocation_reads as reads
from simpul_housing.schemas.relocation import (
    AffectedIn,
    CheckIn,
    FacilitateIn,
    HousedIn,
    ProgrammeDetail,
    ProgrammeIn,
    ProgrammeOut,
    RelocationCatalogueOut,
    RelocationDetail,
    RelocationOut,
)
from simpul_platform.auth import Principal, require_roles
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(tags=["relocation"])
PROGRAMMES = "/v1/relocation-programmes"
RELOCATIONS = "/v1/relocations"
Perkim = Annotated[Principal, Depends(require_roles(OPD))]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)]
AFFECTED_TWICE = "This household was registered in the programme concurrently."


async def programme_detail(session: AsyncSession, row: RelocationProgramme) -> ProgrammeDetail:
    return ProgrammeDetail.model_validate(
        {**row.model_dump(), "households_by_status": await ops.counts(session, row.id)}
    )


@router.get(
    "/v1/relocation-catalogue",
    response_model=RelocationCatalogueOut,
    operation_id="getRelocationCatalogue",
)
async def catalogue(principal: Reader, settings: SettingsDep) -> Any:
    """Programme reasons, and the recipient criteria a check answers (the deployment's)."""
    return RelocationCatalogueOut(
        reasons=list(get_args(RelocationReason)), criteria=settings.relocation_criteria
    )


@router.post(
    PROGRAMMES,
    status_code=201,
    response_model=ProgrammeDetail,
    operation_id="createRelocationProgramme",
)
async def create_programme(body: ProgrammeIn, uow: UnitOfWorkDep, principal: Perkim) -> Any:
    """Record a Pemda relocation programme: name, wilayah, year t, reason."""
    row = ops.create_programme(uow, principal, body)
    await uow.commit()
    return await programme_detail(uow.session, row)


@router.get(PROGRAMMES, response_model=list[ProgrammeOut], operation_id="listRelocationProgrammes")
async def list_programmes(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """Programmes over areas overlapping the caller's wilayah, the latest year first."""
    return await reads.list_programmes(
        session, principal, wilayah=wilayah, year=year, limit=limit, offset=offset
    )


@router.get(
    PROGRAMMES + "/{programme_id}",
    response_model=ProgrammeDetail,
    operation_id="getRelocationProgramme",
)
async def get_programme(programme_id: str, session: SessionDep, principal: Reader) -> Any:
    """One programme with its households counted per status."""
    row = await reads.visible_programme(session, principal, programme_id)
    return await programme_detail(session, row)


@router.post(
    PROGRAMMES + "/{programme_id}/households",
    status_code=201,
    response_model=RelocationDetail,
    operation_id="registerRelocatedHousehold",
    responses=problems(409),
)
async def register(
    programme_id: str,
    body: AffectedIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """A household the programme affects: by KK at a posyandu, or an incoming
    ``relocation_needed`` referral (accepted with this household as its case)."""
    programme = await reads.visible_programme(uow.session, principal, programme_id, lock=True)
    row = await ops.register(
        uow, principal, programme, body, secret=settings.pseudonym_secret, today=today
    )
    await commit(uow, AFFECTED_TWICE)
    return await reads.detail(uow.session, row)


@router.get(RELOCATIONS, response_model=list[RelocationOut], operation_id="listRelocations")
async def list_households(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    programme_id: Annotated[str | None, Query(max_length=36)] = None,
    status: RelocationStatus | None = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """Affected households in the caller's wilayah (KK masked)."""
    rows = await reads.list_households(
        session,
        principal,
        wilayah=wilayah,
        programme_id=programme_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return [reads.to_out(r) for r in rows]


@router.get(
    RELOCATIONS + "/{relocation_id}", response_model=RelocationDetail, operation_id="getRelocation"
)
async def get_household(relocation_id: str, session: SessionDep, principal: Reader) -> Any:
    """One affected household with every step (a check's codes say which criteria were met)."""
    row = await reads.visible_household(session, principal, relocation_id)
    return await reads.detail(session, row)


async def _locked(uow: UnitOfWork, principal: Principal, relocation_id: str) -> RelocationHousehold:
    return await reads.visible_household(uow.session, principal, relocation_id, lock=True)


@router.post(
    RELOCATIONS + "/{relocation_id}/check",
    response_model=RelocationDetail,
    operation_id="checkRelocation",
    responses=problems(409),
)
async def check(
    relocation_id: str,
    body: CheckIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Answer every recipient criterion: eligible when all are met, else not eligible."""
    row = await _locked(uow, principal, relocation_id)
    await ops.check(uow, principal, row, body, settings, today)
    await uow.commit()
    return await reads.detail(uow.session, row)


@router.post(
    RELOCATIONS + "/{relocation_id}/facilitate",
    response_model=RelocationDetail,
    operation_id="facilitateRelocation",
    responses=problems(409),
)
async def facilitate(
    relocation_id: str, body: FacilitateIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """An eligible household facilitated to a livable house."""
    row = await _locked(uow, principal, relocation_id)
    programme = await uow.session.get(RelocationProgramme, row.programme_id)
    assert programme is not None  # a foreign key
    await ops.facilitate(uow, principal, programme, row, body, today)
    await uow.commit()
    return await reads.detail(uow.session, row)


@router.post(
    RELOCATIONS + "/{relocation_id}/house",
    response_model=RelocationDetail,
    operation_id="houseRelocation",
    responses=problems(409),
)
async def house(
    relocation_id: str, body: HousedIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Living in the new home."""
    row = await _locked(uow, principal, relocation_id)
    await ops.house(uow, principal, row, body, today)
    await uow.commit()
    return await reads.detail(uow.session, row)
