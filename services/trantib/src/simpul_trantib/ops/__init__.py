"""The service layer: the writes and reads the API (and later the demo loader) share.

An operation checks the replica and the caller's wilayah, applies the domain rules and stages
rows and events in the caller's unit of work; the caller commits (``commit`` below), so a
route reads authorise → operation → commit → shape.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from simpul_platform.errors import Conflict
from simpul_platform.uow import UnitOfWork


async def commit(uow: UnitOfWork, conflict: str, **extra: Any) -> None:
    """Commit the unit of work; a uniqueness the database refused is a 409 saying ``conflict``
    (a concurrent request that stored the same record first)."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(conflict, **extra) from exc
