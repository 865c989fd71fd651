"""Households (No. KK), their members (NIK) and DTSEN deciles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import col, select

from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.pseudonym import mask_nik
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery, under
from simpul_social.api.deps import Reader, SettingsDep, Writer
from simpul_social.models import Household, Member
from simpul_social.ops import households as ops
from simpul_social.schemas.households import (
    AssessmentOut,
    DecileIn,
    HouseholdDetail,
    HouseholdIn,
    HouseholdOut,
    MemberIn,
    MemberOut,
)

router = APIRouter(prefix="/v1/households", tags=["households"])


def member_out(member: Member) -> MemberOut:
    return MemberOut.model_validate(
        {**member.model_dump(exclude={"nik"}), "nik_masked": mask_nik(member.nik)}
    )


async def detail(session: Any, household: Household) -> HouseholdDetail:
    members = await ops.members_of(session, household.id)
    assessments = await ops.assessments_of(session, household.id)
    return HouseholdDetail.model_validate(
        {
            **household.model_dump(),
            "members": [member_out(m) for m in members],
            "assessments": [AssessmentOut.model_validate(a) for a in assessments],
        }
    )


@router.post("", status_code=201, response_model=HouseholdDetail, operation_id="createHousehold")
async def create(
    body: HouseholdIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Register a household by No. KK in a posyandu's area, with members and decile."""
    household = await ops.create_household(uow, settings, body, principal)
    await uow.commit()
    return await detail(uow.session, household)


@router.get("", response_model=list[HouseholdOut], operation_id="listHouseholds")
async def list_households(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: str | None = None,
    decile_max: Annotated[int | None, Query(ge=1, le=10)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Households in the caller's wilayah, optionally one posyandu's or up to a decile."""
    query = select(Household).where(under(Household.desa_code, principal.visible_scopes(wilayah)))
    if posyandu_id is not None:
        query = query.where(Household.posyandu_id == posyandu_id)
    if decile_max is not None:
        query = query.where(col(Household.decile) <= decile_max)
    query = query.order_by(col(Household.created_at), col(Household.id)).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


@router.get("/{household_id}", response_model=HouseholdDetail, operation_id="getHousehold")
async def get(household_id: str, session: SessionDep, principal: Reader) -> Any:
    """One household with its members and decile history."""
    household = await ops.get_visible(session, household_id, principal)
    return await detail(session, household)


@router.post(
    "/{household_id}/members",
    status_code=201,
    response_model=MemberOut,
    operation_id="addHouseholdMember",
)
async def add_member(
    household_id: str, body: MemberIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Add a member by NIK (validated) to a household."""
    household = await ops.get_visible(uow.session, household_id, principal)
    member = await ops.add_member(uow, settings, household, body, principal.subject)
    await uow.commit()
    return member_out(member)


@router.post(
    "/{household_id}/assessments",
    status_code=201,
    response_model=HouseholdDetail,
    operation_id="assessHousehold",
)
async def assess(
    household_id: str, body: DecileIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Record a DTSEN decile (source and date); the newest assessment is the current decile."""
    household = await ops.get_visible(uow.session, household_id, principal)
    await ops.assess(uow, settings, household, body, principal.subject)
    await uow.commit()
    return await detail(uow.session, household)
