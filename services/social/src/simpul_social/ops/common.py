"""Helpers every operation uses: time, posyandu checks, conflict translation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.auth import Principal
from simpul_platform.errors import InvalidInput
from simpul_platform.replica import require_active_posyandu
from simpul_social.settings import SocialSettings


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> datetime:
    return datetime.now(UTC)


def local_today(settings: SocialSettings) -> date:
    return datetime.now(settings.zone).date()


def local_day(settings: SocialSettings, moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(settings.zone).date()


def not_future(settings: SocialSettings, day: date, field: str) -> None:
    if day > local_today(settings):
        raise InvalidInput.field(field, "not_in_future", f"{day} is in the future.")


def not_before(day: date, earlier: date | None, field: str, what: str) -> None:
    if earlier is not None and day < earlier:
        raise InvalidInput.field(
            field, "before_previous_step", f"{day} is before {what} {earlier}."
        )


async def posyandu_for_write(
    session: AsyncSession, posyandu_id: str, principal: Principal, field: str = "body.posyandu_id"
) -> RowMapping:
    """The active posyandu from the local replica (422 otherwise), inside the caller's wilayah."""
    row = await require_active_posyandu(session, posyandu_id, field=field)
    principal.require_wilayah(row["desa_code"])
    return row


def mask(identifier: str) -> str:
    return identifier[:6] + "*" * 8 + identifier[-2:]
