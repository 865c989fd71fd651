"""A field's replica of households' DTSEN deciles, from social's ``social.household.assessed.v1``
(never read from social's database): the columns every replica has and the rule that keeps
it — the latest assessment by date wins; of one date, the later event.

A service declares ``class HouseholdDecile(HouseholdDecileColumns, <its base>, table=True)``
with ``__tablename__ = "household_decile"``, a consumer view of the event with the fields of
``AssessedDecile``, and calls ``keep_latest`` from its handler.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Field, SQLModel
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
    row = await session.get(model, assessed.household_ref, with_for_update=True)
    if row is not None and row.assessed_on > assessed.assessed_on:
        return False
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
        row = model(household_ref=assessed.household_ref, **values)
    else:
        row.sqlmodel_update(values)
    session.add(row)
    return before != assessed.decile
