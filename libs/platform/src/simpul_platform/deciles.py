"""A field's replica of households' DTSEN deciles, from social's ``social.household.assessed.v1``
(never read from social's database): the columns every replica has and the rule that keeps
it — the latest assessment by date wins; of one date, the later event.

A service declares ``class HouseholdDecile(HouseholdDecileColumns, <its base>, table=True)``
with ``__tablename__ = "household_decile"``, a consumer view of the event with the fields of
``AssessedDecile``, and calls ``keep_latest`` from its handler (``keep_latest_many`` from its
batch handler: a consumer chunk's run of assessments in one read).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import now


class HouseholdDecileColumns(SQLModel):
    """Social's DTSEN decile of a household, by its pseudonym (the latest assessment by date
    wins)."""

    household_ref: str = Field(primary_key=True, max_length=64)
    decile: int
    source: str = Field(max_length=40)
    assessed_on: date
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    last_event_id: str = Field(max_length=64)
    updated_at: datetime


class AssessedDecile(Protocol):
    """What a consumer's view of ``social.household.assessed.v1`` carries for the replica."""

    @property
    def household_ref(self) -> str: ...
    @property
    def decile(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def assessed_on(self) -> date: ...
    @property
    def posyandu_id(self) -> str: ...
    @property
    def desa_code(self) -> str: ...


D = TypeVar("D", bound=HouseholdDecileColumns)


async def keep_latest(
    session: AsyncSession, model: type[D], assessed: AssessedDecile, event_id: str
) -> bool:
    """Keep the household's latest assessment in ``model``'s table; True when the decile it
    holds changed (a first one included), so the caller can drop what depended on it.

    Redelivery is harmless twice over: the consumer's inbox skips an event applied before,
    and an older assessment arriving late changes nothing. The row is locked while it is
    compared, so two assessments of one household applied at once keep the later."""
    changed = await keep_latest_many(session, model, [(assessed, event_id)])
    return assessed.household_ref in changed


async def keep_latest_many(
    session: AsyncSession, model: type[D], run: Sequence[tuple[AssessedDecile, str]]
) -> set[str]:
    """``keep_latest`` for a consumer chunk's run of assessments, applied in order: the rows
    read and locked in one statement (in key order), decided in memory; the households whose
    decile any of them changed."""
    key = col(model.household_ref)
    refs = sorted({assessed.household_ref for assessed, _ in run})
    query = (
        select(model)
        .where(key.in_(refs))
        .order_by(key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = {row.household_ref: row for row in (await session.execute(query)).scalars()}
    changed: set[str] = set()
    for assessed, event_id in run:
        ref, row = assessed.household_ref, rows.get(assessed.household_ref)
        if row is not None and row.assessed_on > assessed.assessed_on:
            continue
        before = None if row is None else row.decile
        values: dict[str, Any] = {
            "decile": assessed.decile,
            "source": assessed.source,
            "assessed_on": assessed.assessed_on,
            "posyandu_id": assessed.posyandu_id,
            "desa_code": assessed.desa_code,
            "last_event_id": event_id,
            "updated_at": now(),
        }
        if row is None:
            row = rows[ref] = model(household_ref=ref, **values)
        else:
            row.sqlmodel_update(values)
        session.add(row)
        if before != assessed.decile:
            changed.add(ref)
    return changed
