"""What housing's own work does to the referrals its stunting reaction opened
(``ops.stunting_rtlh``), so a kader never closes by hand what the record already says:

- a survey of a house answers the survey referral (``stunting_house_unsurveyed``) of each
  household living there: resolved ``surveyed_rlh`` when the house is livable under the rule
  set Perkim decides by, ``rtlh_listed`` when it is not (the house is then on the RTLH list,
  and a stunted child's household is prioritised there: ``stunted``);
- an RTLH case opened for a house takes over the prioritised referral (``stunting_rtlh``) of
  its households: the case becomes the referral's, so the case's end resolves it
  (``ops.rtlh_referrals.resolve_linked``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Select, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.models import StuntedHousehold
from simpul_platform.clock import now
from simpul_platform.referrals.rows import Step, take
from simpul_platform.referrals.tables import referral
from simpul_platform.uow import UnitOfWork

FIELD = "housing"
OPEN = ("requested", "accepted")
SURVEY_REASON = "stunting_house_unsurveyed"
RTLH_REASON = "stunting_rtlh"


def _open(reason: str, households: Collection[str]) -> Select[Any]:
    return (
        select(referral)
        .where(
            referral.c.direction == "incoming",
            referral.c.target_field == FIELD,
            referral.c.reason_code == reason,
            referral.c.household_ref.in_(sorted(households)),
            referral.c.status.in_(OPEN),
        )
        .order_by(referral.c.id)
        .with_for_update()
    )


async def answer_surveys(
    uow: UnitOfWork, answers: Mapping[str, tuple[bool, date]], actor: str
) -> list[str]:
    """Resolve the open survey referrals of surveyed houses' households: ``answers`` maps a
    household to whether its house is RTLH and the survey's date. Returns those resolved."""
    if not answers:
        return []
    rows = list((await uow.session.execute(_open(SURVEY_REASON, answers))).mappings())
    for row in rows:
        rtlh, on = answers[row["household_ref"]]
        day = max(on, row["requested_on"])
        if row["status"] == "requested":
            await take(uow, FIELD, row, Step("accept", actor, day))
            row = {**row, "status": "accepted"}  # type: ignore[assignment]
        outcome = "rtlh_listed" if rtlh else "surveyed_rlh"
        await take(uow, FIELD, row, Step("resolve", actor, day, outcome))
    return [str(r["id"]) for r in rows]


async def hand_to_case(session: AsyncSession, households: Collection[str], case_id: str) -> None:
    """The prioritised stunting referrals of these households become the RTLH case's."""
    if not households:
        return
    await session.execute(
        update(referral)
        .where(
            referral.c.direction == "incoming",
            referral.c.target_field == FIELD,
            referral.c.reason_code == RTLH_REASON,
            referral.c.household_ref.in_(sorted(households)),
            referral.c.status.in_(OPEN),
        )
        .values(case_ref=case_id, updated_at=now())
    )


async def stunted(session: AsyncSession, households: Collection[str]) -> bool:
    """Whether a child of any of these households was found stunted."""
    if not households:
        return False
    query = select(col(StuntedHousehold.household_ref)).where(
        col(StuntedHousehold.household_ref).in_(sorted(households))
    )
    return (await session.execute(query.limit(1))).first() is not None
