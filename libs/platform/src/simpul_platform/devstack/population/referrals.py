"""Referrals between the demo's fields (rujukan lintas bidang, DESIGN.md "Referrals"): who is
referred, when, and how the target answers, deterministic from a seed like the rest of the
population. The demo loaders run once each, health's and social's side by side once the
registry's has finished (``demo_after`` in ``deploy/services.toml``), and a request reaches its
target only through Kafka, so:

- **health → social**: health's loader, once its own data is in, sends ``referrals_to_social``
  (households of demo balita needing a DTSEN assessment or bansos) through the platform's
  ``referrals.ops.request``, as health's kader would. Social's loader, once its own data is
  in, computes the same plan to know how many to expect, waits (bounded) until that many have
  reached its incoming table through its consumer (``wait_for_requests``), and answers them
  with ``answer_requests``: accepted, rejected, resolved on time or late, or left requested.
- **social → health**: social's loader sends ``referrals_to_health`` (lansia not screened,
  pregnancies without ANC, balita not weighed). Health's follow-up step (``python -m
  simpul_health.demo --followup``, which the start command runs once every loader has
  finished: ``demo_followup`` in ``deploy/services.toml``) computes the same plan, waits for it
  the same way and answers it with the same mix. Each side's copies of its outgoing referrals
  follow the other's answers through Kafka.

A stack started without health (``./simpul up --only ...``) has no health referrals to wait
for: social's loader then stops with ``wait_for_requests``' error after ``WAIT_S``.

Requests are dated over the last two months (one in five in the last three days, so not yet
due); each step's date lies between the request and today, a resolution on time on or before
the due date and a late one after it.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select

from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.devstack.population.people import DemoAdult, DemoChild
from simpul_platform.outbox import Outbox
from simpul_platform.referrals import ops
from simpul_platform.referrals.catalogue import REJECTIONS
from simpul_platform.referrals.schemas import AcceptIn, ReferralIn, RejectIn, ResolveIn
from simpul_platform.referrals.tables import referral
from simpul_platform.settings import ServiceSettings
from simpul_platform.uow import UnitOfWork

# A few referrals each way per ten active posyandu: ~240 each way in Kukar's 827.
PER_TEN_POSYANDU = 3
TO_SOCIAL_SEED, TO_HEALTH_SEED, ANSWER_SEED = 2325, 2326, 2327
RECENT_EVERY = 5  # one request in five from the last 3 days: not yet due
OLDEST_DAYS = 60
# How long a target's loader waits for its source's requests to arrive: the source's loader,
# running beside it, may still be loading its own data.
WAIT_S = 900.0

Kind = Literal["requested", "accepted", "rejected", "resolved_on_time", "resolved_late"]
# Of those past their due date: accepted and left requested are overdue.
PAST_DUE: tuple[Kind, ...] = (
    "accepted",
    "rejected",
    "resolved_on_time",
    "resolved_late",
    "requested",
)
NOT_YET_DUE: tuple[Kind, ...] = ("requested", "accepted", "resolved_on_time", "rejected")
OUTCOMES: dict[str, tuple[str, ...]] = {
    "dtsen_assessment": ("assessed",),
    "bansos_need": ("bansos_granted", "bansos_granted", "not_eligible"),
    "lansia_not_screened": ("screened", "screened", "referred_to_puskesmas"),
    "pregnancy_without_anc": ("anc_started",),
    "child_not_weighed": ("weighed", "weighed", "not_found"),
}
PROGRAMS = ("pkh", "sembako", "pbi_jk", "blt_desa")


def how_many(active_posyandu: int, per_ten: int, candidates: int) -> int:
    """``per_ten`` per ten active posyandu (rounded up), no more than there are candidates."""
    return min(candidates, math.ceil(active_posyandu * per_ten / 10))


def _requested_on(index: int, rng: random.Random, today: date) -> date:
    recent = index % RECENT_EVERY == 0
    return today - timedelta(days=rng.randint(0, 3) if recent else rng.randint(10, OLDEST_DAYS))


def referrals_to_social(
    children: Sequence[DemoChild],
    active: Collection[str],
    today: date,
    *,
    per_ten_posyandu: int = PER_TEN_POSYANDU,
    seed: int = TO_SOCIAL_SEED,
) -> list[ReferralIn]:
    """What health's kader refer to social: households (No. KK) of balita at the ``active``
    posyandu, for a DTSEN assessment or bansos (more often bansos when the child is stunted)."""
    rng = random.Random(seed)
    candidates = [c for c in children if c.target["posyandu_id"] in active]
    chosen = rng.sample(candidates, how_many(len(active), per_ten_posyandu, len(candidates)))
    out = []
    for index, child in enumerate(chosen):
        requested_on = _requested_on(index, rng, today)
        draw, program = rng.random(), rng.choice(PROGRAMS)
        bansos = draw < (0.8 if child.haz < -2 else 0.4)
        out.append(
            ReferralIn(
                target_field="social",
                posyandu_id=child.target["posyandu_id"],
                reason_code="bansos_need" if bansos else "dtsen_assessment",
                no_kk=child.target["kk"],
                details={"program": program} if bansos else {},
                requested_on=requested_on,
                note="Keluarga balita perlu bantuan" if bansos else "Keluarga belum terdata DTSEN",
            )
        )
    return out


def referrals_to_health(
    adults: Sequence[DemoAdult],
    children: Sequence[DemoChild],
    active: Collection[str],
    today: date,
    *,
    per_ten_posyandu: int = PER_TEN_POSYANDU,
    seed: int = TO_HEALTH_SEED,
) -> list[ReferralIn]:
    """What social's kader refer to health, in turn: lansia not screened in six months,
    pregnant women (with their weeks of pregnancy) and balita, all at the ``active`` posyandu."""
    rng = random.Random(seed)
    here = [a for a in adults if a.target["posyandu_id"] in active]
    lansia = [
        a for a in here if _age(a.target["birth_date"], today) >= 60 and _unscreened(a, today)
    ]
    pregnant = [a for a in here if a.pregnancy and a.pregnancy["delivered_on"] is None]
    balita = [c.target for c in children if c.target["posyandu_id"] in active]
    pools = [[a.target for a in lansia], [a.target for a in pregnant], balita]
    for pool in pools:
        rng.shuffle(pool)
    total = sum(map(len, pools))
    plans = {a.target["id"]: a for a in here}
    out = []
    for index in range(how_many(len(active), per_ten_posyandu, total)):
        reason, person = _next_person(pools, index)
        requested_on = _requested_on(index, rng, today)
        details: dict[str, str | int] = {}
        if reason == "lansia_not_screened":
            before = [s["screened_on"] for s in plans[person["id"]].screenings]
            if before:
                details["last_screened_on"] = max(before).isoformat()
        elif reason == "pregnancy_without_anc":
            pregnancy = plans[person["id"]].pregnancy
            assert pregnancy is not None
            weeks = (requested_on - pregnancy["lmp"]).days // 7
            details["gestational_weeks"] = max(1, min(45, weeks))
        out.append(
            ReferralIn(
                target_field="health",
                posyandu_id=person["posyandu_id"],
                reason_code=reason,
                nik=person["nik"],
                details=details,
                requested_on=requested_on,
                note="Ditemukan saat pendataan keluarga",
            )
        )
    return out


_REASONS = ("lansia_not_screened", "pregnancy_without_anc", "child_not_weighed")


def _next_person(pools: list[list[dict[str, Any]]], index: int) -> tuple[str, dict[str, Any]]:
    """The next person of the reasons in turn, skipping a reason whose people are all referred."""
    for step in range(len(pools)):
        which = (index + step) % len(pools)
        if pools[which]:
            return _REASONS[which], pools[which].pop()
    raise ValueError("no one left to refer")  # how_many caps the count at the candidates


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _unscreened(adult: DemoAdult, today: date) -> bool:
    return all(s["screened_on"] < today - timedelta(days=182) for s in adult.screenings)


SEND_BATCH = 200

# --- the source -------------------------------------------------------------------------


async def send_referrals(
    db: Database,
    settings: ServiceSettings,
    field: str,
    bodies: Sequence[ReferralIn],
    principal: Principal,
) -> int:
    """Send them as a posyandu's batch would (``request_many``: each checked against the
    target's catalogue, one open per need, announced by the outbox), ``SEND_BATCH`` a
    transaction: one commit each was a wait for the database beside every other loader."""
    outbox = Outbox(settings)
    for start in range(0, len(bodies), SEND_BATCH):
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            await ops.request_many(
                uow, settings, field, bodies[start : start + SEND_BATCH], principal
            )
            await uow.commit()
    return len(bodies)


# --- the target -------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrived:
    """An incoming referral as the target's loader finds it."""

    id: str
    reason_code: str
    requested_on: date
    due_on: date
    person_ref: str | None
    household_ref: str | None


