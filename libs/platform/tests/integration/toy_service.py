"""A minimal service built only from platform parts, to prove them over the real broker and DB.

It writes notes about a posyandu (a row plus a ``toy.note.created.v1`` event) and consumes its
own topic into an effects table, counting how often each event was applied.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import registry
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.auth import Principal, require_roles
from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.errors import NotFound
from simpul_platform.events import Envelope, EventPayload, TolerantPayload
from simpul_platform.settings import ServiceSettings
from simpul_platform.uow import SessionDep, UnitOfWorkDep

TOPIC = "simpul.toy.v1"
toy_registry = registry()
toy_metadata = toy_registry.metadata


class ToyModel(SQLModel, registry=toy_registry):
    pass


class Note(ToyModel, table=True):
    __tablename__ = "notes"
    id: str = SQLField(primary_key=True)
    posyandu_id: str
    wilayah: str
    text: str
    created_by: str
    created_at: datetime


class Effect(ToyModel, table=True):
    """One row per note the consumer applied; ``times`` would exceed 1 on a duplicate effect."""

    __tablename__ = "note_effects"
    note_id: str = SQLField(primary_key=True)
    times: int = 0


class NoteCreated(EventPayload):
    event_type = "toy.note.created.v1"
    topic = TOPIC
    note_id: str
    text: str


class NoteIn(BaseModel):
    posyandu_id: str = Field(min_length=1, max_length=40)
    wilayah: str = Field(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
    text: str = Field(min_length=1, max_length=200)
    weight_kg: float | None = Field(default=None, gt=0, le=150)


class NoteOut(BaseModel):
    id: str
    posyandu_id: str
    wilayah: str
    text: str
    created_by: str


class ToySettings(ServiceSettings):
    service_name: str = "toy"


Writer = Annotated[Principal, Depends(require_roles("opd:toy"))]
Reader = Annotated[Principal, Depends(require_roles("opd:toy", "dpmd"))]
router = APIRouter(prefix="/v1/notes", tags=["notes"])


@router.post("", status_code=201, response_model=NoteOut, operation_id="createNote")
async def create_note(body: NoteIn, uow: UnitOfWorkDep, principal: Writer) -> Any:
    """Record a note and announce it."""
    principal.require_wilayah(body.wilayah)
    note = Note(
        id=str(uuid.uuid4()),
        posyandu_id=body.posyandu_id,
        wilayah=body.wilayah,
        text=body.text,
        created_by=principal.subject,
        created_at=datetime.now(UTC),
    )
    uow.session.add(note)
    uow.publish(
        NoteCreated(note_id=note.id, text=note.text),
        posyandu_id=note.posyandu_id,
        wilayah=note.wilayah,
        subject=note.id,
    )
    await uow.commit()
    return note


@router.get("/{note_id}", response_model=NoteOut, operation_id="getNote")
async def get_note(note_id: str, session: SessionDep, principal: Reader) -> Any:
    """Read one note."""
    note = await session.get(Note, note_id)
    if note is None:
        raise NotFound(f"No note {note_id}.")
    principal.require_wilayah(note.wilayah, hide=True)
    return note


class NoteView(TolerantPayload):
    """The consumer's view of ``toy.note.created.v1``."""

    event_type = NoteCreated.event_type
    topic = TOPIC
    note_id: str
    text: str


async def apply_note(session: AsyncSession, note: NoteView, event: Envelope) -> None:
    if note.text == "poison":
        raise ValueError("this note can never be applied")
    effect = await session.get(Effect, note.note_id)
    if effect is None:
        effect = Effect(note_id=note.note_id, times=0)
    effect.times += 1
    session.add(effect)


TOY_CONSUMER = Consumer("toy.effects", [Subscription(NoteView, apply_note)])


MIGRATIONS = Path(__file__).parent / "toy_migrations"


def create_app(settings: ToySettings, with_consumer: bool = True, migrate: bool = False) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Toy",
            description="Platform test service",
            metadata=[toy_metadata],
            routers=[router],
            consumers=[TOY_CONSUMER] if with_consumer else [],
            published_events=[NoteCreated],
            migrations_dir=MIGRATIONS if migrate else None,
        )
    )


async def effect_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Effect.note_id, Effect.times))  # type: ignore[call-overload]
    return {note_id: times for note_id, times in rows.all()}


async def note_count(session: AsyncSession) -> int:
    result = await session.execute(select(func.count()).select_from(Note))
    return int(result.scalar_one())
