"""Public works' stunting reaction applied a chunk at a time (``on_detected_batch``) writes
exactly what it writes one detection at a time, over the real PostgreSQL: the decisions, the
stunted households, the referrals with their steps and the outbox events, for a mixed chunk
(one household detected twice, a replayed event, a served household, an unknown one, none)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from public_works_testkit import RAPAK_LAMBUR, PublicWorks
from reaction_calls import POOR_SURVEY, kader_survey

from simpul_platform.events import Envelope, new_id
from simpul_platform.testing.stunting_paths import both_paths, received
from simpul_public_works.events import StuntingDetected
from simpul_public_works.models import StuntedHousehold
from simpul_public_works.ops.stunting_wash import StuntingWash

pytestmark = pytest.mark.integration
POOR_KK, SAFE_KK, HOUSED_KK, UNKNOWN_KK = (
    "6402061234560001",
    "6402061234560002",
    "6402061234560003",
    "6402069999990009",
)


def detection(pw: PublicWorks, kk: str | None, posyandu_id: str) -> tuple[Any, Envelope]:
    view = StuntingDetected(
        episode_id=new_id(),
        person_ref=new_id(),
        household_ref=None if kk is None else pw.household_ref(kk),
        posyandu_id=posyandu_id,
        desa_code=RAPAK_LAMBUR,
        measured_on=date.today(),
    )
    return received(view)


async def test_a_mixed_chunk_decides_the_same_in_bulk_as_one_by_one(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    await kader_survey(pw, POOR_KK, posyandu, **POOR_SURVEY)
    await kader_survey(pw, SAFE_KK, posyandu)
    await kader_survey(pw, HOUSED_KK, posyandu, litres_per_person_day=None)
    replayed = detection(pw, HOUSED_KK, posyandu)
    kks = (POOR_KK, UNKNOWN_KK, POOR_KK, SAFE_KK, None, HOUSED_KK, UNKNOWN_KK)
    run = [detection(pw, kk, posyandu) for kk in kks]
    run.insert(3, replayed)
    one_by_one, batch = await both_paths(
        pw.app.state.db,
        StuntingWash(pw.settings),
        run,
        decided_before=[replayed],
        stunted=StuntedHousehold.__table__,
    )
    assert batch == one_by_one
    by_event = {row["event_id"]: row["decision"] for row in batch["decisions"]}
    assert [by_event[event.id] for _, event in run] == [
        "referred_wash",
        "referred_unknown",
        "already_open",
        "referred_wash",  # the replayed event: decided before, once
        "served",
        "no_household",
        "already_open",
        "already_open",
    ]
    assert len(batch["referrals"]) == 3 and len(batch["outbox"]) == 3
    assert len(batch["stunted"]) == 4  # the one without a household is not kept
