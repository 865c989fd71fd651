"""The demo loader: the population's children 0–18 at the active posyandu (its balita are
health's, linked by person_ref), statuses by age with a year of history for some, written
through education's own operations; loading twice adds nothing; the indicators equal a hand
count over what it loaded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Education
from sqlalchemy import select

from simpul_education.demo import load_demo
from simpul_education.domain.children import age_years
from simpul_education.domain.indicators import age_at_month_end
from simpul_education.domain.status import KELAS
from simpul_education.models import (
    AtsCase,
    AtsCaseHistory,
    BkbMembership,
    Child,
    ChildStatus,
    LiteracySession,
    PaudAttendance,
    PaudEnrolment,
)
from simpul_platform.clock import local_today
from simpul_platform.devstack.population import DemoSize, generate_balita
from simpul_platform.tallies import month_of

pytestmark = pytest.mark.integration

SIZE = DemoSize(balita_per_posyandu=6, school_age_per_posyandu=40)
# The posyandu's ids, fixed: the population gives people to posyandu in id order and the
# loader draws in that order, so with new random ids each run would load other people.
IDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3)]


async def test_demo_children_and_statuses_are_the_populations(education: Education) -> None:
    posyandu = [
        await education.known_posyandu(desa, posyandu_id=pid)
        for desa, pid in zip((RAPAK_LAMBUR, MANGKURAWANG), IDS, strict=False)
    ]
    # An inactive posyandu: its children are skipped.
    closed = await education.known_posyandu(SEBULU, status="inactive", posyandu_id=IDS[2])
    db, settings = education.app.state.db, education.settings
    today = local_today(settings)
    counts = await load_demo(db, settings, SIZE)
    assert counts["children"] == 2 * (6 + 40)  # every child of the active posyandu, none refused
    assert (await load_demo(db, settings, SIZE)) == {"children": 0}  # twice adds nothing
    async with db.sessions() as session:
        children = (await session.execute(select(Child))).scalars().all()
        rows = (await session.execute(select(ChildStatus).order_by(ChildStatus.on))).scalars().all()
    enrolled = counts.get("ats_enrolled", 0)  # back at school: a status of its own
    assert len(children) == counts["children"] and len(rows) == counts["statuses"] + enrolled
    assert {c.posyandu_id for c in children} == set(posyandu)
    assert {c.created_by for c in children} == {"demo"}
    await _paud_bkb_and_literacy(education, counts, children)
    await _ats_cases(education, counts, today)

    # The balita are health's: the same person_ref for the same child.
    kukar = sorted(zip([*posyandu, closed], (RAPAK_LAMBUR, MANGKURAWANG, SEBULU), strict=True))
    # The population's own end date, as every service's demo draws it.
    balita = generate_balita(kukar, seed=2025, per_posyandu=6, secret=settings.pseudonym_secret)
    expected = {b.target["person_ref"] for b in balita if b.target["posyandu_id"] != closed}
    assert expected <= {c.person_ref for c in children}
    ages = Counter(age_years(c.birth_date, today) for c in children)
    assert min(ages) >= 1 and max(ages) == 18 and len(ages) >= 12

    # Statuses by age; the current one is the latest; some with last year's before it.
    history: dict[str, list[ChildStatus]] = {}
    for row in rows:
        history.setdefault(row.child_id, []).append(row)
    for child in children:
        mine = history.get(child.id, [])
        assert child.status == (mine[-1].status if mine else None)
        age = age_years(child.birth_date, today)
        for row in mine:
            assert today - timedelta(days=430) <= row.on <= today
            if row.status in KELAS:
                low, high = KELAS[row.status]
                assert row.kelas is not None and low <= row.kelas <= high
        if child.status == "not_school_age":
            assert age <= 6
        if child.status in ("sd", "smp", "sma", "smk", "out_of_school") or (
            child.status or ""
        ).startswith("paket_"):
            assert age >= 6
        if child.status == "paud":
            assert 3 <= age <= 6
    assert sum(len(mine) == 2 for mine in history.values()) >= 10
    statuses = Counter(c.status for c in children)
    assert statuses["paud"] and statuses["sd"] and statuses["smp"]
    assert statuses["sma"] + statuses["smk"] > 0

    # The SPM indicators equal a hand count over what was loaded.
    response = await education.client.get(
        "/v1/indicators",
        headers=education.dpmd,
        params={"wilayah": "64.02", "period": today.strftime("%Y-%m")},
    )
    assert response.status_code == 200, response.text
    values = {v["code"]: (v["numerator"], v["denominator"]) for v in response.json()}
    # Ages as the indicators count them: at the month's end, by birth month.
    month = month_of(today)
    five_six = [c for c in children if 5 <= age_at_month_end(c.birth_date, month) <= 6]
    assert values["education.paud_5_6"] == (
        sum(c.status == "paud" for c in five_six),
        len(five_six),
    )


async def _paud_bkb_and_literacy(
    education: Education, counts: dict[str, int], children: Sequence[Child]
) -> None:
    """Every child in PAUD is enrolled at its status's unit with a mark for each month since;
    some under-threes' families are in BKB; two literacy sessions at each posyandu."""
    async with education.app.state.db.sessions() as session:
        enrolments = (await session.execute(select(PaudEnrolment))).scalars().all()
        marks = (await session.execute(select(PaudAttendance))).scalars().all()
        families = (await session.execute(select(BkbMembership))).scalars().all()
        sessions = (await session.execute(select(LiteracySession))).scalars().all()
    in_paud = {c.id for c in children if c.status == "paud"}
    assert in_paud and {e.child_id for e in enrolments} == in_paud
    assert counts["paud_enrolments"] == len(enrolments)
    assert counts["attendance_marks"] == len(marks) >= len(enrolments)
    by_enrolment = Counter(m.enrolment_id for m in marks)
    for enrolment in enrolments:
        assert by_enrolment[enrolment.id] >= 1
    kk_of_under_threes = {c.household_ref for c in children if c.status == "not_school_age"}
    assert families and {f.household_ref for f in families} <= kk_of_under_threes
    assert counts["bkb_families"] == len(families)
    posyandu = {c.posyandu_id for c in children}
    assert counts["literacy_sessions"] == len(sessions) == 2 * len(posyandu)


async def _ats_cases(education: Education, counts: dict[str, int], today: date) -> None:
    """A case for children out of school at 7–18, each as far as its plan took it, with a step
    in its history for each; an enrolled one's child is back at school."""
    async with education.app.state.db.sessions() as session:
        cases = (await session.execute(select(AtsCase))).scalars().all()
        steps = (await session.execute(select(AtsCaseHistory))).scalars().all()
        children = {c.id: c for c in (await session.execute(select(Child))).scalars().all()}
    assert cases and counts["ats_cases"] == len(cases)
    assert Counter(f"ats_{c.status}" for c in cases) == {
        k: v for k, v in counts.items() if k.startswith("ats_") and k != "ats_cases"
    }
    by_case = Counter(s.case_id for s in steps)
    for case in cases:
        child = children[case.child_id]
        assert 7 <= age_years(child.birth_date, case.detected_on) <= 18
        assert case.detected_on <= today and by_case[case.id] >= 1
        if case.status == "enrolled":
            assert child.status == case.enrolled_status
        else:
            assert child.status == "out_of_school"
