"""The registry service: posyandu identity, wilayah, registration lifecycle, pengurus and kader."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import FastAPI

from simpul_platform.app import ServiceSpec, api_hook, create_service_app
from simpul_registry import wilayah
from simpul_registry.api import (
    attendance_sheet,
    imports,
    people,
    posyandu,
    progress,
    registration,
    registration_import,
    staffing,
)
from simpul_registry.api import days as days_api
from simpul_registry.api import participation as participation_api
from simpul_registry.api import roster as roster_api
from simpul_registry.api import wilayah as wilayah_api
from simpul_registry.events import PUBLISHED
from simpul_registry.models import PSEUDONYMS, metadata
from simpul_registry.settings import RegistrySettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


async def _preload_wilayah(_app: FastAPI) -> None:
    """The wilayah tables requests read; a worker (the registry consumes nothing) needs none."""
    await asyncio.to_thread(wilayah.preload)


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    """The ASGI app; with no argument it reads RegistrySettings (REGISTRY_*, SIMPUL_*)."""
    settings = settings or RegistrySettings()
    return create_service_app(ServiceSpec(
        settings=settings,
        title="Simpul registry",
        description="Which posyandu exist, where, in what state of registration, who runs them.",
        metadata=[metadata],
        migrations_dir=MIGRATIONS,
        routers=[wilayah_api.router, posyandu.router, registration.router, people.router,
                 imports.router, progress.router, staffing.router, registration_import.router,
                 days_api.router, attendance_sheet.router, participation_api.router,
                 roster_api.router],
        published_events=PUBLISHED,
        pseudonyms=PSEUDONYMS,
        on_startup=[api_hook(_preload_wilayah)],
    ))
