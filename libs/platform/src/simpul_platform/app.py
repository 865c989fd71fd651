"""Builds a Simpul service: middleware, problem+json errors, health and metrics routes, and a
lifespan that opens the database and runs the outbox relay and the consumers beside the API.

The settings' ``role`` splits one service into processes: ``all`` runs everything in one
(development), ``api`` only the HTTP API, ``worker`` only the background work (relay, consumers,
topic creation, housekeeping) with no HTTP but the operations routes.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData, delete

from simpul_platform import tracing
from simpul_platform.auth import Authenticator
from simpul_platform.consumer import Consumer, ConsumerRunner
from simpul_platform.db import Database
from simpul_platform.errors import install_problem_handlers
from simpul_platform.events import EventPayload
from simpul_platform.http import RequestBodyLimit, RequestContextMiddleware
from simpul_platform.idempotency import IdempotencyMiddleware, idempotency_table
from simpul_platform.inbox import inbox_table
from simpul_platform.kafka import ensure_topics
from simpul_platform.logs import configure_logging
from simpul_platform.migrations import upgrade
from simpul_platform.openapi import install_openapi
from simpul_platform.outbox import Outbox
from simpul_platform.pseudonym import PseudonymDeclaration
from simpul_platform.registry_client import RegistryCaller, RegistryClient
from simpul_platform.relay import OutboxRelay
from simpul_platform.settings import Role, ServiceSettings
from simpul_platform.textguard import NulCharacterGuard

logger = logging.getLogger("simpul.app")
# How long shutdown waits for the relay, consumers and housekeeping to stop.
SHUTDOWN_TIMEOUT_S = 30.0
INBOX_RETENTION = timedelta(days=14)  # longer than the topics' 7-day retention: no redelivery
# can outlive its inbox row.

StartupHook = Callable[[FastAPI], Awaitable[None]]
ReadinessHook = Callable[[FastAPI], Awaitable[dict[str, Any]]]
Side = Literal["api", "worker"]


@dataclass(frozen=True)
class RoleHook:
    """A start-up or shutdown hook that belongs to one side of a split service: ``api`` for what
    requests need (reference data a route reads), ``worker`` for background work (a loop that
    publishes or consumes). Role ``all`` runs both sides; a bare hook runs in every role."""

    run: StartupHook
    side: Side


def api_hook(run: StartupHook) -> RoleHook:
    return RoleHook(run, "api")


def worker_hook(run: StartupHook) -> RoleHook:
    return RoleHook(run, "worker")


def hooks_for(hooks: Sequence[StartupHook | RoleHook], role: Role) -> list[StartupHook]:
    """The hooks a process of ``role`` runs, in their order."""
    chosen: list[StartupHook] = []
    for hook in hooks:
        if not isinstance(hook, RoleHook):
            chosen.append(hook)
        elif role == "all" or hook.side == role:
            chosen.append(hook.run)
    return chosen


@dataclass
class ServiceSpec:
    """Everything that makes one service different from another."""

    settings: ServiceSettings
    title: str
    description: str
    version: str = "0.1.0"
    metadata: Sequence[MetaData] = ()
    # Alembic revisions for metadata; without them tables are created directly (tests, toys).
    migrations_dir: Path | None = None
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[Consumer] = ()
    published_events: Sequence[type[EventPayload]] = ()
    # The columns holding person_ref / household_ref, re-keyed when the pseudonym secret is
    # rotated (simpul_platform.rekey); the platform's referral table declares its own.
    pseudonyms: Sequence[PseudonymDeclaration] = ()
    # Bare hooks run in every role; api_hook(...) / worker_hook(...) only on that side.
    on_startup: Sequence[StartupHook | RoleHook] = field(default_factory=list)
    on_shutdown: Sequence[StartupHook | RoleHook] = field(default_factory=list)
    # False for a service that owns no data (the gateway): no database, relay or consumers.
    uses_database: bool = True
    # Extra readiness facts (the gateway reports its upstream services).
    readiness_hook: ReadinessHook | None = None


def create_service_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings
    configure_logging(settings.service_name, settings.log_level)
    if settings.role == "worker" and not spec.uses_database:
        raise ValueError(f"{settings.service_name} owns no data: it has no worker role")
    tracing.configure(settings)
    app = _bare_app(spec)
    app.state.settings = settings
    app.state.spec = spec
    app.state.authenticator = Authenticator(settings)
    app.state.outbox = Outbox(settings)
    # Confirms a posyandu the replica does not know yet, as the caller (replica.py).
    app.state.registry = RegistryClient(settings)
    install_problem_handlers(app)
    install_openapi(app, stateful=spec.uses_database)
    app.add_middleware(RegistryCaller)
    app.add_middleware(NulCharacterGuard)  # PostgreSQL text cannot hold U+0000
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RequestBodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.include_router(_operations_router())
    if settings.serves_api:
        for router in spec.routers:
            app.include_router(router)
    return app


def _bare_app(spec: ServiceSpec) -> FastAPI:
    if not spec.settings.serves_api:
        # A worker documents no domain: no OpenAPI document, no docs pages.
        return FastAPI(
            title=f"{spec.title} worker",
            version=spec.version,
            lifespan=_lifespan(spec),
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
        )
    # Swagger UI and ReDoc from assets the package ships, not a CDN: /docs works offline.
    return FastAPIOffline(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=_lifespan(spec),
    )


def _freeze_startup_heap() -> None:
    """Move everything alive after start-up (modules, tables, reference data: ~140k objects in
    health) out of the collector's reach. Otherwise every full collection walks them again,
    which took ~90 ms each and several per bulk request, all of it request latency."""
    gc.collect()
    gc.freeze()


def _lifespan(spec: ServiceSpec) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = spec.settings
        role = settings.role
        if not spec.uses_database:
            app.state.db = None
            for hook in hooks_for(spec.on_startup, role):
                await hook(app)
            _freeze_startup_heap()
            try:
                yield
            finally:
                for hook in hooks_for(spec.on_shutdown, role):
                    await hook(app)
            return
        db = Database(settings.resolved_database_url, settings.database_pool_size)
        if spec.migrations_dir is None:
            await db.create_all(*spec.metadata)
        elif settings.migrate_on_start:
            await upgrade(spec.migrations_dir, db.url)
        app.state.db = db
        app.state.relay = OutboxRelay(db, settings)
        app.state.runners = [ConsumerRunner(c, db, settings) for c in spec.consumers]
        for hook in hooks_for(spec.on_startup, role):
            await hook(app)
        tasks = _background_tasks(app, spec)
        _freeze_startup_heap()
        try:
            yield
        finally:
            await _stop(tasks)
            for hook in hooks_for(spec.on_shutdown, role):
                await hook(app)
            await app.state.registry.aclose()
            await db.dispose()

    return lifespan


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the background tasks and wait for them, but not forever: a task stuck in its
    clean-up must not keep the process (or a test's teardown) from ending."""
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    stopped, stuck = await asyncio.wait(tasks, timeout=SHUTDOWN_TIMEOUT_S)
    for task in stopped:
        if not task.cancelled() and task.exception() is not None:
            logger.warning("background task failed", extra={"task": task.get_name()})
    for task in stuck:
        logger.warning("background task did not stop in time", extra={"task": task.get_name()})


