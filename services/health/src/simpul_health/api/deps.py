"""Who may do what, and the values routes take from the running app."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from simpul_health.settings import HealthSettings
from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today
from simpul_platform.settings import settings_dep

HEALTH_ROLES = ("opd:health", "kader:health")
AGGREGATE_ROLES = (*HEALTH_ROLES, *AGGREGATE_READER_ROLES)

# Writes and person-level reads: Dinas Kesehatan and health kader, within their wilayah.
HealthUser = Annotated[Principal, Depends(require_roles(*HEALTH_ROLES))]
# Aggregates (indicators): also DPMD and the gateway.
AggregateReader = Annotated[Principal, Depends(require_roles(*AGGREGATE_ROLES))]

# FHIR export to SATUSEHAT: person-level records with NIK leave the service, so only the
# Dinas Kesehatan exports (not kader, not DPMD or the gateway), and every export is audited.
FHIR_EXPORT_ROLES = ("opd:health",)
FhirExporter = Annotated[Principal, Depends(require_roles(*FHIR_EXPORT_ROLES))]

SettingsDep = Annotated[HealthSettings, settings_dep(HealthSettings)]


def _today(settings: SettingsDep) -> date:
    return local_today(settings)


# The deployment's date (its time zone, not the server's): what "in the future" is judged by.
Today = Annotated[date, Depends(_today)]

# Target-group estimates (BPS projections, Kemenkes estimates) are the Dinas Kesehatan's to
# import: they replace the recorded denominators of every area below them.
ESTIMATE_IMPORT_ROLES = ("opd:health",)
EstimateImporter = Annotated[Principal, Depends(require_roles(*ESTIMATE_IMPORT_ROLES))]
