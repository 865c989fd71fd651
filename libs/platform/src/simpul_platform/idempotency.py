"""``Idempotency-Key`` on POST: a retry gets the first response, never a second effect.

The key is claimed inside the same transaction as the request's effects (``UnitOfWork.commit``),
so "the effect happened" and "the key is taken" are one fact. A concurrent duplicate blocks on
the key's row and, once the first commits, is answered with the first response. The same key
with a different body is a 422. Keys are scoped to the caller (token subject).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, insert, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simpul_platform.db import Database, platform_metadata
from simpul_platform.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    ProblemError,
    database_unavailable_problem,
    problem_response,
)
from simpul_platform.http import read_body, replay_body

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
# A key row without a response means the effects committed and the response is being stored
# (milliseconds) or never will be (the process died): a retrying client is told so quickly.
STALE_AFTER = timedelta(seconds=5)
# x- headers that say how a request travels, never what it asks.
_TRANSPORT = {b"x-request-id", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host"}

idempotency_table = Table(
    "idempotency_keys",
    platform_metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", String(500), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("content_type", String(100), nullable=True),
    Column("response_body", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass
class Claim:
    scope: str
    key: str
    method: str
    path: str
    fingerprint: str
    committed: bool = False
    raced: bool = False


pending_claim: ContextVar[Claim | None] = ContextVar("pending_idempotency_claim", default=None)


async def claim_in_transaction(session: AsyncSession) -> None:
    """Called by UnitOfWork.commit before committing: takes the key with the effects."""
    claim = pending_claim.get()
    if claim is None or claim.committed:
        return
    try:
        async with session.begin_nested():
            await session.execute(
                insert(idempotency_table).values(
                    scope=claim.scope,
                    key=claim.key,
                    method=claim.method,
                    path=claim.path,
                    fingerprint=claim.fingerprint,
                    created_at=datetime.now(UTC),
                )
            )
    except IntegrityError as exc:
        claim.raced = True
        raise Conflict(
            "Another request with this Idempotency-Key was processed first.",
            headers={"Retry-After": "1"},
        ) from exc


def mark_committed() -> None:
    claim = pending_claim.get()
    if claim is not None:
        claim.committed = True


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key")
        stateless = getattr(getattr(scope.get("app"), "state", None), "db", None) is None
        if scope["type"] != "http" or scope["method"] != "POST" or key is None or stateless:
            await self.app(scope, receive, send)
            return
        try:
            await self._handle(scope, receive, send, key)
        except ProblemError as problem:
            response = problem_response(
                problem.status, problem.to_problem(scope["path"]), problem.headers
            )
            await response(scope, receive, send)
        except (OperationalError, InterfaceError, ConnectionError):
            body = database_unavailable_problem(scope["path"])
            await problem_response(503, body, {"Retry-After": "5"})(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, key: str) -> None:
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise _bad_key("must be 1 to 255 printable characters", "format")
        subject = _subject(scope)
        if subject is None:  # unauthenticated: let the route answer 401
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        claim = Claim(subject, key, "POST", scope["path"], _fingerprint(scope, body))
        db: Database = scope["app"].state.db
        if await _answer_from_record(db, claim, scope, send):
            return
        messages = await self._run(scope, body, claim)
        if claim.raced and await _wait_and_replay(db, claim, scope, send):
            return
        if claim.committed:
            await _store_response(db, claim, messages)
        for message in messages:
            await send(message)

    async def _run(self, scope: Scope, body: bytes, claim: Claim) -> list[Message]:
        """Run the app with the claim in context and keep its response to store it."""
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        token = pending_claim.set(claim)
        try:
            await self.app(scope, replay_body(body), capture)
        finally:
            pending_claim.reset(token)
        return messages


def _bad_key(message: str, rule: str) -> InvalidInput:
    return InvalidInput(
        f"Idempotency-Key {message}.",
        errors=[FieldError(field=f"header.{HEADER}", rule=rule, message=message)],
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope.get("headers", []):
        if header == name:
            return str(value.decode("latin-1"))
    return None


def _subject(scope: Scope) -> str | None:
    authorization = _header(scope, b"authorization") or ""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return str(scope["app"].state.authenticator.authenticate(token.strip()).subject)
    except ProblemError:
        return None


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b"")):
        digest.update(part + b"\0")
    for name, value in _meaningful_headers(scope):
        digest.update(name + b":" + value + b"\0")
    digest.update(_canonical(body))
    return digest.hexdigest()


def _meaningful_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """Headers that change what a request asks (a route's ``X-First-Row``, the body's media
    type): the same key with another of them is another request, not a retry."""
    return sorted(
        (name, value)
        for name, value in scope.get("headers", [])
        if name == b"content-type" or (name.startswith(b"x-") and name not in _TRANSPORT)
    )


def _canonical(body: bytes) -> bytes:
    """JSON bodies compare by content, not by key order or spacing."""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):  # not JSON, or nested too deep: compared as sent
        return body


async def _load(db: Database, claim: Claim) -> Any:
    async with db.sessions() as session:
        result = await session.execute(
            select(idempotency_table).where(
                idempotency_table.c.scope == claim.scope, idempotency_table.c.key == claim.key
            )
        )
        return result.first()


async def _answer_from_record(db: Database, claim: Claim, scope: Scope, send: Send) -> bool:
    record = await _load(db, claim)
    if record is None:
        return False
    if record.fingerprint != claim.fingerprint:
        raise InvalidInput(
            "This Idempotency-Key was used with a different request; use a new key.",
            errors=[
                FieldError(
                    field=f"header.{HEADER}",
                    rule="reused_with_different_request",
                    message="same key, different method, path or body",
                )
            ],
        )
    if record.status_code is not None:
        await _replay(record, send)
        return True
    created = (
        record.created_at if record.created_at.tzinfo else record.created_at.replace(tzinfo=UTC)
    )
    if datetime.now(UTC) - created > STALE_AFTER:
        raise Conflict(
            "This request was processed, but its response was not kept; read the "
            "resource instead of retrying."
        )
    raise Conflict(
        "A request with this Idempotency-Key is still in progress.", headers={"Retry-After": "1"}
    )


async def _wait_and_replay(db: Database, claim: Claim, scope: Scope, send: Send) -> bool:
    """The concurrent twin committed first; give its response once it is stored."""
    for _ in range(50):
        record = await _load(db, claim)
        if record is not None and record.status_code is not None:
            await _replay(record, send)
            return True
        await asyncio.sleep(0.1)
    return False


async def _replay(record: Any, send: Send) -> None:
    body = (record.response_body or "").encode()
    await send(
        {
            "type": "http.response.start",
            "status": record.status_code,
            "headers": [
                (b"content-type", (record.content_type or "application/json").encode()),
                (b"content-length", str(len(body)).encode()),
                (REPLAY_HEADER.lower().encode(), b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _store_response(db: Database, claim: Claim, messages: list[Message]) -> None:
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None:
        return
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    content_type = next(
        (v.decode() for k, v in start.get("headers", []) if k.lower() == b"content-type"), None
    )
    async with db.transaction() as session:
        await session.execute(
            update(idempotency_table)
            .where(idempotency_table.c.scope == claim.scope, idempotency_table.c.key == claim.key)
            .values(
                status_code=start["status"],
                content_type=content_type,
                response_body=body.decode("utf-8", errors="replace"),
            )
        )
