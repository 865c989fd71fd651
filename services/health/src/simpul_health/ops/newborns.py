"""Bayi baru lahir: recording a newborn, its neonatal visits KN1–KN3, and the SPM count."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.engine import RowMapping
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.domain.birth import age_hours, low_birth_weight, neonatal_visit
from simpul_health.events import NeonatalVisitsCompleted, NewbornRegistered
from simpul_health.models import NeonatalVisit, Newborn, Pregnancy, Target
from simpul_health.ops import area_codes, kept
from simpul_health.ops.access import named_target, visible, writable_posyandu
from simpul_health.schemas.newborns import NeonatalVisitIn, NewbornIn
from simpul_platform.auth import Principal
from simpul_platform.domain import NOT_IN_FUTURE, RuleViolation
from simpul_platform.errors import NotFound
from simpul_platform.events import new_id
from simpul_platform.indicators import Period
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under

CODE = "bayi_baru_lahir"
DUPLICATE = "This pregnancy's newborn of that birth order is already recorded."


def _aware(moment: datetime) -> datetime:
    """An instant from the database (SQLite may hand back a naive one, in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _not_after_now(moment: datetime, field: str) -> None:
    # An instant is judged against the clock itself, not the local date: a birth at 23:00
    # local time tonight has not happened at 21:00.
    if moment > datetime.now(UTC):
        raise RuleViolation(
            field, NOT_IN_FUTURE, f"{field} ({moment.isoformat()}) is in the future."
        )


async def register(uow: UnitOfWork, principal: Principal, body: NewbornIn, zone: tzinfo) -> Newborn:
    """Stage a newborn, born on the local date (``zone``: the deployment's) of ``born_at``,
    and announce it."""
    _not_after_now(body.born_at, "born_at")
    born_on = body.born_at.astimezone(zone).date()
    mother: Target | None
    if body.pregnancy_id is not None:
        posyandu, mother = await _from_pregnancy(uow.session, principal, body, born_on)
    elif body.posyandu_id is not None:
        posyandu = await writable_posyandu(uow.session, principal, body.posyandu_id)
        mother = await _mother(uow.session, principal, body.mother_target_id)
    else:
        raise RuleViolation(
            "posyandu_id", "posyandu_required", "Name the pregnancy, or else the posyandu."
        )
    now = datetime.now(UTC)
    nb = Newborn(
        id=new_id(),
        pregnancy_id=body.pregnancy_id,
        birth_order=body.birth_order,
        mother_target_id=mother.id if mother else None,
        posyandu_id=posyandu["posyandu_id"],
        **area_codes(posyandu["desa_code"]),
        born_at=body.born_at.astimezone(UTC),
        born_on=born_on,
        sex=body.sex,
        birth_weight_kg=body.birth_weight_kg,
        created_by=principal.subject,
        created_at=now,
        updated_by=principal.subject,
        updated_at=now,
    )
    uow.session.add(nb)
    uow.publish(
        NewbornRegistered(
            newborn_id=nb.id,
            mother_person_ref=mother.person_ref if mother else None,
            posyandu_id=nb.posyandu_id,
            desa_code=nb.desa_code,
            born_on=born_on,
            sex=body.sex,
            low_birth_weight=low_birth_weight(body.birth_weight_kg),
        ),
        subject=nb.id,
    )
    await kept.recount(uow.session, CODE, nb.posyandu_id, [born_on])
    return nb


async def _from_pregnancy(
    session: AsyncSession, principal: Principal, body: NewbornIn, born_on: date
) -> tuple[RowMapping, Target]:
    """The posyandu and mother of a newborn of a pregnancy: a live birth on the same date."""
    assert body.pregnancy_id is not None
    try:
        p = await visible(session, principal, Pregnancy, body.pregnancy_id, "pregnancy")
    except NotFound as exc:
        raise RuleViolation("pregnancy_id", "unknown_pregnancy", "No such pregnancy.") from exc
    if p.outcome != "live_birth":
        raise RuleViolation(
            "pregnancy_id", "not_a_live_birth", "The pregnancy has no live birth recorded."
        )
    if born_on != p.delivered_on:
        raise RuleViolation(
            "born_at",
            "born_on_differs_from_delivery",
            f"The local date of birth differs from the delivery's ({p.delivered_on}).",
        )
    if body.posyandu_id not in (None, p.posyandu_id):
        raise RuleViolation(
            "posyandu_id", "posyandu_differs_from_pregnancy", "The pregnancy is at another one."
        )
    if body.mother_target_id not in (None, p.target_id):
        raise RuleViolation(
            "mother_target_id", "mother_differs_from_pregnancy", "Another woman's pregnancy."
        )
    posyandu = await writable_posyandu(session, principal, p.posyandu_id)
    mother = await session.get(Target, p.target_id)
    assert mother is not None
    return posyandu, mother


async def _mother(
    session: AsyncSession, principal: Principal, target_id: str | None
) -> Target | None:
    if target_id is None:
        return None
    try:
        mother = await named_target(session, principal, target_id)
    except RuleViolation as exc:
        raise RuleViolation("mother_target_id", "unknown_target", "No such target.") from exc
    if mother.sex != "F":
        raise RuleViolation("mother_target_id", "not_a_woman", "A mother is a woman.")
    return mother


async def record_visit(
    uow: UnitOfWork, principal: Principal, newborn_id: str, body: NeonatalVisitIn, zone: tzinfo
) -> Newborn:
    """Stage a neonatal visit; its window (KN1–KN3) by the newborn's age. A window's first
    visit (the earliest) is its KN; completing all three is announced once."""
    # The newborn's row is locked: two visits recorded at once both see the other's KN.
    nb = await uow.session.get(Newborn, newborn_id, with_for_update=True)
    if nb is None:
        raise NotFound(f"No newborn {newborn_id}.")
    principal.require_wilayah(nb.desa_code, hide=True)
    await writable_posyandu(uow.session, principal, nb.posyandu_id)
    _not_after_now(body.visited_at, "visited_at")
    born_at, visited_at = _aware(nb.born_at), body.visited_at.astimezone(UTC)
    kn = neonatal_visit(born_at, visited_at)
    uow.session.add(
        NeonatalVisit(
            id=new_id(),
            newborn_id=nb.id,
            visited_at=visited_at,
            age_hours=age_hours(born_at, visited_at),
            kn=kn,
            weight_kg=body.weight_kg,
            findings=body.findings_text,
            created_by=principal.subject,
            created_at=datetime.now(UTC),
        )
    )
    attr = f"kn{kn}_at"
    current = getattr(nb, attr)
    if current is None or visited_at < _aware(current):
        setattr(nb, attr, visited_at)
    was_complete = nb.kn_complete
    times = [nb.kn1_at, nb.kn2_at, nb.kn3_at]
    nb.kn_complete = all(t is not None for t in times)
    nb.updated_by, nb.updated_at = principal.subject, datetime.now(UTC)
    uow.session.add(nb)
    if nb.kn_complete and not was_complete:
        last = max(_aware(t) for t in times if t is not None)
        uow.publish(
            NeonatalVisitsCompleted(
                newborn_id=nb.id,
                posyandu_id=nb.posyandu_id,
                desa_code=nb.desa_code,
                born_on=nb.born_on,
                completed_on=last.astimezone(zone).date(),
            ),
            subject=nb.id,
        )
    await kept.recount(uow.session, CODE, nb.posyandu_id, [nb.born_on])
    return nb


def newborn_counts(posyandu_id: str, period: Period) -> Any:
    """SPM bayi baru lahir for one posyandu and period: (newborns born in it with KN1, KN2
    and KN3 in their windows, newborns born in it)."""
    N = Newborn
    return select(
        func.coalesce(func.sum(case((col(N.kn_complete), 1), else_=0)), 0),
        func.count(),
    ).where(
        col(N.posyandu_id) == posyandu_id,
        col(N.born_on).between(period.start, period.end),
    )


# --------------------------------------------------------------------------- reads


async def visible_newborn(session: AsyncSession, principal: Principal, newborn_id: str) -> Newborn:
    return await visible(session, principal, Newborn, newborn_id, "newborn")


async def with_visits(session: AsyncSession, nb: Newborn) -> dict[str, Any]:
    """The newborn with its visits in time order."""
    visits = (
        await session.execute(
            select(NeonatalVisit)
            .where(col(NeonatalVisit.newborn_id) == nb.id)
            .order_by(col(NeonatalVisit.visited_at), col(NeonatalVisit.id))
        )
    ).scalars()
    return {
        **nb.model_dump(),
        "low_birth_weight": low_birth_weight(nb.birth_weight_kg),
        "visits": [
            {**v.model_dump(), "findings": [f for f in v.findings.split(",") if f]} for v in visits
        ],
    }


async def list_newborns(
    session: AsyncSession,
    principal: Principal,
    *,
    posyandu_id: str | None,
    wilayah: str | None,
    born_from: date | None,
    born_to: date | None,
    limit: int,
    offset: int,
) -> list[Newborn]:
    """Newborns of a posyandu or a wilayah inside the caller's scope, newest first."""
    N = Newborn
    query = (
        select(N)
        .where(under(col(N.desa_code), principal.visible_scopes(wilayah)))
        .order_by(col(N.born_at).desc(), col(N.id))
        .limit(limit)
        .offset(offset)
    )
    if posyandu_id:
        query = query.where(col(N.posyandu_id) == posyandu_id)
    if born_from:
        query = query.where(col(N.born_on) >= born_from)
    if born_to:
        query = query.where(col(N.born_on) <= born_to)
    return list((await session.execute(query)).scalars().all())
