"""Village infrastructure issues: reported at a posyandu's desa (a report of the same kind
near an open issue is linked to it as a duplicate), then one POST per step; a step the issue's
status does not allow is a 409 naming the allowed ones. Public-works roles report and close
issues; the desa (``desa``) also triages, forwards and schedules them. Within the wilayah."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_platform.auth import Principal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_public_works.api.deps import SettingsDep, Today, Village, VillageReader, Writer
from simpul_public_works.domain.issues import IssueKind, IssueStatus
from simpul_public_works.models import InfrastructureIssue
from simpul_public_works.ops import issues as ops
from simpul_public_works.ops import issues_reads as reads
from simpul_public_works.ops import issues_steps as steps
from simpul_public_works.ops.issues_rows import overdue_thresholds
from simpul_public_works.schemas.issues import (
    CompleteIn,
    DeclineIn,
    ForwardIn,
    IssueDetail,
    IssueIn,
    IssueOut,
    IssueReportedOut,
    ScheduleIn,
    TriageIn,
)
from simpul_public_works.settings import PublicWorksSettings

router = APIRouter(tags=["infrastructure issues"])
ISSUES = "/v1/infrastructure-issues"
STEP = ISSUES + "/{issue_id}/"
STEP_PROBLEMS = problems(404, 409, 422)  # outside the wilayah; a wrong step; a date's rule


@router.post(
    ISSUES,
    status_code=201,
    response_model=IssueReportedOut,
    operation_id="reportInfrastructureIssue",
    responses=problems(403, 409, 422),
)
async def report_issue(
    body: IssueIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """Report damage to a desa's infrastructure; ``linked_as_duplicate`` says it repeats an
    open issue of the same kind nearby (``duplicate_of``) and is not counted again."""
    issue, distance = await ops.report(uow, principal, settings, body, today)
    await uow.commit()
    shown = await reads.detail(uow.session, issue, today, overdue_thresholds(settings))
    return IssueReportedOut.model_validate(
        {
            **shown.model_dump(),
            "linked_as_duplicate": issue.duplicate_of is not None and body.duplicate_of is None,
            "duplicate_distance_m": distance,
        }
    )


@router.get(ISSUES, response_model=list[IssueOut], operation_id="listInfrastructureIssues")
async def list_issues(
    session: SessionDep,
    principal: VillageReader,
    settings: SettingsDep,
    today: Today,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    kind: IssueKind | None = None,
    status: IssueStatus | None = None,
    overdue: Annotated[
        bool | None, Query(description="open past its step's deadline (true) or not (false)")
    ] = None,
    facility_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Issues in the caller's wilayah, newest report first."""
    thresholds = overdue_thresholds(settings)
    found = await reads.list_issues(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        kind=kind,
        status=status,
        overdue=overdue,
        facility_id=facility_id,
        on=today,
        thresholds=thresholds,
        limit=limit,
        offset=offset,
    )
    return [reads.issue_out(row, today, thresholds) for row in found]


@router.get(
    ISSUES + "/{issue_id}",
    response_model=IssueDetail,
    operation_id="getInfrastructureIssue",
    responses=problems(404),
)
async def get_issue(
    issue_id: str,
    session: SessionDep,
    principal: VillageReader,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """One issue with every step taken, its duplicates and the steps open to it."""
    issue = await reads.visible_issue(session, principal, issue_id)
    return await reads.detail(session, issue, today, overdue_thresholds(settings))


Taken = Callable[[UnitOfWork, InfrastructureIssue], Awaitable[object]]


async def _step(
    uow: UnitOfWork,
    principal: Principal,
    settings: PublicWorksSettings,
    issue_id: str,
    today: date,
    take: Taken,
) -> Any:
    """Lock the issue, take the step, commit, answer the issue with its history."""
    issue = await reads.visible_issue(uow.session, principal, issue_id, lock=True)
    await take(uow, issue)
    await uow.commit()
    return await reads.detail(uow.session, issue, today, overdue_thresholds(settings))


@router.post(
    STEP + "triage",
    response_model=IssueDetail,
    operation_id="triageInfrastructureIssue",
    responses=STEP_PROBLEMS,
)
async def triage(
    issue_id: str,
    body: TriageIn,
    uow: UnitOfWorkDep,
    principal: Village,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """The desa decides: handled from its APBDes, or by the kabupaten (then forwarded)."""
    return await _step(
        uow,
        principal,
        settings,
        issue_id,
        today,
        lambda u, i: steps.triage(u, principal, i, body, today),
    )


@router.post(
    STEP + "forward",
    response_model=IssueDetail,
    operation_id="forwardInfrastructureIssue",
    responses=STEP_PROBLEMS,
)
async def forward(
    issue_id: str,
    body: ForwardIn,
    uow: UnitOfWorkDep,
    principal: Village,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """A kabupaten issue is forwarded to the OPD."""
    return await _step(
        uow,
        principal,
        settings,
        issue_id,
        today,
        lambda u, i: steps.forward(u, principal, i, body, today),
    )


@router.post(
    STEP + "schedule",
    response_model=IssueDetail,
    operation_id="scheduleInfrastructureIssue",
    responses=STEP_PROBLEMS,
)
async def schedule(
    issue_id: str,
    body: ScheduleIn,
    uow: UnitOfWorkDep,
    principal: Village,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """The works are budgeted (year, funding source): by the desa for an APBDes issue, after
    forwarding for a kabupaten one."""
    return await _step(
        uow,
        principal,
        settings,
        issue_id,
        today,
        lambda u, i: steps.schedule(u, principal, i, body, today),
    )


@router.post(
    STEP + "complete",
    response_model=IssueDetail,
    operation_id="completeInfrastructureIssue",
    responses=STEP_PROBLEMS,
)
async def complete(
    issue_id: str,
    body: CompleteIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """The works are done: its open duplicates close with it, the facility it names works
    again, the referral it came from is resolved."""
    return await _step(
        uow,
        principal,
        settings,
        issue_id,
        today,
        lambda u, i: steps.complete(u, principal, settings, i, body, today),
    )


@router.post(
    STEP + "decline",
    response_model=IssueDetail,
    operation_id="declineInfrastructureIssue",
    responses=STEP_PROBLEMS,
)
async def decline(
    issue_id: str,
    body: DeclineIn,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Not to be handled, for a reason: its open duplicates close with it, the referral it
    came from is resolved."""
    return await _step(
        uow,
        principal,
        settings,
        issue_id,
        today,
        lambda u, i: steps.decline(u, principal, settings, i, body, today),
    )


@router.delete(
    STEP + "duplicate-of",
    response_model=IssueDetail,
    operation_id="unlinkInfrastructureIssueDuplicate",
    responses=problems(404, 409),
)
async def unlink(
    issue_id: str, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """A report wrongly taken for a duplicate is worked (and counted) on its own."""

    async def take(u: UnitOfWork, issue: InfrastructureIssue) -> None:
        await ops.unlink(u, principal, issue, today)

    return await _step(uow, principal, settings, issue_id, today, take)
