"""A desa's Satlinmas strength: members serving on a day, per squad, and the flags.

**Kept and read.** Every member change recounts its desa into ``linmas_strength`` and publishes
``LinmasStrengthChanged`` when the figures moved. A member also stops serving without any
write, on the birthday that ends service; the kept row cannot see that day come, so the read
(``strengths``) counts again from ``linmas_member`` as of the deployment's date: a GROUP BY
over the members of the scope (a few dozen rows per desa, on the desa index). The kept row and
its event catch up at the desa's next change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import now
from simpul_platform.replica import INACTIVE, posyandu_replica
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import under
from simpul_trantib.domain.linmas import LinmasRules, Strength, born_by, strength
from simpul_trantib.events import LinmasStrengthChanged
from simpul_trantib.models import LinmasMember, LinmasStrength
from simpul_trantib.schemas.linmas import StrengthOut

Member = LinmasMember


def serving_clause(day: date, rules: LinmasRules) -> ColumnElement[bool]:
    """``domain.linmas.serves_on`` as SQL (never NULL, so it negates cleanly)."""
    extended = and_(col(Member.extended_until).is_not(None), col(Member.extended_until) >= day)
    return and_(
        col(Member.appointed_on) <= day,
        or_(col(Member.ended_on).is_(None), col(Member.ended_on) > day),
        or_(col(Member.birth_date) > born_by(day, rules.service_until_age), extended),
    )


async def count(
    session: AsyncSession, rules: LinmasRules, scopes: Sequence[str], day: date
) -> dict[str, Strength]:
    """The strength of every desa under ``scopes`` with a member serving on ``day``."""
    query = (
        select(Member.desa_code, Member.squad, func.count())
        .where(under(col(Member.desa_code), scopes), serving_clause(day, rules))
        .group_by(col(Member.desa_code), col(Member.squad))
    )
    squads: dict[str, list[str]] = defaultdict(list)
    for desa, squad, n in (await session.exec(query)).all():
        squads[desa].extend([squad] * int(n))
    return {desa: strength(found, rules) for desa, found in squads.items()}


async def recount(uow: UnitOfWork, rules: LinmasRules, desa_code: str, today: date) -> None:
    """Count the desa as of today into its kept row; publish the figures when they moved."""
    await uow.session.flush()
    figures = (await count(uow.session, rules, [desa_code], today)).get(desa_code)
    figures = figures or strength([], rules)
    kept = await uow.session.get(LinmasStrength, desa_code)
    if kept is not None and _same(kept, figures):
        return
    if kept is None:
        kept = LinmasStrength(
            desa_code=desa_code,
            members=0,
            under_strength=True,
            counted_on=today,
            updated_at=now(),
        )
        uow.session.add(kept)
    kept.members, kept.by_squad = figures.members, figures.by_squad
    kept.under_strength, kept.empty_squads = figures.under_strength, figures.empty_squads
    kept.counted_on, kept.updated_at = today, now()
    uow.publish(
        LinmasStrengthChanged(
            desa_code=desa_code,
            members=figures.members,
            by_squad=figures.by_squad,
            under_strength=figures.under_strength,
            empty_squads=figures.empty_squads,
            on=today,
        ),
        subject=desa_code,
    )


def _same(kept: LinmasStrength, figures: Strength) -> bool:
    return (kept.members, kept.by_squad, kept.under_strength, kept.empty_squads) == (
        figures.members,
        figures.by_squad,
        figures.under_strength,
        figures.empty_squads,
    )


async def strengths(
    session: AsyncSession,
    rules: LinmasRules,
    scopes: Sequence[str],
    day: date,
    *,
    under_strength: bool | None,
    empty_squad: bool | None,
) -> list[StrengthOut]:
    """Every desa under ``scopes`` that has a member or an active posyandu in the replica,
    counted as of ``day`` (a desa with a posyandu and nobody serving is under strength with
    0)."""
    counted = await count(session, rules, scopes, day)
    desa_query = select(posyandu_replica.c.desa_code).where(
        under(posyandu_replica.c.desa_code, scopes), posyandu_replica.c.status != INACTIVE
    )
    known = set((await session.execute(desa_query.distinct())).scalars())
    members_query = select(Member.desa_code).where(under(col(Member.desa_code), scopes))
    known |= set((await session.exec(members_query.distinct())).all())
    shown = []
    for desa in sorted(known):
        figures = counted.get(desa) or strength([], rules)
        if under_strength is not None and figures.under_strength != under_strength:
            continue
        if empty_squad is not None and bool(figures.empty_squads) != empty_squad:
            continue
        shown.append(StrengthOut(desa_code=desa, counted_on=day, **vars(figures)))
    return shown
