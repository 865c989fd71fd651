"""FHIR R4 export for SATUSEHAT: a posyandu day as a Bundle, and the audit trail of exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from simpul_health.api.deps import FhirExporter, Today
from simpul_health.ops import fhir_export
from simpul_health.schemas.fhir import FhirBundleOut, FhirExportOut
from simpul_platform.uow import SessionDep

router = APIRouter(prefix="/v1/fhir", tags=["fhir"])


class FhirJSONResponse(Response):
    """FHIR's own JSON media type; the body is the fhir.resources model's serialisation."""

    media_type = "application/fhir+json"


@router.get(
    "/posyandu/{posyandu_id}/days/{day}",
    response_model=FhirBundleOut,
    response_class=FhirJSONResponse,
    operation_id="exportFhirPosyanduDay",
)
async def export_posyandu_day(
    posyandu_id: str, day: date, session: SessionDep, principal: FhirExporter, today: Today
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
