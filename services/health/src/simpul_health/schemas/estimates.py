"""Target-group estimates (BPS projections, Kemenkes estimates) imported per wilayah and year."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from simpul_health.domain.indicators import ESTIMATE_GROUPS
from simpul_platform.wilayah import WILAYAH_PATTERN

MAX_ROWS = 5000
YEAR = Field(ge=2000, le=2100, examples=[2026])
SOURCE = Field(min_length=1, max_length=200, examples=["Proyeksi BPS 2026 / Kemenkes"])


class EstimateRowIn(BaseModel):
    wilayah_code: str = Field(pattern=WILAYAH_PATTERN, max_length=13, examples=["64.02"])
    target_group: str = Field(
        min_length=1,
        max_length=40,
        examples=["ibu_bersalin"],
        json_schema_extra={"enum": list(ESTIMATE_GROUPS)},
    )
    count: int = Field(strict=True, ge=0, le=100_000_000, examples=[1234])  # not true/false


class EstimateCsvRow(EstimateRowIn):
    """A CSV row: its count is text to read as a number."""

    count: int = Field(ge=0, le=100_000_000, examples=[1234])


class EstimatesIn(BaseModel):
    """One import: every row for the same year and from the same source."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2026,
                    "source": "Proyeksi BPS 2026 / Kemenkes",
                    "rows": [
                        {"wilayah_code": "64.02", "target_group": "ibu_bersalin", "count": 1234}
                    ],
                }
            ]
        }
    )
    year: int = YEAR
    source: str = SOURCE
    rows: list[EstimateRowIn] = Field(min_length=1, max_length=MAX_ROWS)


class EstimatesImportOut(BaseModel):
    year: int
    source: str
    rows: int = Field(description="Rows stored (created + replaced)")
    created: int
    replaced: int = Field(description="Rows that replaced an estimate of the same wilayah")


class TargetEstimateOut(BaseModel):
    wilayah_code: str = Field(examples=["64.02"])
    year: int = Field(examples=[2026])
    target_group: str = Field(examples=["ibu_bersalin"])
    count: int = Field(examples=[1234])
    source: str
    imported_by: str
    imported_at: datetime
