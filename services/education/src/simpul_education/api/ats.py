"""ATS cases (anak tidak sekolah): a child 7–18 out of school, from detection to enrolment or a
closing, one POST per step. A step the case's status does not allow is a 409 naming the
allowed ones. Person-level: education roles only, within their wilayah."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Query, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.api.deps import Reader, SettingsDep, Today, Writer
from simpul_education.domain.ats import (
    AtsCategory,
    AtsStatus,
    NotEligibleReason,
    ProblemDomain,
    ReEntryPath,
)
from simpul_education.models import AtsCase
from simpul_education.ops import ats as ops
from simpul_education.ops import ats_import, ats_reads
from simpul_education.schemas.ats import (
    AtsCaseDetail,
    AtsCaseOut,
    AtsOpenIn,
    AtsStepOut,
    CatalogueOut,
    ClassifyIn,
    CloseIn,
    EnrollIn,
    ImportOut,
    ReferIn,
    ResiduIn,
    VerifyIn,
)
from simpul_platform.auth import Principal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(tags=["ats cases"])
CASES = "/v1/ats-cases"


async def detail(session: AsyncSession, case: AtsCase, today: date) -> AtsCaseDetail:
    out = await ats_reads.to_out(session, case, today)
    steps = [AtsStepOut.model_validate(h) for h in await ats_reads.history(session, case.id)]
    return AtsCaseDetail.model_validate({**out.model_dump(), "history": steps})


@router.get("/v1/ats-catalogue", response_model=CatalogueOut, operation_id="getAtsCatalogue")
async def catalogue(principal: Reader, settings: SettingsDep) -> Any:
    """The codes the ATS steps take (verification reasons are the deployment's data)."""
    return CatalogueOut(
        categories=list(get_args(AtsCategory)),
        problem_domains=list(get_args(ProblemDomain)),
        verify_reasons=settings.ats_verify_reasons,
        re_entry_paths=list(get_args(ReEntryPath)),
        paket_min_age=settings.ats_paket_min_age,
        not_eligible_reasons=list(get_args(NotEligibleReason)),
        verify_due_working_days=settings.ats_verify_due_working_days,
    )


@router.post(
    CASES,
    status_code=201,
    response_model=AtsCaseDetail,
    operation_id="openAtsCase",
    responses=problems(404),  # the child is not in the caller's wilayah
)
async def open_case(
    body: AtsOpenIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """Open a case for a child 7–18 out of school (one open case per child)."""
    case = await ops.open_case_for(
        uow,
        principal,
        settings,
        body.child_id,
        source=body.source,
        detected_on=body.detected_on,
        today=today,
        referral_id=body.referral_id,
    )
    await ops.commit_opening(uow, body.child_id)
    return await detail(uow.session, case, today)


@router.get(CASES, response_model=list[AtsCaseOut], operation_id="listAtsCases")
async def list_cases(
    session: SessionDep,
    principal: Reader,
    today: Today,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    status: AtsStatus | None = None,
    overdue: Annotated[bool, Query(description="only cases not verified by their due date")] = (
        False
    ),
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Cases in the caller's wilayah by detection date; ``overdue=true``: past the
    verification due date unverified."""
    return await ats_reads.list_cases(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        status=status,
        overdue_on=today if overdue else None,
        limit=limit,
        offset=offset,
        today=today,
    )


@router.get(CASES + "/{case_id}", response_model=AtsCaseDetail, operation_id="getAtsCase")
async def get_case(case_id: str, session: SessionDep, principal: Reader, today: Today) -> Any:
    """One case with every step taken."""
    return await detail(session, await ats_reads.visible_case(session, principal, case_id), today)


async def _locked(uow: UnitOfWork, principal: Principal, case_id: str) -> AtsCase:
    return await ats_reads.visible_case(uow.session, principal, case_id, lock=True)


@router.post(
    CASES + "/{case_id}/classify", response_model=AtsCaseDetail, operation_id="classifyAtsCase"
)
async def classify(
    case_id: str, body: ClassifyIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """BPB, DO or LTM (BPB only for a child never enrolled)."""
    case = await _locked(uow, principal, case_id)
    await ops.classify(uow, principal, case, body, today)
    await uow.commit()
    return await detail(uow.session, case, today)


@router.post(
    CASES + "/{case_id}/verify", response_model=AtsCaseDetail, operation_id="verifyAtsCase"
)
async def verify(
    case_id: str,
    body: VerifyIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """The desa's verification: reason and problem domain (ekonomi also refers to social)."""
    case = await _locked(uow, principal, case_id)
    await ops.verify(uow, principal, settings, case, body, today)
    await uow.commit()
    return await detail(uow.session, case, today)


@router.post(CASES + "/{case_id}/refer", response_model=AtsCaseDetail, operation_id="referAtsCase")
async def refer(
    case_id: str,
    body: ReferIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Re-entry: PPDB (formal school) or SPNF/PKBM (the Paket that fits)."""
    case = await _locked(uow, principal, case_id)
    await ops.refer(uow, principal, settings, case, body, today)
    await uow.commit()
    return await detail(uow.session, case, today)


@router.post(
    CASES + "/{case_id}/enroll", response_model=AtsCaseDetail, operation_id="enrollAtsCase"
)
async def enroll(
    case_id: str, body: EnrollIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Back in education (unit, NPSN, date); also the child's education status."""
    case = await _locked(uow, principal, case_id)
    await ops.enroll(uow, principal, case, body, today)
    await uow.commit()
    return await detail(uow.session, case, today)


@router.post(CASES + "/{case_id}/close", response_model=AtsCaseDetail, operation_id="closeAtsCase")
async def close(
    case_id: str, body: CloseIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Not eligible: over 18, in a pesantren, moved, deceased."""
    case = await _locked(uow, principal, case_id)
    await ops.close(uow, principal, case, body, today)
    await uow.commit()
    return await detail(uow.session, case, today)


@router.post(
    CASES + "/{case_id}/residu", response_model=AtsCaseDetail, operation_id="markAtsCaseResidu"
)
async def mark_residu(
    case_id: str, body: ResiduIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """The child cannot be located (until referred)."""
    case = await _locked(uow, principal, case_id)
    await ops.mark_residu(uow, principal, case, body, today)
    await uow.commit()
    return await detail(uow.session, case, today)


CSV_BODY = {
    "type": "string",
    "minLength": len(",".join(ats_import.COLUMNS)),
    "pattern": ats_import.BODY_PATTERN,
}


@router.post(
    # Not under /v1/ats-cases/: "import" would also be a case id there.
    "/v1/ats-case-imports",
    response_model=ImportOut,
    operation_id="importAtsCases",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": CSV_BODY, "example": ats_import.TEMPLATE}},
        }
    },
)
async def import_cases(
    request: Request,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
    posyandu_id: Annotated[str, Query(min_length=1, max_length=36)],
    detected_on: Annotated[date | None, Query(description="today when omitted")] = None,
) -> Any:
    """A Dapodik-style ATS list (CSV, ≤ 1,000 rows): each row registers the child if unknown
    and opens a classified case; one result per row, the same file twice opens nothing new."""
    rows = ats_import.parse(await request.body())
    context = ats_import.Import(uow, principal, settings, posyandu_id, detected_on or today, today)
    result = await ats_import.import_cases(context, rows)
    await uow.commit()
    return result
