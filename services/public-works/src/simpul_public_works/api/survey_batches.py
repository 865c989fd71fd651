"""A survey team's batch of household water and sanitation surveys, with a result per item.

At ``/v1/wash-survey-batches``, beside the single route ``/v1/wash-surveys``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_platform.uow import UnitOfWorkDep
from simpul_public_works.api.deps import SettingsDep, Today, Writer
from simpul_public_works.ops import commit
from simpul_public_works.ops import survey_batch as ops
from simpul_public_works.schemas.batches import SurveyBatchIn, SurveyBatchOut

router = APIRouter(tags=["wash surveys"])


@router.post(
    "/v1/wash-survey-batches", response_model=SurveyBatchOut, operation_id="recordWashSurveyBatch"
)
async def record_wash_survey_batch(
    body: SurveyBatchIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """Record a survey team's household surveys (≤ 1,000, each the single route's body: No. KK,
    posyandu, survey), each placed on both ladders: a result per item, in order (created,
    recorded, unchanged, or error with the field and rule), and the counts. A bad item never
    stops the good ones; the same batch sent again writes nothing (every item ``unchanged``;
    with the same ``Idempotency-Key``, the first answer)."""
    result = await ops.record_batch(uow, principal, body.items, settings=settings, today=today)
    await commit(uow, ops.CONCURRENT)
    return result
