"""Unit of work: one transaction holding a request's state changes, its events and its key.

Routes that write take ``UnitOfWorkDep``; everything added through it commits or rolls back
together: domain rows, outbox events and the Idempotency-Key claim.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from opentelemetry.trace import INVALID_SPAN, Span, StatusCode
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import context, idempotency, tracing
from simpul_platform.db import Database
from simpul_platform.errors import Conflict
from simpul_platform.events import Envelope, EventPayload
from simpul_platform.outbox import Outbox


class UnitOfWork:
    def __init__(self, session: AsyncSession, outbox: Outbox, span: Span = INVALID_SPAN) -> None:
        self.session = session
        self.outbox = outbox
        self._events: list[tuple[str, Envelope]] = []
        # The transaction's span: its events' rows are its children (tracing.py). Without one
        # (scripts, demo loaders) they take the current traceparent, as Outbox.add does.
        self._traceparent = tracing.format_traceparent(span.get_span_context())

    def _envelope(self, build: Callable[[], Envelope]) -> Envelope:
        if self._traceparent is None:
            return build()
        token = context.traceparent.set(self._traceparent)
        try:
            return build()
        finally:
            context.traceparent.reset(token)

    def publish(
        self,
        payload: EventPayload,
        *,
        subject: str | None = None,
        occurred_at: datetime | None = None,
        posyandu_id: str | None = None,
        wilayah: str | None = None,
    ) -> Envelope:
        """Queue an event; it is written to the outbox when (and only if) the work commits.
        Its key and wilayah come from the payload (``EventPayload.key_field``) unless given."""
        envelope = self._envelope(
            lambda: self.outbox.envelope(
                payload,
                posyandu_id=posyandu_id,
                wilayah=wilayah,
                subject=subject,
                occurred_at=occurred_at,
            )
        )
        self._events.append((payload.topic, envelope))
        return envelope

    def publish_data(
        self,
        event: type[EventPayload],
        data: dict[str, Any],
        *,
        subject: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """Queue an event whose data is already the payload's JSON form (bulk paths that build
        it without a second pydantic validation; the caller answers for its shape)."""
        key = data.get(event.key_field) if event.key_field else None
        wilayah = data.get(event.wilayah_field) if event.wilayah_field else None
        envelope = self._envelope(
            lambda: self.outbox.envelope_of(
                event.event_type,
                data,
                posyandu_id=None if key is None else str(key),
                wilayah=None if wilayah is None else str(wilayah),
                subject=subject,
                occurred_at=occurred_at,
            )
        )
        self._events.append((event.topic, envelope))
        return envelope

    async def commit(self) -> None:
        await self.outbox.add_many(self.session, self._events)
        self._events = []
        await idempotency.claim_in_transaction(self.session)
        await self.session.commit()
        idempotency.mark_committed()

    async def rollback(self) -> None:
        self._events = []
        await self.session.rollback()


async def commit_or_conflict(uow: UnitOfWork, conflict: str, **extra: Any) -> None:
    """Commit the unit of work; a uniqueness the database refused is a 409 saying ``conflict``
    (a concurrent request that stored the same record first)."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(conflict, **extra) from exc


async def _unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    db: Database = request.app.state.db
    # Started here and ended at the dependency's exit, but never made current: FastAPI may
    # leave a dependency in another context than it entered. Its events carry it instead.
    span = tracing.current().start(
        "db.transaction", tracing.current_parent(), attributes={"db.system.name": db.dialect}
    )
    try:
        async with db.sessions() as session:
            yield UnitOfWork(session, request.app.state.outbox, span)
    except Exception as exc:
        span.record_exception(exc)
        span.set_status(StatusCode.ERROR, type(exc).__name__)
        raise
    finally:
        span.end()


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.sessions() as session:
        yield session


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work)]
SessionDep = Annotated[AsyncSession, Depends(_session)]
