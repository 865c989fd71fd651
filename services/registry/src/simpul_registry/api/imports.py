"""Bulk import of posyandu from CSV."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request

from simpul_platform.uow import UnitOfWorkDep
from simpul_registry.api.deps import SettingsDep, Writer
from simpul_registry.ops import commit
from simpul_registry.ops.imports import (
    BODY_MIN_LENGTH,
    BODY_PATTERN,
    COLUMNS,
    import_rows,
    parse_csv,
)
from simpul_registry.schemas import ImportOut

router = APIRouter(prefix="/v1/imports", tags=["imports"])

EXAMPLE = (
    ",".join(COLUMNS) + "\n"
    "Posyandu Mawar,64.02.06.2012,Dusun I,003,001,,-0.41,117.02,health;education\n"
)

CSV_BODY = {"type": "string", "minLength": BODY_MIN_LENGTH, "pattern": BODY_PATTERN}


@router.post(
    "/posyandu", response_model=ImportOut, operation_id="importPosyandu",
    openapi_extra={"requestBody": {"required": True, "content": {
        "text/csv": {"schema": CSV_BODY, "example": EXAMPLE}}}},
)
async def import_posyandu(request: Request, uow: UnitOfWorkDep, principal: Writer,
                          settings: SettingsDep,
                          x_first_row: int = Header(default=1, ge=1, le=10_000_000)) -> Any:
    """Create or update posyandu from a CSV; one result per row (created/updated/rejected)."""
    rows = parse_csv(await request.body(), settings.import_max_rows)
    result = await import_rows(uow, rows, principal.subject, principal.can_see,
                               first_row=x_first_row)
    await commit(uow)
    return result
