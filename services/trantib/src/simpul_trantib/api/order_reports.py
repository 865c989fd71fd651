"""Public-order reports (gangguan trantibum): opened by the field's recorders at a posyandu's
desa, then one POST per step by Satpol PP; a step the report's status does not allow is a 409
naming the allowed ones. Lists and details never hold the reporter: ``/reporter`` opens it for
the report's handler alone, and answers everyone else 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_platform.auth import CurrentPrincipal, Principal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.openapi import links, problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery
from simpul_trantib.api.deps import PublicOrder, Reader, Recorder, SettingsDep, Today
from simpul_trantib.domain.order import Category, OrderStatus
from simpul_trantib.models import OrderReport
from simpul_trantib.ops import order_reads as reads
from simpul_trantib.ops import order_reports as ops
from simpul_trantib.ops import order_steps as steps
from simpul_trantib.ops import reporters
from simpul_trantib.schemas.order import (
    CloseIn,
    HandleIn,
    OrderReportDetail,
    OrderReportIn,
    OrderReportOut,
    RejectIn,
    ReporterOut,
    ServeIn,
    VerifyIn,
)

router = APIRouter(tags=["public-order reports"])
REPORTS = "/v1/order-reports"
STEP = REPORTS + "/{report_id}/"
STEP_PROBLEMS = problems(404, 409, 422)  # outside the wilayah; a wrong step; a date's rule


@router.post(
    REPORTS,
    status_code=201,
    response_model=OrderReportDetail,
    operation_id="openOrderReport",
    responses=problems(403, 409, 422) | links("getOrderReport", report_id="$response.body#/id"),
)
async def open_report(
    body: OrderReportIn,
    uow: UnitOfWorkDep,
    principal: Recorder,
    settings: SettingsDep,
    today: Today,
) -> Any:
    """Report a public-order disturbance; its reporter (optional) is sealed apart."""
    row = await ops.report(uow, principal, settings, body, today)
    await uow.commit()
    return await reads.detail(uow.session, row)


@router.get(REPORTS, response_model=list[OrderReportOut], operation_id="listOrderReports")
async def list_reports(
    session: SessionDep,
    principal: Reader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    status: OrderStatus | None = None,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Reports in the caller's wilayah, newest report first."""
    found = await reads.list_reports(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        status=status,
        category=category,
        limit=limit,
        offset=offset,
    )
    return [OrderReportOut.model_validate(row) for row in found]


@router.get(
    REPORTS + "/{report_id}",
    response_model=OrderReportDetail,
    operation_id="getOrderReport",
    responses=problems(404),
)
async def get_report(report_id: str, session: SessionDep, principal: Reader) -> Any:
    """One report with every step taken and the steps open to it."""
    return await reads.detail(session, await reads.visible_report(session, principal, report_id))


@router.get(
    REPORTS + "/{report_id}/reporter",
    response_model=ReporterOut,
    operation_id="getOrderReporter",
    responses=problems(404, 409),
)
async def get_reporter(
    report_id: str, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> Any:
    """Who reported it: for the report's Satpol PP handler alone (404 for anyone else)."""
    return await reporters.open_for(session, settings, principal, report_id)


Taken = Callable[[UnitOfWork, OrderReport], Awaitable[object]]


async def _step(uow: UnitOfWork, principal: Principal, report_id: str, take: Taken) -> Any:
    """Lock the report, take the step, commit, answer the report with its history."""
    row = await reads.visible_report(uow.session, principal, report_id, lock=True)
    await take(uow, row)
    await uow.commit()
    return await reads.detail(uow.session, row)


def _route(action: str, operation_id: str, summary: str) -> Callable[[Any], Any]:
    return router.post(
        STEP + action,
        response_model=OrderReportDetail,
        operation_id=operation_id,
        responses=STEP_PROBLEMS,
        summary=summary,
    )


@_route("verify", "verifyOrderReport", "Verify a report")
async def verify(
    report_id: str, body: VerifyIn, uow: UnitOfWorkDep, principal: PublicOrder, today: Today
) -> Any:
    """The disturbance is real: its handler assigned (the caller when none is named)."""
    return await _step(
        uow, principal, report_id, lambda u, r: steps.verify(u, principal, r, body, today)
    )


@_route("handle", "handleOrderReport", "Handle a report")
async def handle(
    report_id: str, body: HandleIn, uow: UnitOfWorkDep, principal: PublicOrder, today: Today
) -> Any:
    """Handled by penegakan (a Perda/Perkada enforced, named) or mediasi."""
    return await _step(
        uow, principal, report_id, lambda u, r: steps.handle(u, principal, r, body, today)
    )


@_route("serve", "serveOrderReport", "Serve the affected citizens")
async def serve(
    report_id: str, body: ServeIn, uow: UnitOfWorkDep, principal: PublicOrder, today: Today
) -> Any:
    """The affected citizens were served (how many of how many)."""
    return await _step(
        uow, principal, report_id, lambda u, r: steps.serve(u, principal, r, body, today)
    )


@_route("close", "closeOrderReport", "Close a report")
async def close(
    report_id: str, body: CloseIn, uow: UnitOfWorkDep, principal: PublicOrder, today: Today
) -> Any:
    """Closed once served; the referral it came from is resolved as handled."""
    return await _step(
        uow, principal, report_id, lambda u, r: steps.close(u, principal, r, body, today)
    )


@_route("reject", "rejectOrderReport", "Reject a report")
async def reject(
    report_id: str, body: RejectIn, uow: UnitOfWorkDep, principal: PublicOrder, today: Today
) -> Any:
    """Closed without handling, for a reason; the referral it came from is resolved as not
    found."""
    return await _step(
        uow, principal, report_id, lambda u, r: steps.reject(u, principal, r, body, today)
    )
