"""The health service: sasaran, growth and stunting, immunisation, ANC, screening, indicators."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from simpul_health.api import (
    coverage,
    deps,
    estimates,
    fhir,
    immunisation,
    indicators,
    measurements,
    newborns,
    pregnancy,
    programmes,
    school_screening,
    screening,
    targets,
)
from simpul_health.consumers import consumers
from simpul_health.events import PUBLISHED
from simpul_health.models import PSEUDONYMS, metadata
from simpul_health.settings import HealthSettings
from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.referrals.api import ReferralAccess, referral_router
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: HealthSettings | None = None) -> FastAPI:
    """The ASGI app; with no argument it reads HealthSettings (HEALTH_*, SIMPUL_*)."""
    settings = settings or HealthSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Simpul health",
            description=(
                "Dinas Kesehatan's field at the posyandu: sasaran, growth monitoring with WHO "
                "z-scores and stunting episodes, immunisation, ibu hamil and ANC, screening, "
                "the SPM kesehatan indicators, and referrals to and from the other fields."
            ),
            metadata=[metadata, replica_metadata, referral_metadata],
            migrations_dir=MIGRATIONS,
            routers=[
                targets.router,
                measurements.router,
                immunisation.router,
                pregnancy.router,
                newborns.router,
                screening.router,
                indicators.router,
                indicators.aggregates,
                fhir.router,
                school_screening.router,
                programmes.router,
                estimates.router,
                coverage.router,
                referral_router(ReferralAccess("health", deps.HEALTH_ROLES)),
            ],
            consumers=consumers(settings),
            published_events=PUBLISHED,
            pseudonyms=PSEUDONYMS,
        )
    )
