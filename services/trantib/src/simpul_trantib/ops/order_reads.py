"""Reading public-order reports: one the caller may see (404 otherwise) with its steps, the
steps open to it and the note it was escalated from; lists by wilayah, posyandu, status and
category. Never the reporter: that is ``ops.reporters``, for the handler alone."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import NotFound
from simpul_platform.wilayah import under
from simpul_trantib.domain.order import allowed
from simpul_trantib.models import EarlyDetectionNote, OrderReport, OrderReportHistory
from simpul_trantib.schemas.order import OrderReportDetail, OrderReportOut, OrderStepOut


async def visible_report(
    session: AsyncSession, principal: Principal, report_id: str, *, lock: bool = False
) -> OrderReport:
    row = await session.get(OrderReport, report_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No public-order report {report_id} in your wilayah.")
    return row


async def detail(session: AsyncSession, row: OrderReport) -> OrderReportDetail:
    steps = (
        select(OrderReportHistory)
        .where(OrderReportHistory.report_id == row.id)
        .order_by(col(OrderReportHistory.step_on), col(OrderReportHistory.id))
    )
    note = select(EarlyDetectionNote.id).where(EarlyDetectionNote.report_id == row.id)
    return OrderReportDetail.model_validate(
        {
            **OrderReportOut.model_validate(row).model_dump(),
            "history": [OrderStepOut.model_validate(h) for h in (await session.exec(steps)).all()],
            "allowed": allowed(row.status),
            "early_detection_note_id": (await session.exec(note)).first(),
        }
    )


async def list_reports(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    status: str | None,
    category: str | None,
    limit: int,
    offset: int,
) -> Sequence[OrderReport]:
    """Reports in the caller's scope, newest report first."""
    query = select(OrderReport).where(
        under(col(OrderReport.desa_code), principal.visible_scopes(wilayah))
    )
    if posyandu_id is not None:
        query = query.where(OrderReport.posyandu_id == posyandu_id)
    if status is not None:
        query = query.where(OrderReport.status == status)
    if category is not None:
        query = query.where(OrderReport.category == category)
    query = query.order_by(col(OrderReport.reported_on).desc(), col(OrderReport.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())
