"""Serentak days, the kader inactivity check, and kader participation."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import col, select

from simpul_platform import clock
from simpul_platform.auth import CurrentPrincipal, covers
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.indicators import OptionalPeriodQuery, period_from_query
from simpul_platform.openapi import problems
from simpul_platform.uow import SessionDep, UnitOfWorkDep
from simpul_platform.wilayah import WilayahQuery, under
from simpul_registry.api.deps import SettingsDep, Writer
from simpul_registry.models import SerentakDay
from simpul_registry.ops import commit
from simpul_registry.ops.attendance import inactivity_check
from simpul_registry.ops.days import add_serentak
from simpul_registry.ops.participation import participation
from simpul_registry.schemas_days import (
    InactivityCheckOut,
    IsoDay,
    ParticipationOut,
    SerentakIn,
    SerentakOut,
)

router = APIRouter(tags=["kader participation"])
SerentakDayQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=36, description="a serentak day's id; not with a period"),
]


@router.post(
    "/v1/serentak-days",
    status_code=201,
    response_model=SerentakOut,
    operation_id="createSerentakDay",
)
async def create_serentak(body: SerentakIn, uow: UnitOfWorkDep, principal: Writer) -> Any:
    """Set a posyandu serentak day for every posyandu of a wilayah at once (DPMD)."""
    principal.require_wilayah(body.wilayah)
    taken = await uow.session.exec(
        select(SerentakDay).where(
            col(SerentakDay.wilayah_code) == body.wilayah, col(SerentakDay.day) == body.day
        )
    )
    if taken.first() is not None:
        raise Conflict(f"{body.wilayah} has a serentak day on {body.day} already.")
    row = add_serentak(uow, body, principal.subject)
    await commit(uow)
    return SerentakOut.model_validate(row.model_dump())


@router.get("/v1/serentak-days", response_model=list[SerentakOut], operation_id="listSerentakDays")
async def list_serentak(
    session: SessionDep,
    principal: CurrentPrincipal,
    wilayah: WilayahQuery = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    """Serentak days set for the caller's wilayah (or under the one asked), by date."""
    query = select(SerentakDay).where(
        under(col(SerentakDay.wilayah_code), principal.visible_scopes(wilayah))
    )
    if year is not None:
        query = query.where(
            col(SerentakDay.day) >= date(year, 1, 1), col(SerentakDay.day) <= date(year, 12, 31)
        )
    rows = (await session.exec(query.order_by(col(SerentakDay.day)))).all()
    return [SerentakOut.model_validate(r.model_dump()) for r in rows]


@router.post(
    "/v1/kader/inactivity-check",
    response_model=InactivityCheckOut,
    operation_id="checkKaderInactivity",
)
async def check_inactivity(
    uow: UnitOfWorkDep,
    principal: Writer,
    settings: SettingsDep,
    wilayah: WilayahQuery = None,
    on: Annotated[IsoDay | None, Query(description="default: today")] = None,
) -> Any:
    """Flag kader without a present day for the set months, publishing each change once."""
    today = clock.local_today(settings)
    on = on or today
    not_in_future(on, today, "query.on", "The check's day")
    out = await inactivity_check(
        uow, principal.visible_scopes(wilayah), on, settings.kader_inactive_months
    )
    await commit(uow)
    return out


def narrowest(scopes: list[str], area: str) -> list[str]:
    """Where ``scopes`` and ``area`` overlap: each scope inside the area, or the area itself
    where a scope contains it."""
    inside = {s for s in scopes if covers(area, s)}
    return sorted(inside | ({area} if any(covers(s, area) for s in scopes) else set()))


@router.get(
    "/v1/participation",
    response_model=ParticipationOut,
    operation_id="getKaderParticipation",
    responses=problems(404),
)
async def get_participation(
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    wilayah: WilayahQuery = None,
    period: OptionalPeriodQuery = None,
    serentak_day: SerentakDayQuery = None,
) -> Any:
    """Kader present ÷ kader expected per posyandu, desa, kecamatan and kabupaten."""
    if period is not None and serentak_day is not None:
        raise RuleViolation(
            "query.period",
            "period_or_serentak_day",
            "Ask for a period or for a serentak day, not both.",
        )
    if serentak_day is not None:
        day = await session.get(SerentakDay, serentak_day)
        if day is None:
            raise NotFound(f"No serentak day {serentak_day}.")
        scopes = narrowest(principal.visible_scopes(wilayah), day.wilayah_code)
        start = end = day.day
    else:
        window = period_from_query(period or clock.local_today(settings).strftime("%Y-%m"))
        scopes, start, end = principal.visible_scopes(wilayah), window.start, window.end
    count, rows = await participation(session, scopes, start, end)
    return ParticipationOut(
        wilayah=wilayah,
        start=start,
        end=end,
        serentak_day=serentak_day,
        posyandu_with_day=count,
        rows=rows,
    )
