"""Calls the ATS tests share: the children they open cases for, opening a case, taking a step,
a child's status history, and a case taken as far as its re-entry referral."""

from __future__ import annotations

from typing import Any

from education_testkit import Education

BOY = "6402061005140001"  # L, 2014-05-10: 11 in March 2026
GIRL = "6402066008130002"  # P, 2013-08-20: 12 in March 2026
SMALL = "6402060106200003"  # L, 2020-06-01: 5 in March 2026
SIBLING = "6402061511120004"  # L, 2012-11-15: 13 in March 2026
CASES = "/v1/ats-cases"


async def post(education: Education, url: str, body: dict[str, Any], **kw: Any) -> Any:
    return await education.client.post(url, json=body, headers=kw.get("headers", education.opd))


async def opened(education: Education, child_id: str, on: str = "2026-03-02") -> dict[str, Any]:
    response = await post(
        education, CASES, {"child_id": child_id, "source": "kader_census", "detected_on": on}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def step(
    education: Education, case_id: str, action: str, body: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    response = await post(education, f"{CASES}/{case_id}/{action}", body)
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()
    return data


def statuses(child: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A child's status history as (status, date, source), oldest first."""
    return [(h["status"], h["on"], h["source"]) for h in child["history"]]


async def history_of(education: Education, child_id: str) -> list[tuple[str, str, str]]:
    got = await education.client.get(f"/v1/children/{child_id}", headers=education.opd)
    assert got.status_code == 200, got.text
    return statuses(got.json())


async def referred(education: Education, child_id: str, path: str = "ppdb") -> dict[str, Any]:
    case = await opened(education, child_id)
    await step(
        education, case["id"], "classify", {"category": "bpb", "classified_on": "2026-03-03"}
    )
    verify = {"reason_code": "biaya", "problem_domain": "lainnya", "verified_on": "2026-03-04"}
    await step(education, case["id"], "verify", verify)
    return await step(education, case["id"], "refer", {"path": path, "referred_on": "2026-03-05"})
