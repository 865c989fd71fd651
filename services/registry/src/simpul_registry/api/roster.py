"""Kader incentive rosters per kabupaten and month: computed, read, exported, approved."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.exc import IntegrityError

from simpul_platform import clock
from simpul_platform.auth import CurrentPrincipal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.errors import Conflict
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.xlsx_body import XLSX_MEDIA_TYPE, write_workbook
from simpul_registry.api.deps import SettingsDep, Writer
from simpul_registry.models import IncentiveRoster, IncentiveRosterRow
from simpul_registry.ops.roster import approve, compute, get_roster, rows_of, totals
from simpul_registry.schemas_roster import RosterIn, RosterOut, RosterRowOut, RosterTotals

router = APIRouter(prefix="/v1/incentive-rosters", tags=["kader incentives"])
EXPORT_COLUMNS = (
    "nik_masked", "name", "posyandu", "desa_code", "days_present", "included", "amount", "reason"
)  # fmt: skip


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


class XlsxResponse(Response):
    media_type = XLSX_MEDIA_TYPE


async def _commit(uow: UnitOfWork) -> None:
    """Two drafts of one kabupaten and month computed at once: the second is a 409."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict("Another request computed this roster at the same moment.") from exc


def shaped(
    roster: IncentiveRoster,
    counted: RosterTotals,
    rows: list[IncentiveRosterRow],
    page: int,
    page_size: int,
) -> RosterOut:
    return RosterOut(
        **roster.model_dump(exclude={"approved_by", "approved_at"}),
        approved_by=roster.approved_by,
        approved_at=roster.approved_at,
        totals=counted,
        rows=[RosterRowOut.model_validate(r.model_dump()) for r in rows],
        page=page,
        page_size=page_size,
    )


@router.post(
    "", status_code=201, response_model=RosterOut, operation_id="computeIncentiveRoster",
    responses=problems(409),
)  # fmt: skip
async def compute_roster(
    body: RosterIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Compute a kabupaten's draft roster for a month, replacing its draft (DPMD)."""
    principal.require_wilayah(body.kabupaten)
    today = clock.local_today(settings)
    roster = await compute(uow, body.kabupaten, body.month, settings, today, principal.subject)
    await _commit(uow)
    counted = await totals(uow.session, roster.id)
    return shaped(roster, counted, await rows_of(uow.session, roster.id, 1, 100), 1, 100)


def export_rows(rows: list[IncentiveRosterRow]) -> list[list[object]]:
    return [
        [r.nik_masked, r.name, r.posyandu_name, r.desa_code, r.days_present,
         "yes" if r.included else "no", r.amount, r.reason or ""]
        for r in rows
    ]  # fmt: skip


def filename(roster: IncentiveRoster, ext: str) -> dict[str, str]:
    name = f"incentive-{roster.kabupaten_code}-{roster.month}.{ext}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/{roster_id}.csv", response_class=CsvResponse, operation_id="exportIncentiveRosterCsv",
    responses={200: {"content": {"text/csv": {}}}, **problems(404)},
)  # fmt: skip
async def export_csv(roster_id: str, session: SessionDep, principal: CurrentPrincipal) -> Any:
    """Every kader of the roster as CSV: masked NIK, name, posyandu, days, amount or reason."""
    roster = await get_roster(session, roster_id)
    principal.require_wilayah(roster.kabupaten_code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(export_rows(await rows_of(session, roster.id)))
    return CsvResponse(out.getvalue(), headers=filename(roster, "csv"))


@router.get(
    "/{roster_id}.xlsx", response_class=XlsxResponse, operation_id="exportIncentiveRosterXlsx",
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}, **problems(404)},
)  # fmt: skip
async def export_xlsx(roster_id: str, session: SessionDep, principal: CurrentPrincipal) -> Any:
    """Every kader of the roster as an Excel sheet, the same columns as the CSV."""
    roster = await get_roster(session, roster_id)
    principal.require_wilayah(roster.kabupaten_code)
    rows = export_rows(await rows_of(session, roster.id))
    body = write_workbook(EXPORT_COLUMNS, rows, ("nik_masked", "desa_code"), title="roster")
    return XlsxResponse(body, headers=filename(roster, "xlsx"))


# After the exports: "{id}.csv" would otherwise be taken for an id.
@router.get(
    "/{roster_id}", response_model=RosterOut, operation_id="getIncentiveRoster",
    responses=problems(404),
)  # fmt: skip
async def get_incentive_roster(
    roster_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    page: int = Query(default=1, ge=1, le=MAX_SQL_OFFSET // 500),
    page_size: int = Query(default=100, ge=1, le=500),
) -> Any:
    """A roster with its totals and a page of its kader (by desa, posyandu, name)."""
    roster = await get_roster(session, roster_id)
    principal.require_wilayah(roster.kabupaten_code)
    rows = await rows_of(session, roster.id, page, page_size)
    return shaped(roster, await totals(session, roster.id), rows, page, page_size)


@router.post(
    "/{roster_id}/approve", response_model=RosterOut, operation_id="approveIncentiveRoster",
    responses=problems(404, 409),
)  # fmt: skip
async def approve_roster(roster_id: str, uow: UnitOfWorkDep, principal: Writer) -> Any:
    """Approve a draft roster: frozen from then on, with who approved it and when (DPMD)."""
    roster = await get_roster(uow.session, roster_id, lock=True)
    principal.require_wilayah(roster.kabupaten_code)
    counted = await approve(uow, roster, principal.subject)
    await uow.commit()
    return shaped(roster, counted, await rows_of(uow.session, roster.id, 1, 100), 1, 100)