@dataclass(frozen=True)
class Answer:
    referral_id: str
    kind: Kind
    steps: tuple[AcceptIn | RejectIn | ResolveIn, ...]


def answers_for(
    arrived: Sequence[Arrived], today: date, *, seed: int = ANSWER_SEED
) -> list[Answer]:
    """The target's answers, in the order of the requests: those past their due date in turn
    accepted (overdue), rejected, resolved on time, resolved late, left requested (overdue);
    those not yet due left requested, accepted, resolved or rejected."""
    rng = random.Random(seed)
    ordered = sorted(
        arrived,
        key=lambda a: (a.requested_on, a.reason_code, a.person_ref or "", a.household_ref or ""),
    )
    past = fresh = 0
    out = []
    for one in ordered:
        if one.due_on < today:
            kind, past = PAST_DUE[past % len(PAST_DUE)], past + 1
        else:
            kind, fresh = NOT_YET_DUE[fresh % len(NOT_YET_DUE)], fresh + 1
        out.append(Answer(one.id, kind, _steps(kind, one, today, rng)))
    return out


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _steps(
    kind: Kind, one: Arrived, today: date, rng: random.Random
) -> tuple[AcceptIn | RejectIn | ResolveIn, ...]:
    by = min(one.due_on, today)  # the last day a step is still on time
    outcome = rng.choice(OUTCOMES.get(one.reason_code, ("not_found",)))
    if kind == "requested":
        return ()
    if kind == "accepted":
        return (AcceptIn(accepted_on=_between(rng, one.requested_on, by)),)
    if kind == "rejected":
        code = rng.choice([r.code for r in REJECTIONS])
        return (RejectIn(rejection_code=code, rejected_on=_between(rng, one.requested_on, by)),)
    if kind == "resolved_on_time":
        resolved = _between(rng, one.requested_on, by)
        accepted = _between(rng, one.requested_on, resolved)
        resolve = ResolveIn(outcome_code=outcome, resolved_on=resolved)
        # Most are accepted first; a need met at once is resolved straight from requested.
        if rng.random() < 0.7:
            return AcceptIn(accepted_on=accepted), resolve
        return (resolve,)
    accepted = _between(rng, one.requested_on, one.due_on)
    resolved = _between(rng, one.due_on + timedelta(days=1), today)
    return AcceptIn(accepted_on=accepted), ResolveIn(outcome_code=outcome, resolved_on=resolved)


