"""Bansos programs and distributions. One distribution per program, household and period:
a unique constraint decides races, and the loser gets a 409 naming the winner."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_today, now
from simpul_platform.domain import not_in_future
from simpul_platform.errors import Conflict, InvalidInput
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_social.domain.periods import bounds, period_type_of
from simpul_social.events import AidDistributed
from simpul_social.models import Distribution, Household, Program
from simpul_social.ops import tallies
from simpul_social.schemas.bansos import DistributionIn, ProgramIn
from simpul_social.settings import SocialSettings


async def create_program(uow: UnitOfWork, body: ProgramIn, actor: str) -> Program:
    if await uow.session.get(Program, body.code) is not None:
        raise Conflict(f"Program {body.code} already exists.")
    program = Program(**body.model_dump(), active=True, created_by=actor, created_at=now())
    uow.session.add(program)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        await uow.rollback()
        raise Conflict(f"Program {body.code} already exists.") from exc
    return program


async def _existing(session: AsyncSession, body: DistributionIn) -> Distribution | None:
    query = select(Distribution).where(
        Distribution.program_code == body.program_code,
        Distribution.household_id == body.household_id,
        Distribution.period == body.period,
    )
    return (await session.exec(query)).first()


def _double(existing: Distribution) -> Conflict:
    return Conflict(
        f"Household already has {existing.program_code} for {existing.period}: "
        f"distribution {existing.id}.",
        existing_distribution_id=existing.id,
    )


async def record_distribution(
    uow: UnitOfWork,
    settings: SocialSettings,
    body: DistributionIn,
    household: Household,
    actor: str,
) -> Distribution:
    program = await uow.session.get(Program, body.program_code)
    if program is None or not program.active:
        raise InvalidInput.field(
            "body.program_code", "unknown_program", f"No active program {body.program_code}."
        )
    if period_type_of(body.period) != program.period_type:
        raise InvalidInput.field(
            "body.period",
            "period_type_mismatch",
            f"{program.code} is paid per {program.period_type}.",
        )
    if body.amount_idr is None and body.goods is None:
        raise InvalidInput.field(
            "body.amount_idr", "amount_or_goods", "Give amount_idr, goods, or both."
        )
    not_in_future(body.distributed_on, local_today(settings), "body.distributed_on")
    existing = await _existing(uow.session, body)
    if existing is not None:
        raise _double(existing)
    start, end = bounds(body.period)
    # Coverage counts it in every period it overlaps: those ending from its start's month on.
    await tallies.invalidate(uow.session, household.posyandu_id, start)
    distribution = Distribution(
        id=new_id(),
        household_id=household.id,
        program_code=program.code,
        period=body.period,
        period_start=start,
        period_end=end,
        posyandu_id=household.posyandu_id,
        desa_code=household.desa_code,
        amount_idr=body.amount_idr,
        goods=body.goods,
        distributed_on=body.distributed_on,
        status=body.status,
        created_by=actor,
        created_at=now(),
    )
    uow.session.add(distribution)
    try:
        await uow.session.flush()  # a concurrent twin blocks here until the first commits
    except IntegrityError as exc:
        await uow.rollback()
        winner = await _existing(uow.session, body)
        if winner is None:  # the other transaction rolled back after all: a plain conflict
            raise Conflict("A concurrent request recorded the same distribution.") from exc
        raise _double(winner) from exc
    if distribution.status == "distributed":
        uow.publish(
            AidDistributed(
                distribution_id=distribution.id,
                household_ref=household.household_ref,
                posyandu_id=household.posyandu_id,
                desa_code=household.desa_code,
                program_code=program.code,
                period=body.period,
                amount_idr=body.amount_idr,
                goods=body.goods,
                distributed_on=body.distributed_on,
            ),
            subject=distribution.id,
        )
    return distribution
