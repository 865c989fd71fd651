"""Whose house a disaster damaged: the household a report names (a recorded house and its
household, a No. KK at a posyandu, or an incoming referral's household), as the pseudonym and
place a disaster house keeps. The No. KK itself stays where it was given: a disaster house
keeps its pseudonym only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import RowMapping
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.ops.access import posyandu_for_write, visible_house
from simpul_housing.ops.houses import house_of, households
from simpul_housing.schemas.disaster import DisasterHouseIn
from simpul_platform.auth import Principal
from simpul_platform.domain import RuleViolation
from simpul_platform.pseudonym import household_ref


@dataclass(frozen=True)
class Household:
    """A household at a posyandu's desa, with the house housing recorded for it (if any)."""

    household_ref: str
    posyandu_id: str
    desa_code: str
    house_id: str | None


async def household_of(
    session: AsyncSession,
    principal: Principal,
    body: DisasterHouseIn,
    referral: RowMapping | None,
    *,
    secret: str,
) -> Household:
    """The household the report names, at a posyandu the caller may write to."""
    if referral is not None:
        _only(body, "referral_id", ("house_id", "kk", "posyandu_id"))
        return await _by_ref(session, principal, referral["household_ref"], referral["posyandu_id"])
    if body.house_id is not None:
        _only(body, "house_id", ("posyandu_id",))
        return await _in_house(session, principal, body.house_id, body.kk, secret)
    if body.kk is None or body.posyandu_id is None:
        missing = "kk" if body.kk is None else "posyandu_id"
        raise RuleViolation(
            f"body.{missing}",
            "household_required",
            "Name the house (house_id), the household (kk and posyandu_id), or a referral.",
        )
    return await _by_ref(session, principal, household_ref(secret, body.kk), body.posyandu_id)


def _only(body: DisasterHouseIn, given: str, others: tuple[str, ...]) -> None:
    for name in others:
        if getattr(body, name) is not None:
            raise RuleViolation(
                f"body.{name}", "not_applicable", f"With {given}, {name} is not given."
            )


async def _by_ref(
    session: AsyncSession, principal: Principal, ref: str, posyandu_id: str
) -> Household:
    """A household by pseudonym: at the house housing recorded for it (that house's
    posyandu), else at the posyandu given."""
    house = await house_of(session, ref)
    if house is not None:
        posyandu_id = house.posyandu_id
    posyandu = await posyandu_for_write(session, posyandu_id, principal)
    return Household(ref, posyandu_id, posyandu["desa_code"], house.id if house else None)


async def _in_house(
    session: AsyncSession, principal: Principal, house_id: str, kk: str | None, secret: str
) -> Household:
    """A recorded house's household: the one ``kk`` names, or the only one living there."""
    house = await visible_house(session, principal, house_id)
    posyandu = await posyandu_for_write(session, house.posyandu_id, principal, "body.house_id")
    living = [h.household_ref for h in await households(session, house.id)]
    if kk is not None:
        ref = household_ref(secret, kk)
        if ref not in living:
            raise RuleViolation(
                "body.kk", "household_not_in_house", "No household with this KK lives there."
            )
    elif len(living) == 1:
        ref = living[0]
    else:
        rule = "household_ambiguous" if living else "no_household"
        raise RuleViolation(
            "body.kk",
            rule,
            "Several households live there: name one by its KK."
            if living
            else "No household is recorded in this house: report it by KK and posyandu.",
        )
    return Household(ref, house.posyandu_id, posyandu["desa_code"], house.id)
