"""Targets (sasaran): registering a person at a posyandu, reading and listing them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lokal import parse_nik
from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.lifecycle import life_cycle_group
from simpul_health.models import Pregnancy, Target
from simpul_health.ops import area_codes, tally
from simpul_health.ops.access import writable_posyandu
from simpul_health.schemas.targets import TargetIn
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

DUPLICATE_NIK = "A target with this NIK is already registered."


def check_nik(body: TargetIn, today: date) -> None:
    """NIK structure (lokal-id), and its birth date and sex agree with the record."""
    info = parse_nik(body.nik, reference_date=today)
    if not info.valid or info.birth_date is None:
        code = info.errors[0].code if info.errors else "format"
        raise RuleViolation("nik", f"nik_{code}", "The NIK is not a valid NIK.")
    if date.fromisoformat(info.birth_date) != body.birth_date:
        raise RuleViolation(
            "birth_date", "nik_birth_date_mismatch", "The birth date differs from the NIK's."
        )
    if {"L": "M", "P": "F"}.get(info.gender or "") != body.sex:
        raise RuleViolation("sex", "nik_sex_mismatch", "The sex differs from the NIK's.")


async def create_target(
    uow: UnitOfWork, principal: Principal, body: TargetIn, *, secret: str, today: date
) -> Target:
    """Stage a new target at a posyandu the caller may write to; the NIK stays in this
    service, its keyed pseudonyms (``secret``) go on the row for events."""
    not_in_future(body.birth_date, today, "birth_date", "The birth date")
    check_nik(body, today)
    posyandu = await writable_posyandu(uow.session, principal, body.posyandu_id)
    now = datetime.now(UTC)
    target = Target.model_validate(
        {
            "id": new_id(),
            **body.model_dump(),
            **area_codes(posyandu["desa_code"]),
            "person_ref": person_ref(secret, body.nik),
            "household_ref": household_ref(secret, body.kk) if body.kk else None,
            "created_by": principal.subject,
            "created_at": now,
            "updated_by": principal.subject,
            "updated_at": now,
        }
    )
    # Before the row is staged: a statement flushes what is staged, and a duplicate NIK must
    # fail at the commit, where it becomes a 409.
    await tally.invalidate(uow.session, target.posyandu_id, target.birth_date)
    uow.session.add(target)
    return target


async def insert_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Targets as complete rows, in one statement: people generated with their pseudonyms
    already derived (the demo loader), not a kader's registration (``create_target``)."""
    if rows:
        since = min(row["birth_date"] for row in rows)
        await tally.invalidate_many(session, {row["posyandu_id"] for row in rows}, since)
        await session.execute(insert(Target.__table__), rows)  # type: ignore[attr-defined]


async def with_life_cycle(session: AsyncSession, target: Target, today: date) -> dict[str, Any]:
    """The target with its life-cycle group on ``today`` (its latest pregnancy counts)."""
    latest = (
        await session.execute(
            select(col(Pregnancy.status), col(Pregnancy.delivered_on))
            .where(col(Pregnancy.target_id) == target.id)
            .order_by(col(Pregnancy.registered_on).desc())
            .limit(1)
        )
    ).first()
    group = life_cycle_group(
        target.birth_date,
        today,
        pregnant=bool(latest and latest.status == "ongoing"),
        delivered_on=latest.delivered_on if latest else None,
    )
    return {**target.model_dump(), "life_cycle_group": group}


async def list_targets(
    session: AsyncSession,
    principal: Principal,
    *,
    posyandu_id: str | None,
    wilayah: str | None,
    limit: int,
    offset: int,
) -> list[Target]:
    """Targets of a posyandu or a wilayah inside the caller's scope, by name."""
    query = (
        select(Target)
        .where(under(col(Target.desa_code), principal.visible_scopes(wilayah)))
        .order_by(col(Target.name), col(Target.id))
        .limit(limit)
        .offset(offset)
    )
    if posyandu_id:
        query = query.where(col(Target.posyandu_id) == posyandu_id)
    return list((await session.execute(query)).scalars().all())
