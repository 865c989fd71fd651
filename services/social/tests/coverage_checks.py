"""Helpers of the kept-coverage tests: the kept counts (``aggregates.kept_coverage``, what
/v1/indicators reads) against a full recount (``aggregates.coverage``, the per-request
statement that was the endpoint's before the counts were kept), and shortcuts for writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from social_testkit import Social

from simpul_platform.db import Database
from simpul_platform.indicators import IndicatorValue, Period
from simpul_social.ops import aggregates
from simpul_social.ops.aggregates import Scope

PERIODS = ("2025-11", "2025-12", "2025-Q4", "2025", "2026-01", "2026-08", "2026-Q3", "2026")
Counts = dict[str, tuple[int, int]]


def _counts(values: Iterable[IndicatorValue]) -> Counts:
    return {v.code: (v.numerator, v.denominator) for v in values}


async def kept(db: Database, scope: Scope, label: str) -> Counts:
    async with db.sessions() as session:
        return _counts(await aggregates.kept_coverage(session, scope, Period.parse(label)))


async def recounted(db: Database, scope: Scope, label: str) -> Counts:
    async with db.sessions() as session:
        await aggregates.tune(session, scope)
        return _counts(await aggregates.coverage(session, scope, Period.parse(label)))


async def same_as_recount(
    db: Database, scopes: Iterable[Scope], periods: Iterable[str] = PERIODS
) -> dict[tuple[Scope, str], Counts]:
    """Every scope's and period's kept coverage, each checked equal to a full recount (codes
    in the same order too)."""
    out = {}
    for scope in scopes:
        for label in periods:
            got = await kept(db, scope, label)
            expected = await recounted(db, scope, label)
            assert list(got.items()) == list(expected.items()), (scope, label)
            out[scope, label] = got
    return out


async def endpoint(social: Social, **params: str) -> Counts:
    """/v1/indicators' coverage values, as DPMD reads them."""
    response = await social.client.get("/v1/indicators", params=params, headers=social.dpmd)
    assert response.status_code == 200, response.text
    return {
        v["code"]: (v["numerator"], v["denominator"])
        for v in response.json()
        if v["code"].startswith("social.bansos.coverage.")
    }


async def give(social: Social, household_id: str, program: str, period: str, day: str) -> None:
    body = {
        "household_id": household_id,
        "program_code": program,
        "period": period,
        "amount_idr": 150000,
        "distributed_on": day,
    }
    response = await social.client.post("/v1/distributions", json=body, headers=social.opd)
    assert response.status_code == 201, response.text


async def assess(social: Social, household_id: str, decile: int, on: str) -> None:
    body = {"decile": decile, "source": "DTSEN", "assessed_on": on}
    url = f"/v1/households/{household_id}/assessments"
    response = await social.client.post(url, json=body, headers=social.opd)
    assert response.status_code == 201, response.text


def any_of(counts: Counts) -> tuple[int, int]:
    return counts["social.bansos.coverage.any"]


def code(program: str) -> str:
    return f"social.bansos.coverage.{program}"


def kk(n: int, desa: str = "640206") -> str:
    return f"{desa}{n:010d}"


def ids(households: Iterable[dict[str, Any]]) -> list[str]:
    return [h["id"] for h in households]
