"""Write operations shared by the API, the CSV import and the demo loader.

Each takes a UnitOfWork and the acting subject, changes rows and queues events; the caller
commits. Authorisation stays in the API layer.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from simpul_platform.errors import Conflict
from simpul_platform.uow import UnitOfWork


async def commit(uow: UnitOfWork) -> None:
    """Commit; a unique constraint lost to a concurrent writer is a 409, not a 500."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(
            "Another posyandu already holds this name in this desa, or this registration number."
        ) from exc
