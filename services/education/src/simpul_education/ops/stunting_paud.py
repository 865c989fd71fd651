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

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.stunting_paud import age_at_detection, decide
from simpul_education.events import StuntingDetected
from simpul_education.models import StuntingPaudDecision
from simpul_education.ops.paud import in_paud_or_bkb
from simpul_platform.events import Envelope
from simpul_platform.stunting import Referral, StuntingReaction, Verdict

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
        months = age_at_detection(data.age_days, data.measured_on)
        decision = decide(
            months,
            in_paud_or_bkb=await in_paud_or_bkb(
                session,
                person_ref=data.person_ref,
                household_ref=data.household_ref,
                on=self.day_of(event),
            ),
            # An open PAUD referral for the child, from any field or rule.
            referral_open=await self.referral_open(session, (REASON,), person_ref=data.person_ref),
        )
        columns = {"age_months": months}
        if decision != "referred":
            return Verdict(decision, columns=columns)
        wanted = Referral(REASON, {"age_months": months}, person_ref=data.person_ref)
        return Verdict(decision, wanted, columns)
