"""The social service: Dinas Sosial's field at the posyandu."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.referrals.api import ReferralAccess, referral_router
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_social.api import bansos, deps, disaster, households, indicators, ppks, priority, usulan
from simpul_social.consumers import consumers
from simpul_social.events import PUBLISHED
from simpul_social.models import PSEUDONYMS, metadata
from simpul_social.settings import SocialSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: SocialSettings | None = None) -> FastAPI:
    """The ASGI app; with no argument it reads SocialSettings (SOCIAL_*, SIMPUL_*)."""
    settings = settings or SocialSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Simpul social",
            description=(
                "Dinas Sosial's field: households and DTSEN deciles, usulan, bansos, PPKS cases, "
                "priority cases for families of stunted children, disaster protection for the "
                "households disasters and fires struck, and referrals to and from the others."
            ),
            metadata=[metadata, replica_metadata, referral_metadata],
            migrations_dir=MIGRATIONS,
            routers=[
                households.router,
                usulan.router,
                bansos.router,
                ppks.router,
                priority.router,
                indicators.router,
                disaster.router,
                referral_router(ReferralAccess("social", (deps.OPD, deps.KADER))),
            ],
            consumers=consumers(settings),
            published_events=PUBLISHED,
            pseudonyms=PSEUDONYMS,
        )
    )
