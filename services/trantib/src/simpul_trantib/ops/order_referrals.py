"""Incoming ``disturbance_report`` referrals (catalogue ``TRANTIB``): a report opened with
``referral_id`` accepts the referral with the report as its case (or gives it the report, when
it was accepted without one); the report's end resolves it (``handled`` when closed after
handling, ``not_found`` when rejected) through ``simpul_platform.referrals.automatic``."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import RowMapping

from simpul_platform.auth import Principal
from simpul_platform.referrals import intake
from simpul_platform.referrals.automatic import resolve_linked
from simpul_platform.uow import UnitOfWork
from simpul_trantib.domain.order import REFERRAL_OUTCOME, OrderAction

FIELD = "trantib"
DISTURBANCE_REPORT = "disturbance_report"


async def incoming(
    uow: UnitOfWork, principal: Principal, referral_id: str, desa_code: str, category: str
) -> RowMapping:
    """The incoming referral a report is opened for, locked: in the caller's wilayah (422
    ``unknown_referral`` otherwise, as for one that does not exist), a ``disturbance_report``
    one about the report's desa and of its category when it names one (422
    ``referral_mismatch``), open and without a report yet (409)."""
    expected = intake.Expected(
        DISTURBANCE_REPORT, desa_code, ("category", category, "body.category"), record="report"
    )
    return await intake.incoming(uow, principal, referral_id, expected)


async def link(
    uow: UnitOfWork, principal: Principal, row: RowMapping, report_id: str, on: date
) -> None:
    """The referral becomes the report's: accepted with it (if still requested, on the report
    date or the request's, whichever is later), or given it."""
    await intake.link(uow, FIELD, principal, row, report_id, on)


async def resolve(
    uow: UnitOfWork, report_id: str, action: OrderAction, on: date, actor: str
) -> bool:
    """Resolve the referral the report (now closed by ``action``) was opened for, if any."""
    return await resolve_linked(uow, FIELD, report_id, REFERRAL_OUTCOME[action], on, actor)
