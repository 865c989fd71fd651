"""The steps of a public-order report after it was opened, one operation each: the route locks
the report, the operation checks the step (409 naming the current status and the allowed
ones, before the body is judged), dates it (not in the future, not before the previous step:
422 naming the field and rule), sets its columns and takes it (``order_reports.take_step``).
Its end — closed or rejected — is announced (``OrderReportClosed``: category, desa, handling
and counts) and resolves the referral it was opened for, in the same transaction."""

from __future__ import annotations

from datetime import date

from simpul_platform.auth import Principal
from simpul_platform.uow import UnitOfWork
from simpul_trantib.domain.order import (
    CLOSED_DONE,
    ORDER,
    OrderAction,
    check_handling,
    check_step_date,
    last_step_on,
    served_counts,
)
from simpul_trantib.events import OrderReportClosed
from simpul_trantib.models import OrderReport
from simpul_trantib.ops import order_referrals
from simpul_trantib.ops.order_reports import take_step
from simpul_trantib.schemas.order import CloseIn, HandleIn, RejectIn, ServeIn, VerifyIn


def _dated(
    row: OrderReport, action: OrderAction, given: date | None, today: date, field: str
) -> date:
    """Refuse a wrong step first (409), then its date (422); the step's date otherwise."""
    ORDER.step(row.status, action)  # type: ignore[arg-type]
    on = given or today
    check_step_date(on, today, last_step_on(row), field)
    return on


async def verify(
    uow: UnitOfWork, principal: Principal, row: OrderReport, body: VerifyIn, today: date
) -> None:
    """Satpol PP found the disturbance real and assigned its handler (the caller by default):
    from now on the one person who may open its reporter."""
    on = _dated(row, "verify", body.verified_on, today, "body.verified_on")
    row.handler = body.handler or principal.subject
    row.verified_on = on
    codes = {"handler": row.handler}
    await take_step(uow, row, "verify", on, principal.subject, codes=codes, note=body.note)


async def handle(
    uow: UnitOfWork, principal: Principal, row: OrderReport, body: HandleIn, today: date
) -> None:
    """Handled: a Perda/Perkada enforced (penegakan, naming it) or the parties mediated."""
    on = _dated(row, "handle", body.handled_on, today, "body.handled_on")
    check_handling(body.handling, body.regulation)
    row.handling, row.handled_on = body.handling, on
    if body.affected_citizens is not None:
        row.affected_citizens = body.affected_citizens
    codes = {
        "handling": body.handling,
        "regulation": body.regulation,
        "affected_citizens": body.affected_citizens,
    }
    await take_step(uow, row, "handle", on, principal.subject, codes=codes, note=body.note)


async def serve(
    uow: UnitOfWork, principal: Principal, row: OrderReport, body: ServeIn, today: date
) -> None:
    """The citizens the disturbance affected were served (never more than were affected)."""
    on = _dated(row, "serve", body.served_on, today, "body.served_on")
    affected, served = served_counts(
        body.affected_citizens, body.citizens_served, row.affected_citizens
    )
    row.affected_citizens, row.citizens_served, row.served_on = affected, served, on
    codes = {"affected_citizens": affected, "citizens_served": served}
    await take_step(uow, row, "serve", on, principal.subject, codes=codes, note=body.note)


async def close(
    uow: UnitOfWork, principal: Principal, row: OrderReport, body: CloseIn, today: date
) -> None:
    """Closed after its citizens were served; its referral resolved as handled."""
    on = _dated(row, "close", body.closed_on, today, "body.closed_on")
    row.closed_on, row.close_reason = on, CLOSED_DONE
    await take_step(uow, row, "close", on, principal.subject, note=body.note)
    await _ended(uow, row, "close", on, principal.subject)


async def reject(
    uow: UnitOfWork, principal: Principal, row: OrderReport, body: RejectIn, today: date
) -> None:
    """Closed without handling, for a reason; its referral resolved as not found."""
    on = _dated(row, "reject", body.rejected_on, today, "body.rejected_on")
    row.closed_on, row.close_reason = on, body.reason
    codes = {"reason": body.reason}
    await take_step(uow, row, "reject", on, principal.subject, codes=codes, note=body.note)
    await _ended(uow, row, "reject", on, principal.subject)


async def _ended(
    uow: UnitOfWork, row: OrderReport, action: OrderAction, on: date, actor: str
) -> None:
    assert row.close_reason is not None
    uow.publish(
        OrderReportClosed(
            report_id=row.id,
            posyandu_id=row.posyandu_id,
            desa_code=row.desa_code,
            category=row.category,
            handling=row.handling,
            affected_citizens=row.affected_citizens,
            citizens_served=row.citizens_served,
            close_reason=row.close_reason,
            closed_on=on,
        ),
        subject=row.id,
    )
    await order_referrals.resolve(uow, row.id, action, on, actor)
