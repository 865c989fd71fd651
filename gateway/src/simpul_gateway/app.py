"""The gateway: DPMD's cross-field views. Stateless: it composes the services' answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from simpul_gateway import dashboard
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.tokens import TokenCache
from simpul_gateway.upstreams import Upstreams
from simpul_gateway.views import (
    emergencies,
    events,
    loci,
    posyandu_search,
    profile,
    progress,
    referrals,
    scorecard,
    staffing,
)
from simpul_platform.app import ServiceSpec, create_service_app

DESCRIPTION = """DPMD and TP Posyandu coordination across the six SPM fields: scorecards,
priority loci, posyandu found by name and their profiles, cross-field referrals (rujukan) by
OPD and wilayah, and emergencies (fires that missed the response time; disaster and fire
victims still without a habitable house or social protection).

Every view shows all six fields (or the one asked for); a field whose service is not deployed,
or that takes no referrals in a referral view, is `not_available`; one that fails or is slow
is `unavailable` or `timeout` — the view still answers, in time."""


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    async def open_upstreams(app: FastAPI) -> None:
        app.state.upstreams = Upstreams.from_settings(settings)

    async def close_upstreams(app: FastAPI) -> None:
        await app.state.upstreams.close()

    async def upstream_readiness(app: FastAPI) -> dict[str, Any]:
        ups: Upstreams = app.state.upstreams
        return {
            "upstreams": {
                u.name: {"url": u.base_url or None, "breaker": u.breaker.state} for u in ups.all()
            }
        }

    app = create_service_app(
        ServiceSpec(
            settings=settings,
            title="Simpul gateway",
            description=DESCRIPTION,
            routers=[
                profile.router,
                posyandu_search.router,
                scorecard.router,
                progress.router,
                staffing.router,
                loci.router,
                referrals.router,
                emergencies.router,
                events.router,
            ],
            uses_database=False,
            on_startup=[open_upstreams],
            on_shutdown=[close_upstreams],
            readiness_hook=upstream_readiness,
        )
    )
    app.state.token_cache = TokenCache(settings.token_cache_s, settings.token_cache_size)
    dashboard.mount(app)  # the web pages at /dashboard, over the routes above
    return app
