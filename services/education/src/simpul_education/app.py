"""The education service: Dinas Pendidikan's field at the posyandu."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from simpul_education.api import ats, census, children, deps, indicators, literacy, paud
from simpul_education.consumers import consumers
from simpul_education.events import PUBLISHED
from simpul_education.models import PSEUDONYMS, metadata
from simpul_education.settings import EducationSettings
from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.referrals.api import ReferralAccess, referral_router
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: EducationSettings | None = None) -> FastAPI:
    """The ASGI app; with no argument it reads EducationSettings (EDUCATION_*, SIMPUL_*)."""
    settings = settings or EducationSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Simpul education",
            description=(
                "Dinas Pendidikan's field: children and youth 0–18 known at the posyandu, their "
                "education status with its history, PAUD enrolments with monthly attendance, "
                "BKB families, literacy sessions, SPM pendidikan indicators, and referrals "
                "to and from the other fields."
            ),
            metadata=[metadata, replica_metadata, referral_metadata],
            migrations_dir=MIGRATIONS,
            routers=[
                children.router,
                census.router,
                indicators.router,
                paud.router,
                literacy.router,
                ats.router,
                referral_router(ReferralAccess("education", (deps.OPD, deps.KADER))),
            ],
            consumers=consumers(settings),
            published_events=PUBLISHED,
            pseudonyms=PSEUDONYMS,
        )
    )