def _background_tasks(app: FastAPI, spec: ServiceSpec) -> list[asyncio.Task[None]]:
    """What runs beside the API (role all) or instead of it (worker); none in role api."""
    settings = spec.settings
    if not settings.runs_background:
        return []
    tasks = [asyncio.create_task(_housekeeping(app.state.db, settings), name="housekeeping")]
    topics = {settings.topic(event.topic) for event in spec.published_events}
    tasks.append(asyncio.create_task(_create_topics(settings, topics), name="topics"))
    if settings.runs_relay:
        tasks.append(asyncio.create_task(app.state.relay.run(), name="outbox-relay"))
    if settings.runs_consumers:
        tasks += [asyncio.create_task(r.run(), name=r.consumer.name) for r in app.state.runners]
    return tasks


async def _create_topics(settings: ServiceSettings, topics: set[str]) -> None:
    """Create this service's topics at start-up; retried quietly while the broker is away."""
    delay = 1.0
    while True:
        try:
            await ensure_topics(settings, topics)
            return
        except Exception as exc:
            logger.info("topics not created yet", extra={"error": str(exc)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


async def _housekeeping(db: Database, settings: ServiceSettings) -> None:
    """Forget expired idempotency keys and inbox rows, hourly."""
    while True:
        try:
            await forget_expired(db, settings, datetime.now(UTC))
        except Exception:
            logger.warning("housekeeping failed", exc_info=True)
        await asyncio.sleep(3600)


async def forget_expired(db: Database, settings: ServiceSettings, now: datetime) -> None:
    """Delete idempotency keys older than ``idempotency_retention_hours`` (a retry after that
    is a new request) and inbox rows older than ``INBOX_RETENTION``."""
    key_retention = timedelta(hours=settings.idempotency_retention_hours)
    async with db.transaction() as session:
        await session.execute(
            delete(idempotency_table).where(idempotency_table.c.created_at < now - key_retention)
        )
        await session.execute(
            delete(inbox_table).where(inbox_table.c.processed_at < now - INBOX_RETENTION)
        )


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", operation_id="healthz", summary="Process is up")
    async def healthz() -> dict[str, str]:
        """The process answers; says nothing about its dependencies."""
        return {"status": "ok"}

    @router.get(
        "/readyz",
        operation_id="readyz",
        summary="Role, database, outbox backlog; broker and consumer lag where it runs them",
        response_model=dict[str, Any],
        responses={
            503: {
                "description": "The database is unreachable; the same report",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        """503 when the database is unreachable; a broker outage is reported but not fatal,
        because writes keep landing in the outbox. An api process reports no broker or
        consumers: it runs neither."""
        report = await readiness(request.app)
        return JSONResponse(report, status_code=200 if report["status"] != "down" else 503)

    @router.get(
        "/metrics",
        operation_id="metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
    )
    async def metrics_endpoint() -> Response:
        """Prometheus text exposition."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def readiness(app: FastAPI) -> dict[str, Any]:
    spec: ServiceSpec = app.state.spec
    if app.state.db is None:
        settings = app.state.settings
        report: dict[str, Any] = {
            "service": settings.service_name,
            "role": settings.role,
            "status": "ok",
        }
        if spec.readiness_hook is not None:
            report.update(await spec.readiness_hook(app))
        return report
    return await _stateful_readiness(app)


async def _stateful_readiness(app: FastAPI) -> dict[str, Any]:
    db: Database = app.state.db
    relay: OutboxRelay = app.state.relay
    settings: ServiceSettings = app.state.settings
    report: dict[str, Any] = {"service": settings.service_name, "role": settings.role}
    try:
        await asyncio.wait_for(db.ping(), timeout=3)
        report["database"] = "ok"
        report["outbox_pending"] = await relay.pending_count()
    except Exception as exc:
        report["database"] = f"down: {type(exc).__name__}"
        report["status"] = "down"
        return report
    if not settings.runs_background:
        report["status"] = "ok"  # the backlog is the workers' to drain
        return report
    report["broker"] = "ok" if relay.broker_available else f"unavailable: {relay.last_error}"
    report["consumers"] = {r.consumer.name: {"lag": r.lag} for r in app.state.runners}
    report["status"] = "ok" if relay.broker_available else "degraded"
    return report
