"""The ATS part of education's ``/v1/summary`` over the real database: the cases open now by
status and overdue against hand counts, for one posyandu and for a wilayah, and one posyandu's
longest waiting cases listed with their due dates, bounded, without a child's identity."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from education_testkit import MANGKURAWANG, TENGGARONG, Education

from simpul_education.ops import ats_aggregates
from simpul_platform.clock import local_today
from simpul_platform.workdays import due_after

pytestmark = pytest.mark.integration
CASES = "/v1/ats-cases"
# Children 7–18 in 2026 (NIK: day, +40 for girls; month; year), at the posyandu in Rapak Lambur.
HERE = [
    "6402061005140021",
    "6402066008130022",
    "6402061511120023",
    "6402060101110024",
    "6402060303110025",
    "6402064404140026",
    "6402060505120027",
]
THERE = "6402060202100028"  # at Mangkurawang's posyandu


async def post(education: Education, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await education.client.post(url, json=body, headers=education.opd)
    assert response.status_code in (200, 201), response.text
    data: dict[str, Any] = response.json()
    return data


async def case_for(education: Education, posyandu_id: str, nik: str, on: date) -> str:
    child = await education.child(posyandu_id, nik)
    body = {"child_id": child["id"], "source": "kader_census", "detected_on": on.isoformat()}
    return str((await post(education, CASES, body))["id"])


async def steps(education: Education, case_id: str, *taken: tuple[str, dict[str, Any]]) -> None:
    for action, body in taken:
        await post(education, f"{CASES}/{case_id}/{action}", body)


async def summary(education: Education, **scope: str) -> dict[str, Any]:
    response = await education.client.get(
        "/v1/summary", headers=education.dpmd, params={"period": "2026-03", **scope}
    )
    assert response.status_code == 200, response.text
    assert "6402061005140021" not in response.text and "Anak" not in response.text
    cases: dict[str, Any] = response.json()["ats_cases"]
    return cases


def brief(
    case_id: str, status: str, detected_on: date, due_on: date | None, *, overdue: bool
) -> dict[str, Any]:
    """An open case as the summary lists it: the case's ids and dates, nothing of the child."""
    return {
        "case_id": case_id,
        "status": status,
        "detected_on": detected_on.isoformat(),
        "due_on": due_on.isoformat() if due_on else None,
        "overdue": overdue,
    }


CLASSIFY = ("classify", {"category": "bpb", "classified_on": "2026-01-12"})
VERIFY = (
    "verify",
    {"reason_code": "biaya", "problem_domain": "lainnya", "verified_on": "2026-01-13"},
)
REFER = ("refer", {"path": "ppdb", "referred_on": "2026-01-14"})


async def test_open_cases_by_status_and_overdue_equal_hand_counts(
    education: Education, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = await education.known_posyandu()
    there = await education.known_posyandu(MANGKURAWANG)
    today = local_today(education.settings)
    days = [date(2026, 1, 5 + n) for n in range(4)] + [today] + [date(2026, 1, 9)] * 2
    a, b, c, d, e, f, g = [
        await case_for(education, here, nik, on) for nik, on in zip(HERE, days, strict=True)
    ]
    await steps(education, b, CLASSIFY)  # classified, past due: overdue
    await steps(education, c, CLASSIFY, VERIFY)  # verified: nothing due
    await steps(education, d, CLASSIFY, VERIFY, REFER)
    enrol = {"status": "sd", "kelas": 1, "unit_name": "SDN 1", "on": "2026-02-02"}
    await steps(education, f, CLASSIFY, VERIFY, REFER, ("enroll", enrol))  # ended
    await steps(education, g, ("close", {"reason": "pesantren", "closed_on": "2026-01-10"}))
    far = await case_for(education, there, THERE, date(2026, 1, 5))  # elsewhere, overdue

    def due(on: date) -> date:
        settings = education.settings
        return due_after(settings, on, settings.ats_verify_due_working_days)

    posyandu = await summary(education, posyandu_id=here)
    assert posyandu["open"] == 5  # a, b, c, d, e (f enrolled, g closed)
    assert posyandu["by_status"] == {"detected": 2, "classified": 1, "verified": 1, "referred": 1}
    assert posyandu["overdue"] == 2  # a and b, not verified by January's due dates
    assert posyandu["open_cases"] == [
        brief(a, "detected", days[0], due(days[0]), overdue=True),
        brief(b, "classified", days[1], due(days[1]), overdue=True),
        brief(c, "verified", days[2], None, overdue=False),  # verified: nothing due now
        brief(d, "referred", days[3], None, overdue=False),
        brief(e, "detected", today, due(today), overdue=False),
    ]

    wilayah = await summary(education, wilayah=TENGGARONG)
    assert (wilayah["open"], wilayah["overdue"]) == (6, 3)
    assert wilayah["by_status"] == {"detected": 3, "classified": 1, "verified": 1, "referred": 1}
    assert wilayah["open_cases"] == []  # a wilayah's are counted, not listed
    elsewhere = await summary(education, posyandu_id=there)
    assert elsewhere["open_cases"] == [
        brief(far, "detected", date(2026, 1, 5), due(date(2026, 1, 5)), overdue=True)
    ]

    monkeypatch.setattr(ats_aggregates, "OPEN_CASES_LISTED", 3)
    bounded = await summary(education, posyandu_id=here)
    assert bounded["open"] == 5  # the total stays whole
    assert [x["case_id"] for x in bounded["open_cases"]] == [a, b, c]  # the longest waiting


async def test_a_posyandu_without_cases_has_an_empty_part(education: Education) -> None:
    here = await education.known_posyandu()
    assert await summary(education, posyandu_id=here) == {
        "open": 0,
        "by_status": {"detected": 0, "classified": 0, "verified": 0, "referred": 0},
        "overdue": 0,
        "open_cases": [],
    }
