"""Reading RTLH cases: one the caller may see (with its history and the steps it allows), a
page of them by report date or by priority, a house's open case, and a house's aid history
(recorded aid of the house and its households, and aid its surveys declare)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.rtlh import OPEN_STATUSES, RTLH
from simpul_housing.models import Assessment, House, HousingAid, RtlhCase, RtlhCaseHistory
from simpul_housing.ops.houses import households
from simpul_housing.schemas.rtlh import (
    AidOut,
    DeclaredAid,
    HouseAidOut,
    RtlhCaseDetail,
    RtlhCaseOut,
    RtlhStepOut,
)
from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.wilayah import under

Order = Literal["reported", "priority"]


def to_out(case: RtlhCase) -> RtlhCaseOut:
    return RtlhCaseOut.model_validate(
        {**case.model_dump(), "allowed_actions": RTLH.allowed_actions(case.status)}  # type: ignore[arg-type]
    )


async def detail(session: AsyncSession, case: RtlhCase) -> RtlhCaseDetail:
    query = (
        select(RtlhCaseHistory)
        .where(RtlhCaseHistory.case_id == case.id)
        .order_by(col(RtlhCaseHistory.id))
    )
    steps = [RtlhStepOut.model_validate(h) for h in (await session.exec(query)).all()]
    return RtlhCaseDetail.model_validate({**to_out(case).model_dump(), "history": steps})


async def visible_case(
    session: AsyncSession, principal: Principal, case_id: str, *, lock: bool = False
) -> RtlhCase:
    """A case the caller may see; 404 otherwise (as for its house)."""
    case = await session.get(RtlhCase, case_id, with_for_update=lock or None)
    if case is None or not principal.can_see(case.desa_code):
        raise NotFound(f"No RTLH case {case_id} in your wilayah.")
    return case


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    status: str | None,
    order: Order,
    limit: int,
    offset: int,
) -> list[RtlhCaseOut]:
    """Cases in the caller's scope: by report date, or the highest priority first (cases not
    yet prioritised last)."""
    query = select(RtlhCase).where(
        under(col(RtlhCase.desa_code), principal.visible_scopes(wilayah))
    )
    if posyandu_id is not None:
        query = query.where(RtlhCase.posyandu_id == posyandu_id)
    if status is not None:
        query = query.where(RtlhCase.status == status)
    if order == "priority":
        query = query.order_by(col(RtlhCase.priority).desc().nulls_last())
    query = query.order_by(col(RtlhCase.reported_on), col(RtlhCase.id))
    rows = (await session.exec(query.offset(offset).limit(limit))).all()
    return [to_out(case) for case in rows]


async def open_case_of(session: AsyncSession, house_id: str) -> RtlhCase | None:
    query = select(RtlhCase).where(
        RtlhCase.house_id == house_id, col(RtlhCase.status).in_(OPEN_STATUSES)
    )
    return (await session.exec(query)).first()


async def aid_rows(
    session: AsyncSession, household_refs: Sequence[str], house_id: str
) -> list[HousingAid]:
    """Aid recorded for the house, or for any of the households, newest year first."""
    query = select(HousingAid).where(
        or_(
            col(HousingAid.house_id) == house_id,
            col(HousingAid.household_ref).in_(list(household_refs)),
        )
    )
    query = query.order_by(col(HousingAid.year).desc(), col(HousingAid.recorded_at).desc())
    return list((await session.exec(query)).all())


async def declared_aid(session: AsyncSession, house_id: str) -> list[Assessment]:
    """The house's surveys that say it was aided before, newest first."""
    query = (
        select(Assessment)
        .where(Assessment.house_id == house_id, col(Assessment.previous_aid_year).is_not(None))
        .order_by(col(Assessment.surveyed_on).desc(), col(Assessment.recorded_at).desc())
    )
    return list((await session.exec(query)).all())


async def house_aid(session: AsyncSession, house: House, window_years: int) -> HouseAidOut:
    """A house's aid history: what "already aided" is judged by."""
    refs = [h.household_ref for h in await households(session, house.id)]
    return HouseAidOut(
        house_id=house.id,
        aid_repeat_years=window_years,
        aid=[AidOut.model_validate(a) for a in await aid_rows(session, refs, house.id)],
        declared=[
            DeclaredAid(
                assessment_id=a.id,
                surveyed_on=a.surveyed_on,
                previous_aid_year=a.previous_aid_year,  # filtered: not None
            )
            for a in await declared_aid(session, house.id)
        ],
    )