def _from(source: str) -> list[ColumnElement[bool]]:
    return [
        referral.c.direction == "incoming",
        referral.c.source_field == source,
        referral.c.automatic.is_(False),
    ]


async def wait_for_requests(
    db: Database, source: str, expected: int, *, timeout_s: float = WAIT_S
) -> None:
    """Until ``expected`` requests from ``source`` have reached this field's incoming table (its
    consumer makes them from the source's events), at most ``timeout_s``."""
    query = select(func.count()).select_from(referral).where(*_from(source))
    deadline = time.monotonic() + timeout_s
    while True:
        async with db.sessions() as session:
            arrived = int((await session.execute(query)).scalar_one())
        if arrived >= expected:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{arrived} of the {expected} demo referrals from {source} arrived within "
                f"{timeout_s:.0f} s: is {source}'s demo loaded and its outbox relay publishing?"
            )
        await asyncio.sleep(1.0)


async def answer_requests(
    db: Database,
    settings: ServiceSettings,
    field: str,
    source: str,
    principal: Principal,
    today: date,
) -> dict[Kind, int]:
    """Answer the requests from ``source`` still ``requested`` here (``answers_for``), each in
    its own transaction through ``referrals.ops.answer``; how many of each kind. Once any of
    them is answered, nothing is: a second run (the demo started again over its data) keeps
    the first run's mix, the ones it left requested too."""
    query = select(referral).where(*_from(source), referral.c.status == "requested")
    answered = select(func.count()).select_from(referral)
    answered = answered.where(*_from(source), referral.c.status != "requested")
    async with db.sessions() as session:
        if (await session.execute(answered)).scalar_one():
            return dict.fromkeys(PAST_DUE, 0)
        rows = (await session.execute(query)).mappings().all()
    arrived = [
        Arrived(**{name: row[name] for name in Arrived.__dataclass_fields__}) for row in rows
    ]
    outbox, counts = Outbox(settings), dict.fromkeys(PAST_DUE, 0)
    for answer in answers_for(arrived, today):
        counts[answer.kind] += 1
        if not answer.steps:
            continue
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            for step in answer.steps:
                await ops.answer(uow, settings, field, answer.referral_id, step, principal)
            await uow.commit()
    return counts
