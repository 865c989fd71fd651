"""An existing RTLH list imported from CSV (a regional RTLH application's export), with its
template. At ``/v1/rtlh-imports``: not under ``/v1/houses/``, where it would be a house id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from simpul_housing.api.deps import SettingsDep, Today, Writer
from simpul_housing.domain.rtlh_form import TEMPLATE
from simpul_housing.ops import commit, rtlh_import
from simpul_housing.ops.survey_batch import CONCURRENT
from simpul_housing.schemas.imports import RtlhImportOut
from simpul_platform.uow import UnitOfWorkDep

router = APIRouter(prefix="/v1/rtlh-imports", tags=["imports"])


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


CSV_BODY = {"type": "string", "minLength": len(TEMPLATE.splitlines()[0])}


@router.post(
    "",
    response_model=RtlhImportOut,
    operation_id="importRtlhList",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": CSV_BODY, "example": TEMPLATE}},
        }
    },
)
async def import_rtlh_list(
    request: Request,
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    today: Today,
    posyandu_id: Annotated[str, Query(min_length=1, max_length=36)],
) -> Any:
    """An RTLH list (CSV, ≤ 1,000 rows, the template's columns in any order): each row a house
    at the posyandu with its household's No. KK and survey, classified, and the aid a handled
    row declares; one result per row naming the column and rule, the same file twice writes
    nothing new."""
    rows = rtlh_import.parse(await request.body())
    context = rtlh_import.Import(uow, principal, settings, posyandu_id, today)
    result = await rtlh_import.import_list(context, rows)
    await commit(uow, CONCURRENT)
    return result


@router.get(
    "/template",
    response_class=CsvResponse,
    operation_id="getRtlhImportTemplate",
    responses={200: {"content": {"text/csv": {"example": TEMPLATE}}}},
)
async def template(principal: Writer) -> CsvResponse:
    """The CSV header an RTLH list is imported with, and one example row."""
    return CsvResponse(TEMPLATE)
