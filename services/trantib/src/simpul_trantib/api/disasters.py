"""Disasters (BPBD): declared over desa of the caller's wilayah, assessed (again while the
emergency lasts), then one POST per step to the close; a step the status does not allow is a
409 naming the allowed ones. Affected households in bulk (also the trantib kader's and
Linmas's, within their wilayah), their displaced school-age children referred to education."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import DesaQuery, WilayahQuery
from simpul_trantib.api.deps import (
    BPBD,
    DAMKAR,
    KADER,
    LINMAS,
    OPD,
    SATPOL_PP,
    Disaster,
    Reader,
    SettingsDep,
    Today,
)
from simpul_trantib.domain.disaster import Damage, DisasterKind, StepAction
from simpul_trantib.ops import commit
from simpul_trantib.ops import disaster_households as households
from simpul_trantib.ops import disaster_reads as reads
from simpul_trantib.ops import disasters as ops
from simpul_trantib.schemas.disaster import (
    AssessmentIn,
    DisasterDetail,
    DisasterIn,
    DisasterOut,
    EvacuateIn,
    HouseholdBatchIn,
    HouseholdBatchOut,
    HouseholdOut,
    StepIn,
)

router = APIRouter(tags=["disasters"])
DISASTERS = "/v1/disasters"
ONE = DISASTERS + "/{disaster_id}"
HouseholdRecorder = Annotated[Principal, Depends(require_roles(OPD, BPBD, KADER, LINMAS))]
DisasterReader = Annotated[
    Principal,
    Depends(require_roles(OPD, SATPOL_PP, DAMKAR, BPBD, KADER, LINMAS, *AGGREGATE_READER_ROLES)),
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)]
STEP_PROBLEMS = problems(403, 404, 409, 422)


@router.post(
    DISASTERS,
    status_code=201,
    response_model=DisasterDetail,
    operation_id="declareDisaster",
    responses=problems(403, 422),
)
async def declare_disaster(
    body: DisasterIn, uow: UnitOfWorkDep, principal: Disaster, today: Today
) -> Any:
    """Declare a disaster: its kind, name, date, the desa it struck and the status SK."""
    disaster = await ops.declare(uow, principal, body, today)
    await uow.commit()
    return await reads.detail(uow.session, disaster)


@router.get(DISASTERS, response_model=list[DisasterOut], operation_id="listDisasters")
async def list_disasters(
    session: SessionDep,
    principal: DisasterReader,
    wilayah: WilayahQuery = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    kind: DisasterKind | None = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """Disasters over areas overlapping the caller's wilayah, the latest first."""
    found = await reads.list_disasters(
        session, principal, wilayah=wilayah, year=year, kind=kind, limit=limit, offset=offset
    )
    return [reads.to_out(d) for d in found]


@router.get(ONE, response_model=DisasterDetail, operation_id="getDisaster", responses=problems(404))
async def get_disaster(disaster_id: str, session: SessionDep, principal: DisasterReader) -> Any:
    """One disaster with its history and its households counted by damage and displacement."""
    return await reads.detail(
        session, await reads.visible_disaster(session, principal, disaster_id)
    )


@router.put(
    ONE + "/assessment",
    response_model=DisasterDetail,
    operation_id="assessDisaster",
    responses=STEP_PROBLEMS,
)
async def assess_disaster(
    disaster_id: str, body: AssessmentIn, uow: UnitOfWorkDep, principal: Disaster, today: Today
) -> Any:
    """The rapid assessment's totals (people, houses RR/RS/RB, facilities, victims needing
    evacuation); sent again while the emergency lasts, the latest totals stand."""
    disaster = await reads.visible_disaster(uow.session, principal, disaster_id, lock=True)
    await ops.assess(uow, principal, disaster, body, today)
    await uow.commit()
    return await reads.detail(uow.session, disaster)


async def _step(
    uow: UnitOfWork,
    principal: Principal,
    disaster_id: str,
    action: StepAction,
    body: StepIn,
    today: Today,
) -> Any:
    """Lock the disaster, take the step, commit, answer the disaster with its history."""
    disaster = await reads.visible_disaster(uow.session, principal, disaster_id, lock=True)
    await ops.take_step(uow, principal, disaster, action, body, today)
    await uow.commit()
    return await reads.detail(uow.session, disaster)


@router.post(
    ONE + "/evacuate",
    response_model=DisasterDetail,
    operation_id="evacuateDisaster",
    responses=STEP_PROBLEMS,
)
async def evacuate(
    disaster_id: str, body: EvacuateIn, uow: UnitOfWorkDep, principal: Disaster, today: Today
) -> Any:
    """Evacuation: the victims rescued and evacuated (at most those needing it)."""
    return await _step(uow, principal, disaster_id, "evacuate", body, today)


@router.post(
    ONE + "/respond",
    response_model=DisasterDetail,
    operation_id="respondToDisaster",
    responses=STEP_PROBLEMS,
)
async def respond(
    disaster_id: str, body: StepIn, uow: UnitOfWorkDep, principal: Disaster, today: Today
) -> Any:
    """Emergency response under way."""
    return await _step(uow, principal, disaster_id, "respond", body, today)


@router.post(
    ONE + "/recover",
    response_model=DisasterDetail,
    operation_id="recoverFromDisaster",
    responses=STEP_PROBLEMS,
)
async def recover(
    disaster_id: str, body: StepIn, uow: UnitOfWorkDep, principal: Disaster, today: Today
) -> Any:
    """Recovery (rehabilitation and reconstruction) begun."""
    return await _step(uow, principal, disaster_id, "recover", body, today)


@router.post(
    ONE + "/close",
    response_model=DisasterDetail,
    operation_id="closeDisaster",
    responses=STEP_PROBLEMS,
)
async def close(
    disaster_id: str, body: StepIn, uow: UnitOfWorkDep, principal: Disaster, today: Today
) -> Any:
    """Close the disaster; its households are final."""
    return await _step(uow, principal, disaster_id, "close", body, today)


@router.post(
    ONE + "/households",
    response_model=HouseholdBatchOut,
    operation_id="recordDisasterHouseholds",
    responses=problems(404, 409, 422),
)
async def record_households(
    disaster_id: str,
    body: HouseholdBatchIn,
    uow: UnitOfWorkDep,
    principal: HouseholdRecorder,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Record affected households (≤ 1,000: No. KK, posyandu of an affected desa, damage,
    displaced, members, school-age children): a result per item, in order (recorded, or error
    with the field and rule); a bad item never stops the good ones. Displaced households'
    children aged 5–18 are referred to education once each."""
    disaster = await reads.visible_disaster(uow.session, principal, disaster_id, lock=True)
    result = await households.record_batch(
        uow,
        principal,
        disaster,
        body.items,
        assessed_on=body.assessed_on,
        settings=settings,
        today=today,
    )
    await commit(uow, households.CONCURRENT)
    return result


@router.get(
    ONE + "/households",
    response_model=list[HouseholdOut],
    operation_id="listDisasterHouseholds",
    responses=problems(404),
)
async def list_households(
    disaster_id: str,
    session: SessionDep,
    principal: Reader,
    desa: DesaQuery = None,
    damage: Damage | None = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """The disaster's households in the caller's wilayah, their No. KK masked."""
    disaster = await reads.visible_disaster(session, principal, disaster_id)
    return await reads.list_households(
        session, principal, disaster, desa=desa, damage=damage, limit=limit, offset=offset
    )
