"""Deteksi dini: a Linmas member's or a kader's note of something that may become a
public-order disturbance (Permendagri 26/2020 Pasal 3: the desa supports trantibum through
Satlinmas by early detection). Satpol PP escalates a note that needs it into a report (source
``deteksi_dini``), once: the note keeps the report it opened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_trantib.models import EarlyDetectionNote, OrderReport
from simpul_trantib.ops import tallies
from simpul_trantib.ops.access import posyandu_for_write
from simpul_trantib.ops.order_reports import Opening, open_report
from simpul_trantib.schemas.order import EarlyDetectionIn, EscalateIn
from simpul_trantib.settings import TrantibSettings


async def record(
    uow: UnitOfWork, principal: Principal, body: EarlyDetectionIn, today: date
) -> EarlyDetectionNote:
    """Stage a note at a posyandu's desa the caller may write to."""
    not_in_future(body.observed_on, today, "body.observed_on", "The observation date")
    posyandu = await posyandu_for_write(uow.session, body.posyandu_id, principal)
    note = EarlyDetectionNote(
        id=new_id(),
        desa_code=str(posyandu["desa_code"]),
        **body.model_dump(),
        created_by=principal.subject,
        created_at=now(),
    )
    uow.session.add(note)
    await tallies.invalidate(uow.session, note.posyandu_id, note.observed_on)
    return note


async def visible_note(
    session: AsyncSession, principal: Principal, note_id: str, *, lock: bool = False
) -> EarlyDetectionNote:
    row = await session.get(EarlyDetectionNote, note_id, with_for_update=lock or None)
    if row is None or not principal.can_see(row.desa_code):
        raise NotFound(f"No deteksi dini note {note_id} in your wilayah.")
    return row


async def escalate(
    uow: UnitOfWork,
    principal: Principal,
    settings: TrantibSettings,
    note_id: str,
    body: EscalateIn,
    today: date,
) -> OrderReport:
    """Open the report the note calls for (its posyandu, desa and category; the body's place;
    the start of the observed day when no time is given). A note escalated already is a 409
    naming its report."""
    note = await visible_note(uow.session, principal, note_id, lock=True)
    if note.report_id is not None:
        raise Conflict(
            f"Note {note.id} was escalated already: report {note.report_id}.",
            report_id=note.report_id,
        )
    occurred = body.occurred_at or datetime.combine(note.observed_on, time(0), settings.zone)
    opening = Opening(
        posyandu_id=note.posyandu_id,
        category=note.category,
        place=body.place,
        latitude=body.latitude,
        longitude=body.longitude,
        occurred_at=occurred,
        reported_on=body.reported_on or today,
        source="deteksi_dini",
    )
    report = await open_report(uow, principal, settings, opening, today)
    note.report_id = report.id
    uow.session.add(note)
    return report


async def list_notes(
    session: AsyncSession,
    principal: Principal,
    *,
    wilayah: str | None,
    posyandu_id: str | None,
    level: str | None,
    category: str | None,
    escalated: bool | None,
    limit: int,
    offset: int,
) -> Sequence[EarlyDetectionNote]:
    """Notes in the caller's scope, newest observation first."""
    Note = EarlyDetectionNote
    query = select(Note).where(under(col(Note.desa_code), principal.visible_scopes(wilayah)))
    if posyandu_id is not None:
        query = query.where(Note.posyandu_id == posyandu_id)
    if level is not None:
        query = query.where(Note.level == level)
    if category is not None:
        query = query.where(Note.category == category)
    if escalated is not None:
        linked = col(Note.report_id)
        query = query.where(linked.is_not(None) if escalated else linked.is_(None))
    query = query.order_by(col(Note.observed_on).desc(), col(Note.id))
    return list((await session.exec(query.offset(offset).limit(limit))).all())
