"""RTLH cases: a house reported not livable, from its survey to a livable house (or a
rejection), one POST per step; a step the case's status does not allow is a 409 naming the
allowed ones. And a house's aid history. Housing roles only, within their wilayah."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from simpul_housing.api.deps import Reader, SettingsDep, Today, Writer
from simpul_housing.domain.rtlh import RtlhStatus
from simpul_housing.models import RtlhCase
from simpul_housing.ops import rtlh as ops
from simpul_housing.ops import rtlh_aid, rtlh_reads
from simpul_housing.ops.access import visible_house
from simpul_housing.schemas.rtlh import (
    AssignIn,
    HandleIn,
    HouseAidOut,
    PrioritiseIn,
    ProposeIn,
    RejectIn,
    RtlhCaseDetail,
    RtlhCaseOut,
    RtlhOpenIn,
    StartConstructionIn,
    SurveyStepIn,
    VerifyIn,
)
from simpul_platform.auth import Principal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(tags=["rtlh cases"])
CASES = "/v1/rtlh-cases"
STEP = CASES + "/{case_id}/"
OPEN_RESPONSES = problems(404, 409) | {
    200: {"model": RtlhCaseDetail, "description": "The referral was linked to the open case."}
}


@router.post(
    CASES,
    status_code=201,
    response_model=RtlhCaseDetail,
    operation_id="openRtlhCase",
    responses=OPEN_RESPONSES,
)
async def open_case(
    body: RtlhOpenIn, response: Response, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Open a case for a house reported not livable (one open case per house); from an
    ``rtlh_suspected`` referral, for the house its household lives in."""
    case, opened = await ops.open_case(uow, principal, body, today)
    await ops.commit_opening(uow, case.house_id)
    if not opened:
        response.status_code = 200
    return await rtlh_reads.detail(uow.session, case)


@router.get(CASES, response_model=list[RtlhCaseOut], operation_id="listRtlhCases")
async def list_cases(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    status: RtlhStatus | None = None,
    order: Annotated[
        rtlh_reads.Order, Query(description="report date, or the highest priority first")
    ] = "reported",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Cases in the caller's wilayah, optionally one posyandu's or of one status."""
    return await rtlh_reads.list_cases(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        status=status,
        order=order,
        limit=limit,
        offset=offset,
    )


@router.get(CASES + "/{case_id}", response_model=RtlhCaseDetail, operation_id="getRtlhCase")
async def get_case(case_id: str, session: SessionDep, principal: Reader) -> Any:
    """One case with every step taken."""
    return await rtlh_reads.detail(
        session, await rtlh_reads.visible_case(session, principal, case_id)
    )


@router.get("/v1/houses/{house_id}/aid", response_model=HouseAidOut, operation_id="getHouseAid")
async def house_aid(
    house_id: str, session: SessionDep, principal: Reader, settings: SettingsDep
) -> Any:
    """The aid the house and its households received (recorded, and declared by surveys)."""
    house = await visible_house(session, principal, house_id)
    return await rtlh_reads.house_aid(session, house, settings.aid_repeat_years)


Taken = Callable[[UnitOfWork, RtlhCase], Awaitable[object]]


async def _step(uow: UnitOfWork, principal: Principal, case_id: str, take: Taken) -> Any:
    """Lock the case, take the step, commit, answer the case with its history."""
    case = await rtlh_reads.visible_case(uow.session, principal, case_id, lock=True)
    await take(uow, case)
    await uow.commit()
    return await rtlh_reads.detail(uow.session, case)


STEP_PROBLEMS = problems(404, 409)  # a case outside the wilayah; a step not allowed


@router.post(
    STEP + "survey",
    response_model=RtlhCaseDetail,
    operation_id="surveyRtlhCase",
    responses=STEP_PROBLEMS,
)
async def survey(
    case_id: str,
    body: SurveyStepIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Link the house's survey (recorded now, named, or its latest); a livable one ends the
    case as not RTLH."""
    return await _step(
        uow, principal, case_id, lambda u, c: ops.survey(u, principal, settings, c, body, today)
    )


@router.post(
    STEP + "verify",
    response_model=RtlhCaseDetail,
    operation_id="verifyRtlhCase",
    responses=STEP_PROBLEMS,
)
async def verify(
    case_id: str,
    body: VerifyIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Verified (sts_verifikasi = Y); aid within the window is a 409 naming it."""
    return await _step(
        uow, principal, case_id, lambda u, c: ops.verify(u, principal, settings, c, body, today)
    )


@router.post(
    STEP + "prioritise",
    response_model=RtlhCaseDetail,
    operation_id="prioritiseRtlhCase",
    responses=STEP_PROBLEMS,
)
async def prioritise(
    case_id: str,
    body: PrioritiseIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Jenis kawasan and the household's DTSEN decile give the case its priority."""
    return await _step(
        uow,
        principal,
        case_id,
        lambda u, c: ops.prioritise(u, principal, settings, c, body, today),
    )


@router.post(
    STEP + "propose",
    response_model=RtlhCaseDetail,
    operation_id="proposeRtlhCase",
    responses=STEP_PROBLEMS,
)
async def propose(
    case_id: str,
    body: ProposeIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """The usulan: funding source and year (not on illegal or state land)."""
    return await _step(
        uow, principal, case_id, lambda u, c: ops.propose(u, principal, settings, c, body, today)
    )


@router.post(
    STEP + "assign",
    response_model=RtlhCaseDetail,
    operation_id="assignRtlhAid",
    responses=STEP_PROBLEMS,
)
async def assign(
    case_id: str,
    body: AssignIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """The aid (programme, amount, year); a household or house aided within the window is a
    409 naming the previous aid."""
    return await _step(
        uow,
        principal,
        case_id,
        lambda u, c: rtlh_aid.assign(u, principal, settings, c, body, today),
    )


@router.post(
    STEP + "start-construction",
    response_model=RtlhCaseDetail,
    operation_id="startRtlhConstruction",
    responses=STEP_PROBLEMS,
)
async def start_construction(
    case_id: str, body: StartConstructionIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Works began (TFL and recipient group kept here)."""
    return await _step(
        uow, principal, case_id, lambda u, c: ops.start_construction(u, principal, c, body, today)
    )


@router.post(
    STEP + "handle",
    response_model=RtlhCaseDetail,
    operation_id="handleRtlhCase",
    responses=STEP_PROBLEMS,
)
async def handle(
    case_id: str,
    body: HandleIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """The after-works re-survey; livable, the house is RLH and the case ends."""
    return await _step(
        uow, principal, case_id, lambda u, c: ops.handle(u, principal, settings, c, body, today)
    )


@router.post(
    STEP + "reject",
    response_model=RtlhCaseDetail,
    operation_id="rejectRtlhCase",
    responses=STEP_PROBLEMS,
)
async def reject(
    case_id: str,
    body: RejectIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Not to be aided: land not legal, not MBR, or already aided (from the history)."""
    return await _step(
        uow,
        principal,
        case_id,
        lambda u, c: rtlh_aid.reject(u, principal, settings, c, body, today),
    )
