"""What a survey batch's writes change beyond its own rows, as the single routes do: the
counts kept per posyandu (``ops.tallies``) and the stunting survey referrals of the surveyed
houses' households (``ops.stunting_followup``). Set-based, so a batch of 1,000 stays a few
statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.models import StuntedHousehold
from simpul_housing.ops import tallies
from simpul_housing.ops.stunting_followup import answer_surveys
from simpul_platform.uow import UnitOfWork


async def after_batch(
    uow: UnitOfWork,
    *,
    houses: Sequence[Mapping[str, Any]],
    households: Sequence[Mapping[str, Any]],
    assessments: Sequence[Mapping[str, Any]],
    latest: Sequence[Mapping[str, Any]],
    known_houses: Mapping[str, Any],
    known_living: Mapping[str, Sequence[str]],
    rule_set: str,
    recorded_on: date,
    actor: str,
) -> None:
    """Drop the counts the batch changed and answer the survey referrals it settles."""
    living: dict[str, list[str]] = defaultdict(list)
    for row in households:
        living[row["house_id"]].append(row["household_ref"])
    for house_id, refs in known_living.items():
        living[house_id].extend(refs)
    posyandu_of = {h["id"]: h["posyandu_id"] for h in houses}
    posyandu_of |= {house_id: h["posyandu_id"] for house_id, h in known_houses.items()}
    since: dict[str, date] = {h["posyandu_id"]: recorded_on for h in houses}
    surveyed: dict[str, date] = {}
    for row in assessments:
        house_id = row["house_id"]
        surveyed[house_id] = min(surveyed.get(house_id, row["surveyed_on"]), row["surveyed_on"])
        _earliest(since, posyandu_of[house_id], row["surveyed_on"])
    stunted_refs = [ref for house_id in surveyed for ref in living[house_id]]
    for ref, posyandu_id in await _stunted_at(uow.session, stunted_refs):
        day = min(surveyed[h] for h in surveyed if ref in living[h])
        _earliest(since, posyandu_id, day)
    for day, ids in _by_day(since).items():
        await tallies.invalidate_many(uow.session, ids, day)
    await _answer(uow, houses, latest, living, rule_set, actor)


async def _answer(
    uow: UnitOfWork,
    houses: Sequence[Mapping[str, Any]],
    latest: Sequence[Mapping[str, Any]],
    living: Mapping[str, Sequence[str]],
    rule_set: str,
    actor: str,
) -> None:
    """Each house whose latest survey the batch wrote answers its households' referrals."""
    answers: dict[str, tuple[bool, date]] = {}
    for row in [*houses, *latest]:
        house_id = row.get("house_id") or row["id"]
        rtlh = bool(row["rtlh_pupr"] if rule_set == "pupr" else row["rtlh_rutilahu"])
        answers |= {ref: (rtlh, row["assessed_on"]) for ref in living.get(house_id, [])}
    await answer_surveys(uow, answers, actor)


async def _stunted_at(session: AsyncSession, refs: Sequence[str]) -> list[tuple[str, str]]:
    if not refs:
        return []
    query = select(col(StuntedHousehold.household_ref), col(StuntedHousehold.posyandu_id)).where(
        col(StuntedHousehold.household_ref).in_(sorted(set(refs)))
    )
    return [(ref, pid) for ref, pid in (await session.execute(query)).all()]


def _earliest(since: dict[str, date], posyandu_id: str, day: date) -> None:
    since[posyandu_id] = min(since.get(posyandu_id, day), day)


def _by_day(since: Mapping[str, date]) -> dict[date, Iterable[str]]:
    grouped: dict[date, list[str]] = defaultdict(list)
    for posyandu_id, day in since.items():
        grouped[day].append(posyandu_id)
    return dict(sorted(grouped.items()))
