"""The housing service: Dinas Perkim's field at the posyandu."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from simpul_housing.api import assessments, deps, houses, imports, photos, rtlh, survey_batches
from simpul_housing.api import disaster as disaster_api
from simpul_housing.api import indicators as indicator_routes
from simpul_housing.api import relocation as relocation_api
from simpul_housing.consumers import consumers
from simpul_housing.events import PUBLISHED
from simpul_housing.models import PSEUDONYMS, metadata
from simpul_housing.settings import HousingSettings
from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.referrals.api import ReferralAccess, referral_router
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: HousingSettings | None = None) -> FastAPI:
    """The ASGI app; with no argument it reads HousingSettings (HOUSING_*, SIMPUL_*)."""
    settings = settings or HousingSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Simpul housing",
            description=(
                "Dinas Perkim's field: houses and the households living in them, RTLH surveys "
                "classified under Permen PUPR 29/2018 and Permensos 20/2017, the RTLH pipeline "
                "to a livable house, disaster victims' and relocated households' housing, SPM "
                "perumahan indicators, and referrals to and from the other fields."
            ),
            metadata=[metadata, replica_metadata, referral_metadata],
            migrations_dir=MIGRATIONS,
            routers=[
                houses.router,
                assessments.router,
                survey_batches.router,
                imports.router,
                photos.router,
                rtlh.router,
                disaster_api.router,
                relocation_api.router,
                indicator_routes.router,
                referral_router(ReferralAccess("housing", (deps.OPD, deps.KADER))),
            ],
            consumers=consumers(settings),
            published_events=PUBLISHED,
            pseudonyms=PSEUDONYMS,
        )
    )
