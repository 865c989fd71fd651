"""A kader's census detects, over the real database and broker: a child of school age given
``out_of_school`` (by a census or by the single status route) with no open ATS case gets one,
detected on the status date, announced once; a child of 6 or 19 gets none, nor does a child
whose case is open, nor a census sent again; a case opened by hand stays the only one."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from education_testkit import Education
from sqlalchemy import select

from simpul_education.api.deps import _today
from simpul_education.models import AtsCase, AtsCaseHistory
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.workdays import due_after

pytestmark = pytest.mark.integration
KK = "6402061234560007"
CENSUS_ON = "2026-01-10"
OUT: dict[str, Any] = {"status": "out_of_school"}
OPENED = "education.ats.opened.v1"


def nik(serial: int, born: str, *, girl: bool = False) -> str:
    year, month, day = born.split("-")
    return f"640206{int(day) + 40 * girl:02d}{month}{year[2:]}{serial:04d}"


def item(number: str, born: str, **given: Any) -> dict[str, Any]:
    girl = int(number[6:8]) > 40
    return {
        "nik": number,
        "kk": KK,
        "name": f"Anak {number[-4:]}",
        "sex": "P" if girl else "L",
        "birth_date": born,
        **given,
    }


def on_day(education: Education, day: str) -> None:
    """The deployment's date for the next requests: the ages the NIK check judges by."""
    education.app.dependency_overrides[_today] = lambda: date.fromisoformat(day)


