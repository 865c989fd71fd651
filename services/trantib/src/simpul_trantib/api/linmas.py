"""Satlinmas: members appointed by Satpol PP at a posyandu's desa (within the wilayah), their
extension, end and squad; lists with the NIK masked; each desa's strength counted as of today
(under the minimum strength, empty squads)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_trantib.api import deps
from simpul_trantib.api.deps import PublicOrder, Reader, SettingsDep, Today
from simpul_trantib.domain.linmas import LinmasRules, Squad
from simpul_trantib.models import LinmasMember
from simpul_trantib.ops import commit
from simpul_trantib.ops import linmas as ops
from simpul_trantib.ops.linmas_strength import strengths
from simpul_trantib.schemas.linmas import EndIn, ExtendIn, MemberIn, MemberOut, SquadIn, StrengthOut
from simpul_trantib.settings import TrantibSettings

router = APIRouter(tags=["satlinmas"])
MEMBERS = "/v1/linmas-members"
STEP = MEMBERS + "/{member_id}/"
STEP_PROBLEMS = problems(404, 409, 422)
ACTIVE_NIK = "This NIK is already an active Satlinmas member; end that membership first."
# A desa's strength names nobody: the field's roles and the aggregate readers (DPMD, TP PKK).
StrengthReader = Annotated[
    Principal,
    Depends(
        require_roles(
            deps.OPD,
            deps.SATPOL_PP,
            deps.DAMKAR,
            deps.BPBD,
            deps.KADER,
            deps.LINMAS,
            *AGGREGATE_READER_ROLES,
        )
    ),
]


@router.post(
    MEMBERS,
    status_code=201,
    response_model=MemberOut,
    operation_id="appointLinmasMember",
    responses=problems(403, 409, 422),
)
async def appoint(
    body: MemberIn, uow: UnitOfWorkDep, principal: PublicOrder, settings: SettingsDep, today: Today
) -> Any:
    """Appoint a Satlinmas member at the posyandu's desa (the SK's requirements checked)."""
    member = await ops.appoint(uow, principal, settings, body, today)
    await commit(uow, ACTIVE_NIK)
    return ops.member_out(member, LinmasRules.of(settings), today)


@router.get(MEMBERS, response_model=list[MemberOut], operation_id="listLinmasMembers")
async def list_members(
    session: SessionDep,
    principal: Reader,
    settings: SettingsDep,
    today: Today,
    desa: WilayahQuery = None,
    squad: Squad | None = None,
    serving: Annotated[bool | None, Query(description="serving today (true) or not")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Members in the caller's wilayah (``desa``: a desa or any area above it), NIK masked."""
    rules = LinmasRules.of(settings)
    found = await ops.list_members(
        session,
        principal,
        rules,
        wilayah=desa,
        squad=squad,
        serving=serving,
        on=today,
        limit=limit,
        offset=offset,
    )
    return [ops.member_out(member, rules, today) for member in found]


@router.get(
    MEMBERS + "/{member_id}",
    response_model=MemberOut,
    operation_id="getLinmasMember",
    responses=problems(404),
)
async def get_member(
    member_id: str, session: SessionDep, principal: Reader, settings: SettingsDep, today: Today
) -> Any:
    """One member, NIK masked."""
    member = await ops.visible_member(session, principal, member_id)
    return ops.member_out(member, LinmasRules.of(settings), today)


Taken = Callable[[UnitOfWork, LinmasMember], Awaitable[None]]


async def _step(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    member_id: str,
    today: date,
    take: Taken,
) -> Any:
    """Lock the member, take the step (the desa recounted), commit, answer the member."""
    member = await ops.visible_member(uow.session, principal, member_id, lock=True)
    await take(uow, member)
    await commit(uow, ACTIVE_NIK)
    return ops.member_out(member, LinmasRules.of(settings), today)


@router.post(
    STEP + "extend",
    response_model=MemberOut,
    operation_id="extendLinmasMember",
    responses=STEP_PROBLEMS,
)
async def extend(
    member_id: str,
    body: ExtendIn,
    uow: UnitOfWorkDep,
    principal: PublicOrder,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Extend a member's service past the service age (to the extended age at the latest)."""

    async def take(u: UnitOfWork, member: LinmasMember) -> None:
        await ops.extend(u, principal, settings, member, body, today)

    return await _step(uow, principal, settings, member_id, today, take)


@router.post(
    STEP + "end", response_model=MemberOut, operation_id="endLinmasMember", responses=STEP_PROBLEMS
)
async def end(
    member_id: str,
    body: EndIn,
    uow: UnitOfWorkDep,
    principal: PublicOrder,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """End a membership (resigned, died, moved, age, dismissed)."""

    async def take(u: UnitOfWork, member: LinmasMember) -> None:
        await ops.end(u, principal, settings, member, body, today)

    return await _step(uow, principal, settings, member_id, today, take)


@router.post(
    STEP + "squad",
    response_model=MemberOut,
    operation_id="moveLinmasMember",
    responses=STEP_PROBLEMS,
)
async def move(
    member_id: str,
    body: SquadIn,
    uow: UnitOfWorkDep,
    principal: PublicOrder,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Move an active member to another squad."""

    async def take(u: UnitOfWork, member: LinmasMember) -> None:
        await ops.move(u, principal, settings, member, body.squad, today)

    return await _step(uow, principal, settings, member_id, today, take)


@router.get(
    "/v1/linmas/strength", response_model=list[StrengthOut], operation_id="listLinmasStrength"
)
async def strength(
    session: SessionDep,
    principal: StrengthReader,
    settings: SettingsDep,
    today: Today,
    wilayah: WilayahQuery = None,
    under_strength: Annotated[
        bool | None, Query(description="fewer members serving than the minimum (true) or not")
    ] = None,
    empty_squad: Annotated[
        bool | None, Query(description="at least one of the five squads empty (true) or none")
    ] = None,
) -> Any:
    """Each desa's Satlinmas in the scope as of today, a desa with a posyandu and no members
    included (0, under strength)."""
    return await strengths(
        session,
        LinmasRules.of(settings),
        principal.visible_scopes(wilayah),
        today,
        under_strength=under_strength,
        empty_squad=empty_squad,
    )
