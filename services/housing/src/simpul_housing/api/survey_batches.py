"""A survey team's batch of house surveys, with a result per item.

At ``/v1/survey-batches``, not under ``/v1/houses/``: there ``/v1/houses/{house_id}`` would
match it too."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_housing.api.deps import SettingsDep, Today, Writer
from simpul_housing.ops import commit
from simpul_housing.ops import survey_batch as ops
from simpul_housing.schemas.batch import SurveyBatchIn, SurveyBatchOut
from simpul_platform.uow import UnitOfWorkDep

router = APIRouter(tags=["assessments"])


@router.post("/v1/survey-batches", response_model=SurveyBatchOut, operation_id="recordSurveyBatch")
async def record_survey_batch(
    body: SurveyBatchIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """Record a survey team's house surveys (≤ 1,000), each on a recorded house (``house_id``)
    or a new one (``house`` with its households), classified under Permen PUPR 29/2018 and
    Permensos 20/2017: a result per item, in order (created, assessed, unchanged, or error with
    the field and rule), and the counts. A bad item never stops the good ones; the same batch
    sent again writes nothing (every item ``unchanged``)."""
    result = await ops.record_batch(uow, principal, body.items, settings=settings, today=today)
    await commit(uow, ops.CONCURRENT)
    return result