async def census(education: Education, posyandu_id: str, items: list[Any]) -> dict[str, Any]:
    body = {"posyandu_id": posyandu_id, "on": CENSUS_ON, "items": items}
    response = await education.client.post("/v1/census", json=body, headers=education.kader)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def status(education: Education, child_id: str, **body: Any) -> dict[str, Any]:
    response = await education.client.post(
        f"/v1/children/{child_id}/status", json=body, headers=education.kader
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def cases(education: Education) -> dict[str, AtsCase]:
    """Every ATS case by its child."""
    async with education.app.state.db.sessions() as session:
        found = (await session.execute(select(AtsCase))).scalars().all()
    by_child = {case.child_id: case for case in found}
    assert len(by_child) == len(found), "a child with two cases"
    return by_child


async def detect_steps(education: Education) -> list[tuple[str, str, dict[str, Any]]]:
    async with education.app.state.db.sessions() as session:
        rows = (await session.execute(select(AtsCaseHistory))).scalars().all()
    return [(row.case_id, row.action, row.codes) for row in rows]


async def history(education: Education, child_id: str) -> list[tuple[str, str, str]]:
    got = await education.client.get(f"/v1/children/{child_id}", headers=education.kader)
    return [(h["status"], h["on"], h["source"]) for h in got.json()["history"]]


async def test_a_census_opens_a_case_for_each_child_of_school_age_found_out_of_school(
    education: Education,
) -> None:
    on_day(education, CENSUS_ON)
    posyandu_id = await education.known_posyandu()
    # Known already: one at SD to be found out of school; one whose case (opened by hand, dated
    # before her SD status, which therefore stays) is open when the census finds her out.
    leaving = await education.child(posyandu_id, nik(5, "2015-03-03"))
    await status(education, leaving["id"], status="sd", kelas=4, source="school", on="2025-07-14")
    worked = await education.child(posyandu_id, nik(6, "2014-04-04", girl=True))
    await status(education, worked["id"], status="sd", kelas=6, source="school", on="2026-01-05")
    by_hand = await education.client.post(
        "/v1/ats-cases",
        json={"child_id": worked["id"], "source": "kader_census", "detected_on": "2026-01-02"},
        headers=education.opd,
    )
    assert by_hand.status_code == 201, by_hand.text
    items = [
        item(nik(1, "2013-07-12"), "2013-07-12", **OUT),  # 0: 12, out of school
        item(nik(2, "2019-01-11"), "2019-01-11", **OUT),  # 1: 6 (7 the day after)
        item(nik(3, "2007-01-11"), "2007-01-11", **OUT),  # 2: 18 (19 the day after)
        item(nik(4, "2007-01-10"), "2007-01-10", **OUT),  # 3: 19: not the field's
        item(nik(7, "2013-08-08"), "2013-08-08", status="sd", kelas=6),  # 4: at school
        item(nik(5, "2015-03-03"), "2015-03-03", **OUT),  # 5: known, was at SD
        item(nik(6, "2014-04-04", girl=True), "2014-04-04", **OUT),  # 6: her case is open
    ]
    first = await census(education, posyandu_id, items)
    results = first["results"]
    assert [r["result"] for r in results] == [
        "created",
        "created",
        "created",
        "error",
        "created",
        "status_recorded",
        "status_recorded",
    ]
    assert results[3]["errors"][0]["rule"] == "over_age"
    detected = {r["index"]: r["ats_case_id"] for r in results if r["ats_case_id"]}
    assert set(detected) == {0, 2, 5} and first["ats_cases_opened"] == 3

    found = await cases(education)
    by_census = [found[results[i]["child_id"]] for i in (0, 2, 5)]
    assert [case.id for case in by_census] == [detected[0], detected[2], detected[5]]
    due = due_after(
        education.settings,
        date.fromisoformat(CENSUS_ON),
        education.settings.ats_verify_due_working_days,
    )
    assert {
        (c.status, c.source, c.detected_on, c.verify_due_on, c.created_by, c.posyandu_id)
        for c in by_census
    } == {("detected", "kader_census", date(2026, 1, 10), due, "kader-rapak", posyandu_id)}
    assert found[worked["id"]].id == by_hand.json()["id"]  # no second case
    named = {r["index"]: r["open_ats_case_id"] for r in results if r["open_ats_case_id"]}
    assert named == {**detected, 6: by_hand.json()["id"]}  # opened now, or open before
    assert set(found) == {worked["id"], *(results[i]["child_id"] for i in (0, 2, 5))}
    steps = await detect_steps(education)
    assert sorted((case, action) for case, action, _ in steps) == sorted(
        [(case_id, "detect") for case_id in [*detected.values(), by_hand.json()["id"]]]
    )
    # The census's status is the case's: no second out_of_school row.
    assert await history(education, results[0]["child_id"]) == [
        ("out_of_school", CENSUS_ON, "kader_census")
    ]
    assert await history(education, leaving["id"]) == [
        ("sd", "2025-07-14", "school"),
        ("out_of_school", CENSUS_ON, "kader_census"),
    ]

    again = await census(education, posyandu_id, items)  # a retry: nothing written
    assert again["ats_cases_opened"] == 0
    assert {r["result"] for r in again["results"]} == {"unchanged", "error"}
    assert {  # a retry still names each child's open case
        r["index"]: r["open_ats_case_id"] for r in again["results"] if r["open_ats_case_id"]
    } == named
    assert {child: case.id for child, case in (await cases(education)).items()} == {
        child: case.id for child, case in found.items()
    }
    # A last write at this posyandu that opens nothing: once it is on the topic, whatever the
    # retry had published would be there before it.
    paud = {"status": "paud", "unit_name": "KB Mawar", "source": "kader_census"}
    await status(education, results[1]["child_id"], **paud, on=CENSUS_ON)
    # 2 children and their SD statuses, the case by hand; the census's 4 new children and
    # 6 statuses, its 3 cases; the last write.
    events = await read_envelopes(
        education.settings.kafka_bootstrap_servers,
        education.settings.topic("simpul.education.v1"),
        expected=19,
    )
    assert events[-1].type == "education.child.status_changed.v1"
    assert events[-1].subject == results[1]["child_id"]
    opened = Counter(e.subject for e in events if e.type == OPENED)
    assert opened == Counter({case_id: 1 for case_id in [*detected.values(), by_hand.json()["id"]]})
    announced = {e.subject: e.data for e in events if e.type == OPENED}
    twelve = announced[detected[0]]
    assert (twelve["source"], twelve["detected_on"], twelve["category"]) == (
        "kader_census",
        CENSUS_ON,
        None,
    )
    assert twelve["age_months"] == 149 and twelve["child_id"] == results[0]["child_id"]
    assert all(KK not in str(e.data) and "Anak" not in str(e.data) for e in events)


async def test_the_status_route_opens_a_case_once_and_not_outside_school_age(
    education: Education,
) -> None:
    on_day(education, "2026-01-09")
    posyandu_id = await education.known_posyandu()
    nineteen = await education.child(posyandu_id, nik(1, "2007-01-10"))  # 18 today, 19 tomorrow
    on_day(education, "2026-03-02")
    twelve = await education.child(posyandu_id, nik(2, "2013-07-12", girl=True))
    six = await education.child(posyandu_id, nik(3, "2019-03-03"))  # 7 the day after

    assert (await status(education, nineteen["id"], **OUT, source="school", on="2026-01-10"))[
        "ats_case_id"
    ] is None
    assert (await status(education, six["id"], **OUT, source="kader_census", on="2026-03-02"))[
        "ats_case_id"
    ] is None
    answer = await status(education, twelve["id"], **OUT, source="school", on="2026-02-02")
    case_id = answer["ats_case_id"]
    assert case_id is not None and answer["status"] == "out_of_school"
    # The same again, later (and another source): her case is open, no second.
    repeat = await status(education, twelve["id"], **OUT, source="kader_census", on="2026-03-01")
    assert repeat["ats_case_id"] is None

    found = await cases(education)
    assert set(found) == {twelve["id"]}
    case = found[twelve["id"]]
    due = due_after(
        education.settings, date(2026, 2, 2), education.settings.ats_verify_due_working_days
    )
    # The school's word that a pupil left is what a Dapodik match finds.
    assert (case.id, case.status, case.source, case.detected_on, case.verify_due_on) == (
        case_id,
        "detected",
        "dapodik_match",
        date(2026, 2, 2),
        due,
    )
    assert await history(education, twelve["id"]) == [
        ("out_of_school", "2026-02-02", "school"),
        ("out_of_school", "2026-03-01", "kader_census"),
    ]
    read = await education.client.get(f"/v1/ats-cases/{case_id}", headers=education.opd)
    assert read.status_code == 200 and read.json()["allowed_actions"]
    assert [h["action"] for h in read.json()["history"]] == ["detect"]

    # Ended, the case lets the next out-of-school status open another.
    residu = await education.client.post(
        f"/v1/ats-cases/{case_id}/residu", json={"on": "2026-03-01"}, headers=education.opd
    )
    assert residu.status_code == 200, residu.text
    later = await status(education, twelve["id"], **OUT, source="kader_census", on="2026-03-02")
    assert later["ats_case_id"] not in (None, case_id)
    # A case opened by hand for a child with no status records it, and opens no second.
    fresh = await education.child(posyandu_id, nik(4, "2012-11-15"))
    by_hand = await education.client.post(
        "/v1/ats-cases",
        json={"child_id": fresh["id"], "source": "kader_census", "detected_on": "2026-03-02"},
        headers=education.opd,
    )
    assert by_hand.status_code == 201, by_hand.text
    assert await history(education, fresh["id"]) == [
        ("out_of_school", "2026-03-02", "kader_census")
    ]

    # 4 children, 6 statuses, 3 cases opened (one by hand, which recorded a status too), the
    # residu.
    events = await read_envelopes(
        education.settings.kafka_bootstrap_servers,
        education.settings.topic("simpul.education.v1"),
        expected=14,
    )
    opened = Counter((e.data["child_id"], e.data["source"]) for e in events if e.type == OPENED)
    assert opened == Counter(
        {
            (twelve["id"], "dapodik_match"): 1,
            (twelve["id"], "kader_census"): 1,
            (fresh["id"], "kader_census"): 1,
        }
    )
