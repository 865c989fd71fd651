"""The trantib service: Satpol PP, Damkar and BPBD's field at the posyandu."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.referrals.api import ReferralAccess, referral_router
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_trantib import api
from simpul_trantib.api import deps
from simpul_trantib.consumers import consumers
from simpul_trantib.events import PUBLISHED
from simpul_trantib.models import PSEUDONYMS, metadata
from simpul_trantib.settings import TrantibSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: TrantibSettings | None = None) -> FastAPI:
    """The ASGI app; with no argument it reads TrantibSettings (TRANTIB_*, SIMPUL_*)."""
    settings = settings or TrantibSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Simpul trantib",
            description=api.DESCRIPTION,
            metadata=[metadata, replica_metadata, referral_metadata],
            migrations_dir=MIGRATIONS,
            routers=[
                referral_router(ReferralAccess("trantib", deps.REFERRAL_ROLES)),
                *(module.router for module in api.ROUTES),
            ],
            consumers=consumers(settings),
            published_events=PUBLISHED,
            pseudonyms=PSEUDONYMS,
        )
    )
