"""The ``education.stunting-paud`` consumer's handler: health's stunting detections in, a PAUD
referral or a recorded decision out, exactly once per detection event (the platform's
``simpul_platform.stunting`` decides each event once and opens the referral), so a restart or
redelivery never refers a child twice.

A child education does not know (not yet registered here, the census has not reached them)
is still referred: not being known to the field is no sign of being in PAUD, and the referral
is how the field comes to know them. The referral carries the pseudonyms; the kader finds the
child through health's posyandu. It is education's own rule, accepted with the decision as its
case (so it is counted with every other referral): the kader resolves it with
``enrolled_paud`` or another outcome.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.stunting_paud import age_at_detection, decide
from simpul_education.events import StuntingDetected
from simpul_education.models import BkbMembership, Child, PaudEnrolment, StuntingPaudDecision
from simpul_education.ops.paud import in_paud_or_bkb
from simpul_platform.events import Envelope
from simpul_platform.stunting import Referral, StuntingReaction, Verdict
from simpul_platform.stunting_batch import open_about

ACTOR = "system:stunting-paud"
REASON = "paud_not_enrolled"


class StuntingPaud(StuntingReaction[StuntingDetected]):
    """The handler of the ``education.stunting-paud`` consumer (consumers.py)."""

    field = "education"
    actor = ACTOR
    decisions = StuntingPaudDecision

    async def judge(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> Verdict:
        reached = await in_paud_or_bkb(
            session,
            person_ref=data.person_ref,
            household_ref=data.household_ref,
            on=self.day_of(event),
        )
        # An open PAUD referral for the child, from any field or rule.
        is_open = await self.referral_open(session, (REASON,), person_ref=data.person_ref)
        return self.verdict(data, reached, is_open)

    async def judge_many(
        self, session: AsyncSession, run: Sequence[tuple[StuntingDetected, Envelope]]
    ) -> list[Verdict]:
        asks = [(data.person_ref, data.household_ref, self.day_of(event)) for data, event in run]
        reached = await reached_many(session, asks)
        persons = [data.person_ref for data, _ in run]
        opened = await open_about(session, self.field, (REASON,), "person_ref", persons)
        verdicts: list[Verdict] = []
        for (data, _), in_paud in zip(run, reached, strict=True):
            verdict = self.verdict(data, in_paud, data.person_ref in opened)
            if verdict.referral is not None:
                opened.add(data.person_ref)  # the child's next detection finds it open
            verdicts.append(verdict)
        return verdicts

    def verdict(self, data: StuntingDetected, in_paud: bool, is_open: bool) -> Verdict:
        """Education's rule applied, and what the decision writes (both paths)."""
        months = age_at_detection(data.age_days, data.measured_on)
        decision = decide(months, in_paud_or_bkb=in_paud, referral_open=is_open)
        columns = {"age_months": months}
        if decision != "referred":
            return Verdict(decision, columns=columns)
        wanted = Referral(REASON, {"age_months": months}, person_ref=data.person_ref)
        return Verdict(decision, wanted, columns)


async def reached_many(
    session: AsyncSession, asks: Sequence[tuple[str, str | None, date]]
) -> list[bool]:
    """``in_paud_or_bkb`` for many (child, household or None, day) at once, in three queries."""
    persons = sorted({person for person, _, _ in asks})
    query = select(Child.person_ref, Child.id, Child.status, Child.household_ref)
    known = (await session.exec(query.where(col(Child.person_ref).in_(persons)))).all()
    children = {person: (id_, status, household) for person, id_, status, household in known}
    ids = sorted({id_ for id_, _, _ in children.values()})
    years = sorted({on.year for _, _, on in asks})
    enrolments = select(PaudEnrolment.child_id, PaudEnrolment.year).where(
        col(PaudEnrolment.child_id).in_(ids), col(PaudEnrolment.year).in_(years)
    )
    enrolled = set((await session.exec(enrolments)).all()) if ids else set()
    households = {household for _, household, _ in asks if household is not None}
    households |= {household for _, _, household in children.values() if household is not None}
    memberships = sa_select(
        col(BkbMembership.household_ref), col(BkbMembership.joined_on), col(BkbMembership.left_on)
    )
    stays: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    if households:
        rows = memberships.where(col(BkbMembership.household_ref).in_(sorted(households)))
        for household, joined, left in (await session.execute(rows)).all():
            stays[household].append((joined, left))
    reached: list[bool] = []
    for person, household, on in asks:
        child = children.get(person)
        if child is not None:
            id_, status, own = child
            if status == "paud" or (id_, on.year) in enrolled:
                reached.append(True)
                continue
            household = household or own
        in_bkb = household is not None and any(
            joined <= on and (left is None or left > on) for joined, left in stays[household]
        )
        reached.append(in_bkb)
    return reached
