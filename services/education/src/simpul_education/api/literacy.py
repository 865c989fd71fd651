"""Literacy at the posyandu: taman bacaan and reading sessions, participants counted by age
group. No national data standard exists for this record; the kinds and age groups are the
field's own. Sessions hold no personal data, so aggregate readers may list them too."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from simpul_education.api.deps import AggregateReader, Today, Writer
from simpul_education.domain.literacy import LiteracyKind
from simpul_education.models import LiteracySession
from simpul_education.ops import commit
from simpul_education.ops import literacy as ops
from simpul_education.schemas.literacy import LiteracySessionIn, LiteracySessionOut
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery

router = APIRouter(prefix="/v1/literacy/sessions", tags=["literacy"])
NO_STANDARD = (
    " No national data standard exists for literacy records at the posyandu (Taman Bacaan "
    "Masyarakat included): the kinds, age groups and facilitator roles are this service's own."
)


def session_out(row: LiteracySession) -> dict[str, Any]:
    counts = {
        "age_0_6": row.participants_0_6,
        "age_7_12": row.participants_7_12,
        "age_13_18": row.participants_13_18,
        "adults": row.participants_adults,
    }
    return {**row.model_dump(), "participants": {**counts, "total": sum(counts.values())}}


@router.post(
    "",
    status_code=201,
    response_model=LiteracySessionOut,
    operation_id="createLiteracySession",
    description="A taman bacaan or reading session held at a posyandu, participants by age "
    "group (at least one); one of a kind per posyandu and day." + NO_STANDARD,
)
async def create_session(
    body: LiteracySessionIn, uow: UnitOfWorkDep, principal: Writer, today: Today
) -> Any:
    """Record a literacy session at a posyandu (no national standard exists for this record)."""
    row = await ops.create_session(uow, principal, body, today=today)
    await commit(uow, ops.DUPLICATE_SESSION)
    return session_out(row)


@router.get(
    "",
    response_model=list[LiteracySessionOut],
    operation_id="listLiteracySessions",
    description="Literacy sessions in the caller's wilayah, newest first, optionally one "
    "posyandu's, one kind's or held in a date range (both ends included)." + NO_STANDARD,
)
async def list_sessions(
    session: SessionDep,
    principal: AggregateReader,
    wilayah: WilayahQuery = None,
    posyandu_id: Annotated[str | None, Query(max_length=36)] = None,
    kind: LiteracyKind | None = None,
    held_from: date | None = None,
    held_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_SQL_OFFSET)] = 0,
) -> Any:
    """Literacy sessions in the caller's wilayah (no national standard exists for this record)."""
    rows = await ops.list_sessions(
        session,
        principal,
        wilayah=wilayah,
        posyandu_id=posyandu_id,
        kind=kind,
        held_from=held_from,
        held_to=held_to,
        limit=limit,
        offset=offset,
    )
    return [session_out(r) for r in rows]


@router.get("/{session_id}", response_model=LiteracySessionOut, operation_id="getLiteracySession")
async def get_session(session_id: str, session: SessionDep, principal: AggregateReader) -> Any:
    """One literacy session."""
    return session_out(await ops.visible_session(session, principal, session_id))
