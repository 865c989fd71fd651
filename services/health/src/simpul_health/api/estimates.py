"""Target-group estimates per wilayah and year (BPS projections, Kemenkes estimates): imported
by the Dinas Kesehatan as JSON or CSV, listed for whoever reads the aggregates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from simpul_health.api.deps import AggregateReader, EstimateImporter
from simpul_health.domain.indicators import ESTIMATE_GROUPS
from simpul_health.ops import commit, estimates
from simpul_health.schemas.estimates import (
    EstimatesImportOut,
    EstimatesIn,
    TargetEstimateOut,
)
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/target-estimates", tags=["estimates"])

CONCURRENT = "Another import stored estimates of these wilayah first; send it again."
TEMPLATE = f"wilayah_code,target_group,count\n64.02,{ESTIMATE_GROUPS[0]},1234\n"
CSV_BODY = {"type": "string", "minLength": len(TEMPLATE.splitlines()[0])}
Year = Annotated[int, Query(ge=2000, le=2100, examples=[2026])]
Source = Annotated[
    str, Query(min_length=1, max_length=200, examples=["Proyeksi BPS 2026 / Kemenkes"])
]


@router.put("", response_model=EstimatesImportOut, operation_id="importTargetEstimates")
async def import_estimates(
    body: EstimatesIn, uow: UnitOfWorkDep, principal: EstimateImporter
) -> Any:
    """Target-group estimates of one year and source (≤ 5,000 rows), all or none, replacing
    those of the same wilayah, year and group; a refused row is named by its index and field."""
    ctx = estimates.Import(uow, principal, body.year, body.source)
    result = await estimates.import_estimates(ctx, body.rows)
    await commit(uow, CONCURRENT)
    return result


@router.put(
    "/csv",
    response_model=EstimatesImportOut,
    operation_id="importTargetEstimatesCsv",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": CSV_BODY, "example": TEMPLATE}},
        }
    },
)
async def import_estimates_csv(
    request: Request,
    uow: UnitOfWorkDep,
    principal: EstimateImporter,
    year: Year,
    source: Source,
) -> Any:
    """The same import from a CSV (wilayah_code,target_group,count; the year and source as
    query parameters); a refused row is named by its place after the header and its line."""
    rows, places, refused = estimates.parse_csv(await request.body())
    ctx = estimates.Import(uow, principal, year, source, lambda i: f"body.rows[{places[i]}]")
    result = await estimates.import_estimates(ctx, rows, refused)
    await commit(uow, CONCURRENT)
    return result


@router.get("", response_model=list[TargetEstimateOut], operation_id="listTargetEstimates")
async def list_estimates(
    session: SessionDep,
    principal: AggregateReader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    wilayah: WilayahQuery = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    """The imported estimates in a wilayah (else the caller's), with their source and import."""
    return await estimates.listed(
        session, principal, year=year, wilayah=wilayah, limit=limit, offset=offset
    )
