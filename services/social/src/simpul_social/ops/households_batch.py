"""Many households registered in one transaction (a kader's census of a posyandu, as the demo
loads it): ``create_household``'s rules, rows and events, with one read of the No. KK already
known, the posyandu once each, one flush per table, one kept-count invalidation per posyandu
and one read of the stunting leads waiting for the new households."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from simpul_platform.auth import Principal
from simpul_platform.clock import local_today
from simpul_platform.errors import Conflict, ProblemError
from simpul_platform.uow import UnitOfWork
from simpul_social.models import Household, Member, StuntingLead
from simpul_social.ops import tallies
from simpul_social.ops.access import posyandu_for_write
from simpul_social.ops.households import (
    check_household,
    flush_or_conflict,
    new_household,
    record_decile,
    rematch,
)
from simpul_social.schemas.households import HouseholdIn
from simpul_social.settings import SocialSettings


async def create_households(
    uow: UnitOfWork, settings: SocialSettings, bodies: Sequence[HouseholdIn], principal: Principal
) -> list[Household | ProblemError]:
    """Stage each household with its members and decile; one ``create_household`` would
    refuse (its posyandu, its body, a No. KK already registered, a member's NIK) is answered
    with that refusal and nothing of it is staged. A member's NIK registered in another
    household refuses the whole call, as it ends the single route's transaction."""
    today = local_today(settings)
    found = await uow.session.exec(
        select(Household.kk, Household.id).where(col(Household.kk).in_({b.kk for b in bodies}))
    )
    known: dict[str, str | None] = dict(found.all())
    places: dict[str, Any] = {}
    results: list[Household | ProblemError] = []
    staged: list[tuple[HouseholdIn, Household, list[Member]]] = []
    for body in bodies:
        try:
            if body.posyandu_id not in places:
                places[body.posyandu_id] = await posyandu_for_write(
                    uow.session, body.posyandu_id, principal
                )
            check_household(body, today)
            _not_known(body.kk, known)
            household, members = new_household(
                settings, body, places[body.posyandu_id], principal.subject, today
            )
        except ProblemError as refusal:
            results.append(refusal)
            continue
        known[body.kk] = household.id
        staged.append((body, household, members))
        results.append(household)
    await _write(uow, settings, staged, principal.subject)
    return results


def _not_known(kk: str, known: dict[str, str | None]) -> None:
    if kk in known:
        raise Conflict(
            f"No. KK is already registered as household {known[kk]}.",
            existing_household_id=known[kk],
        )


async def _write(
    uow: UnitOfWork,
    settings: SocialSettings,
    staged: list[tuple[HouseholdIn, Household, list[Member]]],
    actor: str,
) -> None:
    if not staged:
        return
    uow.session.add_all([household for _, household, _ in staged])
    await flush_or_conflict(uow, "No. KK is already registered (concurrently).")
    uow.session.add_all([member for _, _, members in staged for member in members])
    await flush_or_conflict(uow, "A member's NIK is already registered in another household.")
    assessed = [(body.decile, household) for body, household, _ in staged if body.decile]
    # A household counts under its current decile in every month (``ops.tallies``).
    for posyandu_id in sorted({household.posyandu_id for _, household in assessed}):
        await tallies.invalidate(uow.session, posyandu_id, tallies.ALL_MONTHS)
    for decile, household in assessed:
        record_decile(uow, household, decile, actor)
    await uow.session.flush()
    waiting = await uow.session.exec(
        select(StuntingLead.household_ref).where(
            col(StuntingLead.household_ref).in_({h.household_ref for _, h, _ in staged}),
            StuntingLead.status == "open",
        )
    )
    refs = set(waiting.all())
    for _, household, _ in staged:
        if household.household_ref in refs:
            await rematch(uow, settings, household)  # decided as the single route decides
