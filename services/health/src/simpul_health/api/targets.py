"""Targets (sasaran): people served at a posyandu. NIK and No. KK stay in this service."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Query
from lokal import parse_nik
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from simpul_health.api.deps import HealthUser, SettingsDep, codes, visible_target, writable_posyandu
from simpul_health.domain.lifecycle import life_cycle_group
from simpul_health.models import Pregnancy, Target
from simpul_health.schemas import TargetIn, TargetOut
from simpul_platform.db import MAX_SQL_OFFSET
from simpul_platform.errors import Conflict, InvalidInput
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.uow import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/v1/targets", tags=["targets"])


def check_nik(body: TargetIn, today: date) -> None:
    """NIK structure (lokal-id), and its birth date and sex agree with the record."""
    info = parse_nik(body.nik, reference_date=today)
    if not info.valid or info.birth_date is None:
        code = info.errors[0].code if info.errors else "format"
        raise InvalidInput.field("nik", f"nik_{code}", "The NIK is not a valid NIK.")
    if date.fromisoformat(info.birth_date) != body.birth_date:
        raise InvalidInput.field(
            "birth_date", "nik_birth_date_mismatch", "The birth date differs from the NIK's."
        )
    if {"L": "M", "P": "F"}.get(info.gender or "") != body.sex:
        raise InvalidInput.field("sex", "nik_sex_mismatch", "The sex differs from the NIK's.")


async def target_out(session: Any, target: Target, on: date | None = None) -> dict[str, Any]:
    today = on or date.today()
    latest = (
        await session.execute(
            select(col(Pregnancy.status), col(Pregnancy.delivered_on))
            .where(col(Pregnancy.target_id) == target.id)
            .order_by(Pregnancy.registered_on.desc())  # type: ignore[attr-defined]
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


@router.post("", status_code=201, response_model=TargetOut, operation_id="createTarget")
async def create_target(
    body: TargetIn, uow: UnitOfWorkDep, principal: HealthUser, settings: SettingsDep
) -> Any:
    """Register a person (sasaran) at a posyandu."""
    today = date.today()
    if body.birth_date > today:
        raise InvalidInput.field(
            "birth_date", "birth_in_future", "The birth date is in the future."
        )
    check_nik(body, today)
    posyandu = await writable_posyandu(uow.session, principal, body.posyandu_id)
    now = datetime.now(UTC)
    target = Target.model_validate(
        {
            "id": str(uuid.uuid4()),
            **body.model_dump(),
            **codes(posyandu["desa_code"]),
            "person_ref": person_ref(settings.pseudonym_secret, body.nik),
            "household_ref": household_ref(settings.pseudonym_secret, body.kk) if body.kk else None,
            "created_by": principal.subject,
            "created_at": now,
            "updated_by": principal.subject,
            "updated_at": now,
        }
    )
    uow.session.add(target)
    try:
        await uow.commit()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict("A target with this NIK is already registered.") from exc
    return await target_out(uow.session, target)


@router.get("/{target_id}", response_model=TargetOut, operation_id="getTarget")
async def get_target(target_id: str, session: SessionDep, principal: HealthUser) -> Any:
    """Read one target with its current life-cycle group."""
    return await target_out(session, await visible_target(session, principal, target_id))


@router.get("", response_model=list[TargetOut], operation_id="listTargets")
async def list_targets(
    session: SessionDep,
    principal: HealthUser,
    posyandu_id: str | None = None,
    wilayah: str | None = Query(default=None, pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_SQL_OFFSET),
) -> Any:
    """Targets of a posyandu or a wilayah inside the caller's scope."""
    query = select(Target).order_by(col(Target.name), col(Target.id)).limit(limit).offset(offset)
    if posyandu_id:
        query = query.where(col(Target.posyandu_id) == posyandu_id)
    scopes = principal.visible_scopes(wilayah)
    if "*" not in scopes:
        query = query.where(or_(*(col(Target.desa_code).startswith(scope) for scope in scopes)))
    targets = (await session.execute(query)).scalars().all()
    return [await target_out(session, t) for t in targets]
