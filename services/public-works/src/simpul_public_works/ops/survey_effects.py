"""What a recorded survey changes beyond its own rows, in one place for the single route and
the batch (and for housing's surveys recorded here): the indicator counts kept per posyandu
(``ops.tallies``), dropped from each household's earliest survey date written, and the open
referrals a household's new latest survey answers (``ops.survey_followup``; an older survey
entered late answers nothing). Set-based: a batch of 1,000 stays a few statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from simpul_platform.uow import UnitOfWork
from simpul_public_works.ops import tallies
from simpul_public_works.ops.survey_followup import after_household_surveys


@dataclass(frozen=True)
class RecordedSurvey:
    """One survey written, as its effects see it (no No. KK: nothing here needs it)."""

    survey_id: str
    household_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    surveyed_on: date
    latest: bool  # it became the household's latest survey
    water_level: str
    sanitation_level: str
    basic_water: bool
    wastewater_service: str | None


async def after_surveys(uow: UnitOfWork, recorded: Sequence[RecordedSurvey], today: date) -> None:
    """Drop the counts the surveys changed (per posyandu, from its earliest survey date) and
    answer the referrals about the households whose latest survey they became."""
    await after_household_surveys(uow, [s for s in recorded if s.latest], today)
    since: dict[str, date] = {}
    for survey in recorded:
        before = since.get(survey.posyandu_id, survey.surveyed_on)
        since[survey.posyandu_id] = min(before, survey.surveyed_on)
    by_day: dict[date, list[str]] = defaultdict(list)
    for posyandu_id, day in since.items():
        by_day[day].append(posyandu_id)
    for day, ids in sorted(by_day.items()):
        await tallies.invalidate_many(uow.session, ids, day)
