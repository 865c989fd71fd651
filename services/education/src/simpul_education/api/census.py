"""A kader's census of one posyandu's children in one request, with a result per item.

At ``/v1/census``, not under ``/v1/children/``: there ``/v1/children/{child_id}`` would match
it too (a GET of ``/v1/children/census`` is a child lookup), so its ``Allow`` would list GET."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_education.api.deps import SettingsDep, Today, Writer
from simpul_education.ops import census as ops
from simpul_education.ops import commit
from simpul_education.schemas.census import CensusIn, CensusOut
from simpul_platform.uow import UnitOfWorkDep

router = APIRouter(tags=["children"])


@router.post("/v1/census", response_model=CensusOut, operation_id="takeChildrenCensus")
async def take_census(
    body: CensusIn, uow: UnitOfWorkDep, principal: Writer, settings: SettingsDep, today: Today
) -> Any:
    """Register and update a posyandu's children (≤ 1,000) as a kader found them on the census
    date: a result per item, in order (created, status_recorded, unchanged, or error with the
    field and rule), and the counts. A bad item never stops the good ones; the same census sent
    again creates and records nothing (every item ``unchanged``). A child known at another
    posyandu is an error ``other_posyandu`` (a census does not move children). A child 7–18
    the census finds out of school, with no open ATS case, gets one (the item's
    ``ats_case_id``)."""
    result = await ops.take_census(uow, principal, body, settings=settings, today=today)
    await commit(uow, ops.CONCURRENT)
    return result
