"""APAR at posyandu and public buildings: recorded, refilled and retired by Damkar, the OPD
and the trantib kader; checked also by Linmas; within the wilayah. Lists flag the expired ones
by the deployment's date and count them per desa."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from simpul_platform.auth import Principal, require_roles
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_trantib.api import deps
from simpul_trantib.api.deps import Reader, Recorder, Today
from simpul_trantib.models import Apar
from simpul_trantib.ops import apar as ops
from simpul_trantib.ops import commit
from simpul_trantib.schemas.apar import AparIn, AparList, AparOut, CheckIn, RefillIn, RetireIn

router = APIRouter(tags=["apar"])
APAR = "/v1/apar"
STEP = APAR + "/{apar_id}/"
STEP_PROBLEMS = problems(404, 409, 422)
AparWriter = Annotated[Principal, Depends(require_roles(deps.OPD, deps.DAMKAR, deps.KADER))]


@router.post(
    APAR,
    status_code=201,
    response_model=AparOut,
    operation_id="recordApar",
    responses=problems(403, 409, 422),
)
async def record(body: AparIn, uow: UnitOfWorkDep, principal: AparWriter, today: Today) -> Any:
    """Record an APAR at a posyandu or public building (answering an ``apar_needed``
    referral when it names one)."""
    apar = await ops.install(uow, principal, body, today)
    await commit(uow, "The referral was answered with another APAR at the same time.")
    return ops.apar_out(apar, today)


@router.get(APAR, response_model=AparList, operation_id="listApar")
async def list_apar(
    session: SessionDep,
    principal: Reader,
    today: Today,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    expired: Annotated[
        bool | None, Query(description="past its expiry date by the deployment's date")
    ] = None,
    retired: Annotated[bool, Query(description="the retired ones instead")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """APAR in the caller's wilayah, soonest expiry first, with a count per desa."""
    found = await ops.list_apar(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        expired=expired,
        retired=retired,
        today=today,
        limit=limit,
        offset=offset,
    )
    return AparList(
        on=today,
        items=[ops.apar_out(a, today) for a in found],
        by_desa=await ops.by_desa(session, principal, wilayah, today),
    )


Taken = Callable[[UnitOfWork, Apar], Awaitable[None]]


async def _step(
    uow: UnitOfWork, principal: Principal, apar_id: str, today: date, take: Taken
) -> Any:
    apar = await ops.visible_apar(uow.session, principal, apar_id, lock=True)
    await take(uow, apar)
    await uow.commit()
    return ops.apar_out(apar, today)


@router.post(
    STEP + "refill", response_model=AparOut, operation_id="refillApar", responses=STEP_PROBLEMS
)
async def refill(
    apar_id: str, body: RefillIn, uow: UnitOfWorkDep, principal: AparWriter, today: Today
) -> Any:
    """A refill: its date and the new expiry."""

    async def take(u: UnitOfWork, apar: Apar) -> None:
        await ops.refill(u, principal, apar, body, today)

    return await _step(uow, principal, apar_id, today, take)


@router.post(
    STEP + "check", response_model=AparOut, operation_id="checkApar", responses=STEP_PROBLEMS
)
async def check(
    apar_id: str, body: CheckIn, uow: UnitOfWorkDep, principal: Recorder, today: Today
) -> Any:
    """A check: its date and whether the pressure gauge is in the green."""

    async def take(u: UnitOfWork, apar: Apar) -> None:
        await ops.check(u, principal, apar, body, today)

    return await _step(uow, principal, apar_id, today, take)


@router.post(
    STEP + "retire", response_model=AparOut, operation_id="retireApar", responses=STEP_PROBLEMS
)
async def retire(
    apar_id: str, body: RetireIn, uow: UnitOfWorkDep, principal: AparWriter, today: Today
) -> Any:
    """Take an APAR out of service (no longer listed or counted)."""

    async def take(u: UnitOfWork, apar: Apar) -> None:
        await ops.retire(u, principal, apar, body.retired_on, today)

    return await _step(uow, principal, apar_id, today, take)
