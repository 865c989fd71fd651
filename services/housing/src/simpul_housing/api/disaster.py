"""Disaster housing (SPM perumahan 1): a disaster, its SK Bupati, its damaged houses and one
POST per step. A step the house's status does not allow is a 409 naming the allowed ones.
Recording a disaster and its SK is Perkim's (``opd:housing``); reporting and working its
houses also the housing kader's, within their wilayah."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Query
from pydantic import StringConstraints
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.api.deps import OPD, AggregateReader, Reader, SettingsDep, Today, Writer
from simpul_housing.domain.disaster import (
    HANDLING_FITS,
    AidProgram,
    Damage,
    DisasterKind,
    DisasterStatus,
)
from simpul_housing.models import DisasterEvent, DisasterHouse
from simpul_housing.ops import commit
from simpul_housing.ops import disaster as ops
from simpul_housing.ops import disaster_events as events
from simpul_housing.ops import disaster_reads as reads
from simpul_housing.schemas.disaster import (
    AssessIn,
    CatalogueOut,
    CompleteIn,
    DisasterDetail,
    DisasterHouseBySourceOut,
    DisasterHouseDetail,
    DisasterHouseIn,
    DisasterHouseOut,
    DisasterIn,
    DisasterOut,
    HandleIn,
    SkIn,
)
from simpul_platform.auth import Principal, require_roles
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(tags=["disaster housing"])
DISASTERS = "/v1/disasters"
HOUSES = "/v1/disaster-houses"
Perkim = Annotated[Principal, Depends(require_roles(OPD))]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)]
MAX_SOURCE_IDS = 200
SourceIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]],
    Query(min_length=1, max_length=MAX_SOURCE_IDS, description="another service's event ids"),
]
REPORTED_TWICE = "This household's house was reported in this disaster concurrently."


async def disaster_detail(session: AsyncSession, event: DisasterEvent) -> DisasterDetail:
    by_damage, by_status = await events.counts(session, event.id)
    return DisasterDetail.model_validate(
        {**event.model_dump(), "houses_by_damage": by_damage, "houses_by_status": by_status}
    )


@router.post(
    DISASTERS, status_code=201, response_model=DisasterDetail, operation_id="createDisaster"
)
async def create_disaster(
    body: DisasterIn, uow: UnitOfWorkDep, principal: Perkim, today: Today
) -> Any:
    """Record a disaster: its kind, name, date and the wilayah it struck."""
    event = await events.create_event(uow, principal, body, today)
    await uow.commit()
    return await disaster_detail(uow.session, event)


@router.get(DISASTERS, response_model=list[DisasterOut], operation_id="listDisasters")
async def list_disasters(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    kind: DisasterKind | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """Disasters over areas overlapping the caller's wilayah, the latest first."""
    return await events.list_events(
        session, principal, wilayah=wilayah, kind=kind, year=year, limit=limit, offset=offset
    )


@router.get(DISASTERS + "/{disaster_id}", response_model=DisasterDetail, operation_id="getDisaster")
async def get_disaster(disaster_id: str, session: SessionDep, principal: Reader) -> Any:
    """One disaster with its damaged houses counted per class and per status."""
    return await disaster_detail(
        session, await events.visible_event(session, principal, disaster_id)
    )


@router.post(
    DISASTERS + "/{disaster_id}/sk",
    response_model=DisasterDetail,
    operation_id="setDisasterSk",
    responses=problems(409),
)
async def set_sk(
    disaster_id: str, body: SkIn, uow: UnitOfWorkDep, principal: Perkim, today: Today
) -> Any:
    """The SK Bupati (once): fixes the class of every house assessed by its date and plans
    them for year t. Houses still undetermined wait for a class, then join it by ``fix``."""
    event = await events.visible_event(uow.session, principal, disaster_id, lock=True)
    await ops.set_sk(uow, principal, event, body, today)
    await uow.commit()
    return await disaster_detail(uow.session, event)


