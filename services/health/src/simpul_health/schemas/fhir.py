"""FHIR export: the Bundle's outline (its full shape is FHIR R4's) and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class FhirEntryOut(BaseModel):
    fullUrl: str  # FHIR's name
    resource: dict[str, Any]


class FhirBundleOut(BaseModel):
    """A FHIR R4 Bundle of type collection (``application/fhir+json``); ``entry`` is absent
    on a day with nothing recorded."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Bundle"]  # FHIR's name
    id: str
    type: Literal["collection"]
    timestamp: datetime
    entry: list[FhirEntryOut] | None = None


class FhirExportOut(BaseModel):
    id: str
    posyandu_id: str
    day: date
    exported_by: str
    exported_at: datetime
    patients: int
    resources: int
