"""The public-works service: Dinas PU's field at the posyandu."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.referrals.api import ReferralAccess, referral_router
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_public_works.api import deps, indicators, survey_batches, surveys
from simpul_public_works.api import facilities as facility_routes
from simpul_public_works.api import issue_photos as issue_photo_routes
from simpul_public_works.api import issues as issue_routes
from simpul_public_works.consumers import consumers
from simpul_public_works.events import PUBLISHED
from simpul_public_works.models import PSEUDONYMS, metadata
from simpul_public_works.settings import PublicWorksSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: PublicWorksSettings | None = None) -> FastAPI:
    """The ASGI app; with no argument it reads PublicWorksSettings (PUBLIC_WORKS_*, SIMPUL_*)."""
    settings = settings or PublicWorksSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Simpul public works",
            description=(
                "Dinas PU's field: households' drinking water and sanitation on the access "
                "ladder, derived from kader surveys, with the SPM's basic daily drinking water."
            ),
            metadata=[metadata, replica_metadata, referral_metadata],
            migrations_dir=MIGRATIONS,
            routers=[
                surveys.router,
                survey_batches.router,
                indicators.router,
                issue_routes.router,
                issue_photo_routes.router,
                facility_routes.router,
                referral_router(ReferralAccess("public_works", (deps.OPD, deps.KADER))),
            ],
            consumers=consumers(settings),
            published_events=PUBLISHED,
            pseudonyms=PSEUDONYMS,
        )
    )