@router.post(
    DISASTERS + "/{disaster_id}/houses",
    status_code=201,
    response_model=DisasterHouseDetail,
    operation_id="reportDisasterHouse",
    responses=problems(409),
)
async def report_house(
    disaster_id: str,
    body: DisasterHouseIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Report a damaged house: a recorded house, a household by KK at a posyandu, or an
    incoming ``disaster_damage`` referral (accepted with this house as its case)."""
    event = await events.visible_event(uow.session, principal, disaster_id, lock=True)
    house = await ops.report_house(
        uow, principal, event, body, secret=settings.pseudonym_secret, today=today
    )
    await commit(uow, REPORTED_TWICE)
    return await reads.detail(uow.session, house)


@router.get(HOUSES, response_model=list[DisasterHouseOut], operation_id="listDisasterHouses")
async def list_houses(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    disaster_id: Annotated[str | None, Query(max_length=36)] = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    status: DisasterStatus | None = None,
    damage: Damage | None = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """Damaged houses in the caller's wilayah, by report date."""
    rows = await reads.list_houses(
        session,
        principal,
        wilayah=wilayah,
        event_id=disaster_id,
        posyandu_id=posyandu_id,
        status=status,
        damage=damage,
        limit=limit,
        offset=offset,
    )
    return [reads.to_out(r) for r in rows]


@router.get(
    HOUSES + "/by-source",
    response_model=list[DisasterHouseBySourceOut],
    operation_id="listDisasterHousesBySource",
)
async def list_houses_by_source(
    session: SessionDep, principal: AggregateReader, source_event_id: SourceIds
) -> Any:
    """Damaged houses in the caller's wilayah of the disasters another service announced
    (trantib's fire or disaster ids, up to 200), with their class and status."""
    return await reads.by_source(session, principal, source_event_id)


@router.get(
    HOUSES + "/{house_id}", response_model=DisasterHouseDetail, operation_id="getDisasterHouse"
)
async def get_house(house_id: str, session: SessionDep, principal: Reader) -> Any:
    """One damaged house with every step taken."""
    return await reads.detail(session, await reads.visible_house(session, principal, house_id))


async def _locked(
    uow: UnitOfWork, principal: Principal, house_id: str
) -> tuple[DisasterEvent, DisasterHouse]:
    house = await reads.visible_house(uow.session, principal, house_id, lock=True)
    event = await uow.session.get(DisasterEvent, house.event_id)
    assert event is not None  # a foreign key
    return event, house


@router.post(
    HOUSES + "/{house_id}/assess",
    response_model=DisasterHouseDetail,
    operation_id="assessDisasterHouse",
    responses=problems(409),
)
async def assess(
    house_id: str, body: AssessIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """The damage class: rr / rs / rb / hilang, or belum_ditentukan (waits for a class)."""
    event, house = await _locked(uow, principal, house_id)
    await ops.assess(uow, principal, event, house, body, today)
    await uow.commit()
    return await reads.detail(uow.session, house)


@router.post(
    HOUSES + "/{house_id}/fix",
    response_model=DisasterHouseDetail,
    operation_id="fixDisasterHouse",
    responses=problems(409),
)
async def fix(house_id: str, uow: UnitOfWorkDep, principal: Perkim) -> Any:
    """Join a house assessed since the SK to the disaster's SK (its class fixed, year t)."""
    event, house = await _locked(uow, principal, house_id)
    await ops.fix(uow, principal, event, house)
    await uow.commit()
    return await reads.detail(uow.session, house)


@router.post(
    HOUSES + "/{house_id}/handle",
    response_model=DisasterHouseDetail,
    operation_id="handleDisasterHouse",
    responses=problems(409),
)
async def handle(
    house_id: str, body: HandleIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """The form of help, fitting the fixed class."""
    event, house = await _locked(uow, principal, house_id)
    await ops.handle(uow, principal, event, house, body, today)
    await uow.commit()
    return await reads.detail(uow.session, house)


@router.post(
    HOUSES + "/{house_id}/complete",
    response_model=DisasterHouseDetail,
    operation_id="completeDisasterHouse",
    responses=problems(409),
)
async def complete(
    house_id: str, body: CompleteIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """The handling is done: the aid joins the household's history."""
    event, house = await _locked(uow, principal, house_id)
    await ops.complete(uow, principal, event, house, body, today)
    await uow.commit()
    return await reads.detail(uow.session, house)


@router.get(
    "/v1/disaster-catalogue", response_model=CatalogueOut, operation_id="getDisasterCatalogue"
)
async def catalogue(principal: Reader) -> Any:
    """The codes disaster housing takes, and which handling fits which class."""
    return CatalogueOut(
        kinds=list(get_args(DisasterKind)),
        damage=list(get_args(Damage)),
        handling_fits={h: list(c) for h, c in HANDLING_FITS.items()},
        aid_programs=list(get_args(AidProgram)),
    )
