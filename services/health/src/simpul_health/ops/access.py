"""What a caller may write to and read: a posyandu from the replica, a person, a record."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.engine import RowMapping
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.models import Target
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import NotFound
from simpul_platform.replica import require_active_posyandu


class _InDesa(Protocol):
    desa_code: str


R = TypeVar("R", bound=_InDesa)


async def writable_posyandu(
    session: AsyncSession, principal: Principal, posyandu_id: str
) -> RowMapping:
    """The posyandu from the local replica: known, active and inside the caller's wilayah."""
    row = await require_active_posyandu(session, posyandu_id)
    principal.require_wilayah(row["desa_code"])
    return row


async def visible(
    session: AsyncSession, principal: Principal, model: type[R], record_id: str, what: str
) -> R:
    """A record the caller may see; 404 otherwise (the existence of a person's record is
    itself sensitive, so a record outside the caller's wilayah is not found either)."""
    record = await session.get(model, record_id)
    if record is None:
        raise NotFound(f"No {what} {record_id}.")
    principal.require_wilayah(record.desa_code, hide=True)
    return record


async def visible_target(session: AsyncSession, principal: Principal, target_id: str) -> Target:
    """A target (sasaran) the caller may see; 404 otherwise."""
    return await visible(session, principal, Target, target_id, "target")


async def named_target(session: AsyncSession, principal: Principal, target_id: str) -> Target:
    """A target a request's body names, which the caller may see. An unknown one (or one
    outside the caller's wilayah) is the body's fault, not a missing resource: 422
    ``unknown_target``, as for a measurement of it."""
    try:
        return await visible_target(session, principal, target_id)
    except NotFound as exc:
        raise RuleViolation("target_id", "unknown_target", "No such target.") from exc


async def with_targets(session: AsyncSession, target_ids: list[str]) -> None:
    """Read the targets into the session in one statement: each record's lookup of its target
    (``visible``) then finds it there instead of reading it again (a batch of records)."""
    if target_ids:
        await session.execute(select(Target).where(col(Target.id).in_(target_ids)))


async def target_at(
    session: AsyncSession,
    principal: Principal,
    target_id: str,
    posyandu_id: str | None,
    *,
    in_body: bool = False,
) -> tuple[Target, RowMapping]:
    """A target the caller may see (``in_body``: named by the body, see ``named_target``;
    else by the path, a 404 when unknown), and the posyandu a record of it is written at: the
    one named, else the target's own, which the caller must be able to write to."""
    find = named_target if in_body else visible_target
    target = await find(session, principal, target_id)
    posyandu = await writable_posyandu(session, principal, posyandu_id or target.posyandu_id)
    return target, posyandu
