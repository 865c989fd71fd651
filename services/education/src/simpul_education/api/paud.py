"""PAUD Holistik Integratif at the posyandu: children 0–6 enrolled in PAUD with their monthly
attendance (OpenSID's ``sasaran_paud`` shape), and families of young children in BKB (Bina
Keluarga Balita) classes. Person- and family-level: the field's own roles only."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.api.deps import Reader, SettingsDep, Today, Writer
from simpul_education.domain.paud import OPENSID_KATEGORI_USIA, attendance_sheet
from simpul_education.models import BkbMembership, Child, PaudEnrolment
from simpul_education.ops import commit
from simpul_education.ops import paud as ops
from simpul_education.schemas.paud import (
    AttendanceIn,
    BkbLeaveIn,
    BkbMembershipIn,
    BkbMembershipOut,
    PaudEnrolmentCreated,
    PaudEnrolmentIn,
    PaudEnrolmentOut,
)
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.pseudonym import mask_nik
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(tags=["paud"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)]
PosyanduQuery = Annotated[str | None, Query(max_length=36)]


def enrolment_out(enrolment: PaudEnrolment, child: Child, marks: dict[int, str]) -> dict[str, Any]:
    sheet = attendance_sheet(marks)
    return {
        **enrolment.model_dump(),
        "child_name": child.name,
        "person_ref": child.person_ref,
        "opensid_kategori_usia": OPENSID_KATEGORI_USIA[enrolment.age_group],
        "attendance": sheet,
        "months_attended": sheet.count("attended"),
    }


async def _one(session: AsyncSession, enrolment: PaudEnrolment, child: Child) -> dict[str, Any]:
    marks = await ops.marks(session, [enrolment.id])
    return enrolment_out(enrolment, child, marks[enrolment.id])


def membership_out(row: BkbMembership) -> dict[str, Any]:
    return {**row.model_dump(exclude={"kk"}), "kk_masked": mask_nik(row.kk)}


@router.post(
    "/v1/paud/enrolments",
    status_code=201,
    response_model=PaudEnrolmentCreated,
    operation_id="createPaudEnrolment",
    responses=problems(404),
)
async def create_enrolment(
    body: PaudEnrolmentIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Enrol a child 0–6 in a PAUD unit for a year (one per child and year); the child's
    status becomes paud at the unit unless its history already says so or has moved on."""
    enrolment, child, recorded = await ops.enrol(uow, principal, body, today=today)
    await commit(uow, ops.DUPLICATE_ENROLMENT)
    return {**enrolment_out(enrolment, child, {}), "status_recorded": recorded}


@router.get(
    "/v1/paud/enrolments", response_model=list[PaudEnrolmentOut], operation_id="listPaudEnrolments"
)
async def list_enrolments(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: PosyanduQuery = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """PAUD enrolments in the caller's wilayah, optionally one posyandu's or one year's."""
    found = await ops.list_enrolments(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        year=year,
        limit=limit,
        offset=offset,
    )
    marks = await ops.marks(session, [e.id for e, _ in found])
    return [enrolment_out(e, c, marks[e.id]) for e, c in found]


@router.get(
    "/v1/paud/enrolments/{enrolment_id}",
    response_model=PaudEnrolmentOut,
    operation_id="getPaudEnrolment",
)
async def get_enrolment(enrolment_id: str, session: SessionDep, principal: Reader) -> Any:
    """One PAUD enrolment with its twelve monthly attendance marks."""
    enrolment, child = await ops.visible_enrolment(session, principal, enrolment_id)
    return await _one(session, enrolment, child)


@router.put(
    "/v1/paud/enrolments/{enrolment_id}/attendance/{month}",
    response_model=PaudEnrolmentOut,
    operation_id="recordPaudAttendance",
)
async def record_attendance(
    enrolment_id: str,
    month: Annotated[int, Path(ge=1, le=12, description="1 = January … 12 = December")],
    body: AttendanceIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    today: Today,
) -> Any:
    """Set a month's attendance mark (of the enrolment's year, from its month on, begun)."""
    enrolment, child = await ops.visible_enrolment(uow.session, principal, enrolment_id, lock=True)
    await ops.record_attendance(uow, principal, enrolment, month, body.mark, today=today)
    await commit(uow, "This month's mark was written concurrently; read it and retry.")
    return await _one(uow.session, enrolment, child)


@router.post(
    "/v1/bkb/memberships",
    status_code=201,
    response_model=BkbMembershipOut,
    operation_id="createBkbMembership",
    tags=["bkb"],
)
async def create_membership(
    body: BkbMembershipIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Register a family (No. KK) in a BKB class at a posyandu; the family needs a child 0–6
    known to education in the posyandu's desa, and is in one class at a time."""
    row = await ops.join_bkb(uow, principal, body, secret=settings.pseudonym_secret, today=today)
    await commit(uow, ops.DUPLICATE_MEMBERSHIP)
    return membership_out(row)


@router.get(
    "/v1/bkb/memberships",
    response_model=list[BkbMembershipOut],
    operation_id="listBkbMemberships",
    tags=["bkb"],
)
async def list_memberships(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: PosyanduQuery = None,
    active_on: Annotated[date | None, Query(description="only memberships active that day")] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """BKB memberships in the caller's wilayah, optionally one posyandu's or active on a day."""
    rows = await ops.list_memberships(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        active_on=active_on,
        limit=limit,
        offset=offset,
    )
    return [membership_out(r) for r in rows]


@router.get(
    "/v1/bkb/memberships/{membership_id}",
    response_model=BkbMembershipOut,
    operation_id="getBkbMembership",
    tags=["bkb"],
)
async def get_membership(membership_id: str, session: SessionDep, principal: Reader) -> Any:
    """One family's BKB membership, the No. KK masked."""
    return membership_out(await ops.visible_membership(session, principal, membership_id))


@router.post(
    "/v1/bkb/memberships/{membership_id}/end",
    response_model=BkbMembershipOut,
    operation_id="endBkbMembership",
    tags=["bkb"],
)
async def end_membership(
    membership_id: str, body: BkbLeaveIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """End a family's BKB membership on the day it left (409 when it already ended)."""
    row = await ops.visible_membership(uow.session, principal, membership_id, lock=True)
    ops.leave_bkb(uow, principal, row, body.left_on, today=today)
    await uow.commit()
    return membership_out(row)
