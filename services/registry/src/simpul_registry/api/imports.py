"""Bulk import of posyandu from CSV or an Excel workbook, and the templates to fill in."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import PlainTextResponse, Response

from simpul_platform.uow import UnitOfWorkDep
from simpul_platform.xlsx_body import XLSX_MEDIA_TYPE, filename_of, write_workbook
from simpul_registry.api.deps import SettingsDep, Writer
from simpul_registry.ops import commit
from simpul_registry.ops.imports import (
    BODY_MIN_LENGTH,
    BODY_PATTERN,
    COLUMNS,
    EXAMPLE_ROW,
    TEXT_COLUMNS,
    import_rows,
    parse_csv,
    parse_xlsx,
)
from simpul_registry.schemas import ImportOut

router = APIRouter(prefix="/v1/imports", tags=["imports"])

EXAMPLE = (
    ",".join(COLUMNS) + "\n" + ",".join("" if v is None else str(v) for v in EXAMPLE_ROW) + "\n"
)

CSV_BODY = {"type": "string", "minLength": BODY_MIN_LENGTH, "pattern": BODY_PATTERN}
XLSX_BODY = {"type": "string", "format": "binary"}
XLSX_FILE = {"content": {XLSX_MEDIA_TYPE: {"schema": XLSX_BODY}}}


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


class XlsxResponse(Response):
    media_type = XLSX_MEDIA_TYPE


@cache
def xlsx_template() -> bytes:
    """Built once: the columns to fill in, formatted as Text where a code goes; the example
    row on a sheet of its own, never imported."""
    return write_workbook(COLUMNS, [], TEXT_COLUMNS, title="posyandu", example=EXAMPLE_ROW)


@router.post(
    "/posyandu",
    response_model=ImportOut,
    operation_id="importPosyandu",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": CSV_BODY, "example": EXAMPLE},
                XLSX_MEDIA_TYPE: {"schema": XLSX_BODY},
            },
        }
    },
)
async def import_posyandu(
    request: Request,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    x_first_row: int = Header(default=1, ge=1, le=10_000_000),
    content_disposition: str | None = Header(default=None, max_length=500),
) -> Any:
    """Create or update posyandu from a CSV or an .xlsx (first sheet); one result per row."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if media_type == XLSX_MEDIA_TYPE:  # rows keep the sheet's numbers; X-First-Row is for CSV
        table = parse_xlsx(raw, settings.import_max_rows, filename_of(content_disposition))
    else:
        table = parse_csv(raw, settings.import_max_rows, first_row=x_first_row)
    result = await import_rows(uow, table, principal.subject, principal.can_see)
    await commit(uow)
    return result


@router.get(
    "/posyandu/template.csv",
    response_class=CsvResponse,
    operation_id="getPosyanduImportTemplateCsv",
    responses={200: {"content": {"text/csv": {"example": ",".join(COLUMNS) + "\n"}}}},
)
async def posyandu_template_csv(principal: Writer) -> CsvResponse:
    """The posyandu import's CSV header, to fill in (the example row is in this route's
    documentation: a template uploaded as downloaded imports nothing)."""
    return CsvResponse(",".join(COLUMNS) + "\n")


@router.get(
    "/posyandu/template.xlsx",
    response_class=XlsxResponse,
    operation_id="getPosyanduImportTemplateXlsx",
    responses={200: XLSX_FILE},
)
async def posyandu_template_xlsx(principal: Writer) -> XlsxResponse:
    """The posyandu import's Excel template: the header to fill in, an example on a second sheet."""
    return XlsxResponse(
        xlsx_template(),
        headers={"Content-Disposition": 'attachment; filename="posyandu-import.xlsx"'},
    )
