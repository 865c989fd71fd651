"""A day's kader attendance as a sheet: the template to fill in (CSV or Excel) and the filled
sheet uploaded back, each row answered by its row number and column."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import PlainTextResponse, Response

from simpul_platform import clock
from simpul_platform.auth import CurrentPrincipal
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.xlsx_body import XLSX_MEDIA_TYPE, filename_of
from simpul_registry.api.deps import DayWriter, SettingsDep, load_visible
from simpul_registry.ops import attendance_sheet as sheet
from simpul_registry.ops import commit
from simpul_registry.ops.attendance import kader_activity, put_attendance
from simpul_registry.ops.imports import body_pattern
from simpul_registry.schemas_days import AttendanceSheetOut, IsoDay

router = APIRouter(prefix="/v1/posyandu/{posyandu_id}/days/{day}/attendance", tags=["days"])

EXAMPLE = "person_id,name,field,status\n0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44,Siti,health,present\n"
BODY = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string", "pattern": body_pattern(sheet.REQUIRED)},
            "example": EXAMPLE,
        },
        XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
}


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


class XlsxResponse(Response):
    media_type = XLSX_MEDIA_TYPE


async def _kader(session: Any, posyandu_id: str, day: Any, settings: Any) -> list[Any]:
    found = await kader_activity(
        session, day, settings.kader_inactive_months, posyandu_id=posyandu_id
    )
    return sorted(((p.id, p.name, p.field) for p, _, _ in found), key=lambda k: (k[1], k[0]))


@router.get(
    "/template.csv",
    response_class=CsvResponse,
    operation_id="getAttendanceTemplateCsv",
    responses={200: {"content": {"text/csv": {"example": EXAMPLE}}}},
)
async def template_csv(
    posyandu_id: str,
    day: IsoDay,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
) -> CsvResponse:
    """The day's attendance sheet to fill in: the kader appointed that day, status blank."""
    posyandu = await load_visible(session, posyandu_id, principal)
    return CsvResponse(sheet.template_csv(await _kader(session, posyandu.id, day, settings)))


@router.get(
    "/template.xlsx",
    response_class=XlsxResponse,
    operation_id="getAttendanceTemplateXlsx",
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
async def template_xlsx(
    posyandu_id: str,
    day: IsoDay,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
) -> XlsxResponse:
    """The same sheet as an Excel workbook (person ids formatted as Text)."""
    posyandu = await load_visible(session, posyandu_id, principal)
    body = sheet.template_xlsx(await _kader(session, posyandu.id, day, settings), day)
    name = f"attendance-{day}.xlsx"
    return XlsxResponse(body, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.put(
    "/sheet",
    response_model=AttendanceSheetOut,
    operation_id="putAttendanceSheet",
    openapi_extra={"requestBody": BODY},
)
async def put_sheet(
    posyandu_id: str,
    day: IsoDay,
    request: Request,
    uow: UnitOfWorkDep,
    principal: DayWriter,
    settings: SettingsDep,
    content_type: str = Header(default="text/csv"),
    content_disposition: str | None = Header(default=None),
) -> Any:
    """The filled sheet (CSV or .xlsx), recorded as the bulk attendance; one answer a row."""
    raw = await request.body()
    if content_type.split(";")[0].strip() == XLSX_MEDIA_TYPE:
        rows = sheet.read_xlsx(raw, settings.import_max_rows, filename_of(content_disposition))
    else:
        rows = sheet.read_csv(raw, settings.import_max_rows)
    posyandu = await load_visible(uow.session, posyandu_id, principal)
    answer = await put_attendance(
        uow, principal, posyandu, day, rows.items, settings, clock.local_today(settings)
    )
    await commit(uow)
    return sheet.answered(rows, answer)
