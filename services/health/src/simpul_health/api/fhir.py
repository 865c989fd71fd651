"""FHIR R4 export for SATUSEHAT: a posyandu day as a Bundle, and the audit trail of exports."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from simpul_health.api.deps import FhirExporter, Today
from simpul_health.ops import fhir_export
from simpul_health.schemas.fhir import FhirBundleOut, FhirExportOut
from simpul_platform.uow import SessionDep

router = APIRouter(prefix="/v1/fhir", tags=["fhir"])
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """A day in the path as YYYY-MM-DD only (pydantic alone also reads "0" as a timestamp)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("Expected a date as YYYY-MM-DD.")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class FhirJSONResponse(JSONResponse):
    """FHIR's own JSON media type; the body is the fhir.resources model's serialisation,
    passed through as it is (a JSON subclass so that OpenAPI shows the Bundle's schema)."""

    media_type = "application/fhir+json"

    def render(self, content: Any) -> bytes:
        return content.encode() if isinstance(content, str) else super().render(content)


@router.get(
    "/posyandu/{posyandu_id}/days/{day}",
    response_model=FhirBundleOut,
    response_class=FhirJSONResponse,
    operation_id="exportFhirPosyanduDay",
)
async def export_posyandu_day(
    posyandu_id: str, day: IsoDate, session: SessionDep, principal: FhirExporter, today: Today
) -> Response:
    """Export what a posyandu recorded on a day as a FHIR R4 collection Bundle (audited)."""
    bundle, _ = await fhir_export.export_day(session, principal, posyandu_id, day, today)
    body = bundle.model_dump_json()
    await session.commit()  # the audit row is stored before a NIK leaves the service
    # People's NIK and names: not for shared caches.
    return FhirJSONResponse(body, headers={"Cache-Control": "private, no-store"})


@router.get("/exports", response_model=list[FhirExportOut], operation_id="listFhirExports")
async def list_fhir_exports(
    session: SessionDep,
    principal: FhirExporter,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    """List FHIR exports (who exported which posyandu day, when), newest first."""
    return await fhir_export.list_exports(session, principal, posyandu_id, limit)
