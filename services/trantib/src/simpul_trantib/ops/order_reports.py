"""Opening a public-order report (``domain.order``): at a posyandu's desa the caller may write
to, its place checked plausible, its times in order, from a referral when it names one, and its
reporter sealed apart (``ops.reporters``). ``OrderReportOpened`` carries the category and the
desa, never the reporter. The steps are ``ops.order_steps``, the reads ``ops.order_reads``;
a deteksi dini note opens one through ``open_report`` as well (``ops.early_detection``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from simpul_platform.auth import Principal
from simpul_platform.clock import local_day, now
from simpul_platform.events import new_id
from simpul_platform.geo import check_coordinates
from simpul_platform.steps import advance, step_row
from simpul_platform.uow import UnitOfWork
from simpul_trantib.domain.order import ORDER, OrderAction, check_occurrence
from simpul_trantib.events import OrderReportOpened
from simpul_trantib.models import OrderReport, OrderReportHistory
from simpul_trantib.ops import order_referrals, reporters, tallies
from simpul_trantib.ops.access import posyandu_for_write
from simpul_trantib.schemas.order import OrderReportIn, ReporterIn
from simpul_trantib.settings import TrantibSettings

KADER, LINMAS = "kader:trantib", "linmas"


@dataclass(frozen=True)
class Opening:
    """What a new report says, wherever it came from (a body, an escalated note)."""

    posyandu_id: str
    category: str
    place: str
    latitude: float | None
    longitude: float | None
    occurred_at: datetime
    reported_on: date
    source: str
    prefix: str = "body"  # where a broken rule is named


def typed_source(principal: Principal, body: OrderReportIn) -> str:
    """Who brought a typed report: as the body says, else the recorder's own role (a kader, a
    Linmas member), else a citizen (the OPD records what citizens tell it)."""
    if body.source is not None:
        return body.source
    if principal.has_any_role(KADER):
        return "kader"
    if principal.has_any_role(LINMAS):
        return "linmas"
    return "warga"


async def report(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    body: OrderReportIn,
    today: date,
) -> OrderReport:
    """Stage a report typed by a recorder (from a referral when it names one)."""
    opening = Opening(
        posyandu_id=body.posyandu_id,
        category=body.category,
        place=body.place,
        latitude=body.latitude,
        longitude=body.longitude,
        occurred_at=body.occurred_at,
        reported_on=body.reported_on or today,
        source="referral" if body.referral_id else typed_source(principal, body),
    )
    return await open_report(
        uow,
        principal,
        settings,
        opening,
        today,
        reporter=body.reporter,
        referral_id=body.referral_id,
    )


async def open_report(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    opening: Opening,
    today: date,
    *,
    reporter: ReporterIn | None = None,
    referral_id: str | None = None,
) -> OrderReport:
    """Stage a report: checked, its first step kept, its reporter sealed, its referral taken,
    announced, the posyandu's counts dropped from its report day."""
    day = local_day(settings, opening.occurred_at)
    check_occurrence(
        opening.occurred_at, day, opening.reported_on, now(), today, prefix=opening.prefix
    )
    check_coordinates(opening.latitude, opening.longitude, prefix=opening.prefix)
    posyandu = await posyandu_for_write(
        uow.session, opening.posyandu_id, principal, field=f"{opening.prefix}.posyandu_id"
    )
    desa = str(posyandu["desa_code"])
    referred = None
    if referral_id is not None:
        referred = await order_referrals.incoming(
            uow, principal, referral_id, desa, opening.category
        )
    actor, moment = principal.subject, now()
    row = OrderReport(
        id=new_id(),
        posyandu_id=opening.posyandu_id,
        desa_code=desa,
        category=opening.category,
        place=opening.place,
        latitude=opening.latitude,
        longitude=opening.longitude,
        occurred_at=opening.occurred_at.astimezone(UTC),  # as every read gives it back
        reported_on=opening.reported_on,
        source=opening.source,
        referral_id=referral_id,
        status=ORDER.next(None, "report"),
        created_by=actor,
        created_at=moment,
        updated_by=actor,
        updated_at=moment,
    )
    uow.session.add(row)
    await uow.session.flush()  # the report before its history, its reporter and its referral
    reporters.seal(uow.session, settings, row.id, reporter)
    codes = {"source": row.source, "referral_id": referral_id}
    await keep_step(uow, row, "report", None, row.reported_on, actor, codes=codes)
    if referred is not None:
        await order_referrals.link(uow, principal, referred, row.id, row.reported_on)
    uow.publish(opened(row), subject=row.id)
    return row


def opened(row: OrderReport) -> OrderReportOpened:
    return OrderReportOpened(
        report_id=row.id,
        posyandu_id=row.posyandu_id,
        desa_code=row.desa_code,
        category=row.category,
        source=row.source,
        reported_on=row.reported_on,
    )


async def take_step(
    uow: UnitOfWork,
    row: OrderReport,
    action: OrderAction,
    on: date,
    actor: str,
    *,
    codes: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """Move the report (its columns already set by the caller) and keep the step."""
    previous = advance(ORDER, row, action, actor)
    await keep_step(uow, row, action, previous, on, actor, codes=codes, note=note)


async def keep_step(
    uow: UnitOfWork,
    row: OrderReport,
    action: str,
    previous: str | None,
    on: date,
    actor: str,
    *,
    codes: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """The step in the report's history; the posyandu's counts dropped from its day on."""
    uow.session.add(row)
    columns = step_row("report_id", row.id, action, previous, row.status, codes or {}, on, actor)
    uow.session.add(OrderReportHistory(**columns, note=note))
    await tallies.invalidate(uow.session, row.posyandu_id, on)
