"""Write operations shared by the API, the CSV import and the demo loader.

Each takes a UnitOfWork and the acting subject, changes rows and queues events; the caller
commits. Authorisation stays in the API layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from simpul_platform.errors import Conflict, InvalidInput
from simpul_platform.uow import UnitOfWork
from simpul_registry.domain import RuleViolation


@contextmanager
def rules_as_422() -> Iterator[None]:
    """Turn a domain RuleViolation into a 422 naming its field and rule."""
    try:
        yield
    except RuleViolation as exc:
        raise InvalidInput.field(exc.field, exc.rule, exc.message) from exc


async def commit(uow: UnitOfWork) -> None:
    """Commit; a unique constraint lost to a concurrent writer is a 409, not a 500."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(
            "Another posyandu already holds this name in this desa, or this registration number."
        ) from exc
