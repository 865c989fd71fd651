"""Kader incentive rosters per kabupaten and month: computed, read, exported, approved."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.exc import IntegrityError

from simpul_platform import clock
from simpul_platform.auth import Principal
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.errors import Conflict
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWork, UnitOfWorkDep
from simpul_platform.xlsx_body import XLSX_MEDIA_TYPE, write_workbook
from simpul_registry.api.deps import AggregateReader, SettingsDep, Writer
from simpul_registry.models import IncentiveRoster, IncentiveRosterRow
from simpul_registry.ops.roster import (
    Scopes,
    approve,
    compute,
    get_roster,
    list_rosters,
    rows_of,
    totals,
)
from simpul_registry.schemas_roster import (
    RosterIn,
    RosterOut,
    RosterRowOut,
    RosterSummary,
    RosterTotals,
)

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
    scopes: Scopes = None,
) -> RosterOut:
    return RosterOut(
        **roster.model_dump(exclude={"approved_by", "approved_at"}),
        approved_by=roster.approved_by,
        approved_at=roster.approved_at,
        wilayah=scopes or [roster.kabupaten_code],
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


def visible_part(principal: Principal, roster: IncentiveRoster) -> Scopes:
    """The whole roster for DPMD; a kecamatan's or desa's Tim Pembina sees its own kader."""
    scopes = principal.visible_scopes(roster.kabupaten_code)
    return None if scopes == [roster.kabupaten_code] else scopes


@router.get(
    "", response_model=list[RosterSummary], operation_id="listIncentiveRosters",
    responses=problems(403),
)  # fmt: skip
async def list_incentive_rosters(
    session: SessionDep,
    principal: AggregateReader,
    kabupaten: str = Query(pattern=r"^\d{2}\.\d{2}$", examples=["64.02"]),
    year: int | None = Query(default=None, ge=2000, le=2100),
) -> Any:
    """A kabupaten's rosters, the latest month first: find a month's roster and its status."""
    principal.visible_scopes(kabupaten)
    rosters = await list_rosters(session, kabupaten, year)
    return [RosterSummary.model_validate(r.model_dump()) for r in rosters]


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
async def export_csv(roster_id: str, session: SessionDep, principal: AggregateReader) -> Any:
    """Every kader of the roster as CSV: masked NIK, name, posyandu, days, amount or reason."""
    roster = await get_roster(session, roster_id)
    scopes = visible_part(principal, roster)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(export_rows(await rows_of(session, roster.id, scopes=scopes)))
    return CsvResponse(out.getvalue(), headers=filename(roster, "csv"))


@router.get(
    "/{roster_id}.xlsx", response_class=XlsxResponse, operation_id="exportIncentiveRosterXlsx",
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}, **problems(404)},
)  # fmt: skip
async def export_xlsx(roster_id: str, session: SessionDep, principal: AggregateReader) -> Any:
    """Every kader of the roster as an Excel sheet, the same columns as the CSV."""
    roster = await get_roster(session, roster_id)
    rows = export_rows(await rows_of(session, roster.id, scopes=visible_part(principal, roster)))
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
    principal: AggregateReader,
    page: int = Query(default=1, ge=1, le=MAX_SQL_OFFSET // 500),
    page_size: int = Query(default=100, ge=1, le=500),
) -> Any:
    """A roster with its totals and a page of its kader (by desa, posyandu, name); a Tim
    Pembina below the kabupaten reads its own wilayah's part, totals included."""
    roster = await get_roster(session, roster_id)
    scopes = visible_part(principal, roster)
    rows = await rows_of(session, roster.id, page, page_size, scopes)
    counted = await totals(session, roster.id, scopes)
    return shaped(roster, counted, rows, page, page_size, scopes)


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
