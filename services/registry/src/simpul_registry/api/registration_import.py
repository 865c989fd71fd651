"""Kemendagri's registration numbers in bulk (CSV or JSON rows), one answer per row."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from simpul_platform.errors import InvalidInput, ProblemError, validation_errors
from simpul_platform.uow import UnitOfWorkDep
from simpul_registry.api.deps import SettingsDep, Writer
from simpul_registry.ops import commit
from simpul_registry.ops.registration_import import COLUMNS, Line, parse_csv, register_numbers
from simpul_registry.schemas_registration import (
    RegistrationNumberRow,
    RegistrationNumbersIn,
    RegistrationNumbersOut,
)

router = APIRouter(prefix="/v1/registration-numbers", tags=["registration"])

EXAMPLE = ",".join(COLUMNS) + "\n64.02.06.2012,Posyandu Mawar,64.02.06.2012.001\n"


class UnsupportedMediaType(ProblemError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


def _csv_pattern() -> str:
    """What parse_csv reads: UTF-8 text whose first non-blank line is a header naming the three
    columns in any order (among others), then records of plain or quoted fields."""
    field = r'(?:[^",\r\n\x00]*|"(?:[^"\x00]|"")*")'
    gap = rf"[ \t]*,(?:{field},)*[ \t]*"
    orders = "|".join(gap.join(order) for order in itertools.permutations(COLUMNS))
    header = rf"(?:{field},)*[ \t]*(?:{orders})[ \t]*(?:,{field})*"
    return rf"^\ufeff?(?:\r?\n)*{header}(?:\r?\n{field}(?:,{field})*)*\r?\n?$"


CSV_BODY = {"type": "string", "minLength": len(",".join(COLUMNS)), "pattern": _csv_pattern()}
JSON_BODY = {
    "type": "object",
    "required": ["rows"],
    "properties": {
        "rows": {
            "type": "array",
            "maxItems": 5000,
            "items": RegistrationNumberRow.model_json_schema(),
        }
    },
}


def _json_lines(raw: bytes, max_rows: int) -> list[Line]:
    try:
        body = RegistrationNumbersIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = validation_errors([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])
        raise InvalidInput("The body does not match the schema.", errors=errors) from exc
    if len(body.rows) > max_rows:
        raise InvalidInput.field(
            "body.rows", "too_many_rows", f"At most {max_rows} rows per upload; send it in parts."
        )
    return [
        Line(i, None, r.desa_code.strip(), r.name.strip(), r.registration_number.strip())
        for i, r in enumerate(body.rows, start=1)
    ]


@router.post(
    "/imports",
    response_model=RegistrationNumbersOut,
    operation_id="importRegistrationNumbers",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": CSV_BODY, "example": EXAMPLE},
                "application/json": {"schema": JSON_BODY},
            },
        }
    },
)
async def import_registration_numbers(
    request: Request, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep
) -> Any:
    """Register verified posyandu from Kemendagri's list; each row registered or why not."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if media == "text/csv":
        lines = parse_csv(raw, settings.import_max_rows)
    elif media == "application/json":
        lines = _json_lines(raw, settings.import_max_rows)
    else:
        raise UnsupportedMediaType("Send text/csv or application/json.")
    result = await register_numbers(uow, lines, principal.subject, principal.can_see)
    await commit(uow)
    return result
