"""School screenings over HTTP (rules, one per school year) and the usia pendidikan dasar
indicator: numerator and denominator equal to a hand count at posyandu, desa and kabupaten for
a month and a year, the age boundaries at the period's end, the denominator following
education's events, and kept rows equal to a recount after concurrent screenings."""

from __future__ import annotations

import asyncio
import calendar
from datetime import date, timedelta

import pytest
from health_school_kit import (
    Education,
    applied,
    kept_rows_match_a_recount,
    screening_body,
    spm,
)
from health_testkit import DESA, OTHER_DESA, TODAY, Health

from simpul_health.domain.indicators import months_before
from simpul_health.domain.school import school_year_label
from simpul_platform.events import new_id

pytestmark = pytest.mark.integration
MONTH_END = TODAY.replace(day=calendar.monthrange(TODAY.year, TODAY.month)[1])


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


async def post(health: Health, body: dict) -> dict:
    response = await health.client.post("/v1/school-screenings", json=body, headers=health.kader)
    return {"status": response.status_code, **response.json()}


async def test_rules_name_field_and_rule_and_a_second_screening_in_a_school_year_is_409(
    health: Health,
) -> None:
    mawar = await health.posyandu()
    child = await health.target(mawar, date(TODAY.year - 9, 3, 4), serial=51)
    toddler = await health.target(mawar, TODAY - timedelta(days=4 * 365), serial=52)
    cases = [
        (screening_body(toddler["id"], TODAY), "target_id", "not_school_age"),
        (screening_body(child["id"], TODAY, kelas=8), "kelas", "kelas_outside_jenjang"),
        (screening_body(child["id"], TODAY + timedelta(days=1)), "screened_on", "not_in_future"),
        (screening_body(child["id"], TODAY, systolic=110), "diastolic", "blood_pressure_pair"),
        (
            screening_body(child["id"], TODAY, systolic=90, diastolic=95),
            "diastolic",
            "diastolic_not_below_systolic",
        ),
        (screening_body("no-such-child", TODAY), "target_id", "unknown_target"),
    ]
    for body, field, rule in cases:
        problem = await post(health, body)
        assert problem["status"] == 422, problem
        assert {(e["field"], e["rule"]) for e in problem["errors"]} == {(field, rule)}, problem
    for field, value in (("school_npsn", "1234"), ("vision", "blurry"), ("jenjang", "sma")):
        problem = await post(health, screening_body(child["id"], TODAY, **{field: value}))
        assert problem["status"] == 422 and field in str(problem["errors"]), problem

    partial = screening_body(child["id"], TODAY, hearing=None, height_cm=None, findings=[])
    first = await post(health, partial)
    assert first["status"] == 201, first
    assert first["to_standard"] is False and first["missing_components"] == [
        "nutrition",
        "hearing",
    ]
    assert first["school_year"] == school_year_label(TODAY) and first["bmi"] is None
    assert first["person_ref"] == child["person_ref"] and first["bmi_z"] is None
    again = await post(health, screening_body(child["id"], TODAY - timedelta(days=1)))
    assert again["status"] == 409 and again["screening_id"] == first["id"], again

    got = await health.client.get(f"/v1/school-screenings/{first['id']}", headers=health.kader)
    assert got.status_code == 200 and got.json() == {
        k: v for k, v in first.items() if k != "status"
    }
    listed = await health.client.get(
        "/v1/school-screenings",
        params={"posyandu_id": mawar, "period": f"{TODAY:%Y-%m}"},
        headers=health.kader,
    )
    assert [s["id"] for s in listed.json()] == [first["id"]]
    elsewhere = await health.client.get(
        "/v1/school-screenings", params={"wilayah": OTHER_DESA}, headers=health.opd
    )
    assert elsewhere.json() == []
    hidden = await health.client.get(
        f"/v1/school-screenings/{first['id']}",
        headers=health.auth(["kader:health"], [OTHER_DESA]),
    )
    assert hidden.status_code == 404


async def test_the_indicator_equals_a_hand_count_with_its_age_boundaries(health: Health) -> None:
    mawar = await health.posyandu("Posyandu Mawar", DESA)
    melati = await health.posyandu("Posyandu Melati", OTHER_DESA)
    seven = first_of_month(months_before(MONTH_END, 84))  # 7 this month: in
    sixteen = first_of_month(months_before(MONTH_END, 192))  # 16 this month: out
    not_yet_seven = next_month(seven)  # 7 next month: out now, in at the year's end unless Dec
    not_yet_sixteen = next_month(sixteen)  # 15 now; 16 before the year ends unless December
    december = TODAY.month == 12
    # (birth month or None, birth year, education's posyandu, screened to standard?)
    children = {
        "seven": (seven, seven.year, mawar, True),
        "sixteen": (sixteen, sixteen.year, mawar, True),
        "not_yet_seven": (not_yet_seven, not_yet_seven.year, mawar, True),
        "not_yet_sixteen": (not_yet_sixteen, not_yet_sixteen.year, melati, True),
        "ten_not_standard": (None, TODAY.year - 10, mawar, False),
        "twelve_unscreened": (None, TODAY.year - 12, melati, None),
        "nine_at_melati": (None, TODAY.year - 9, melati, True),
    }
    async with health.peer("education") as peer:
        education = Education(peer)
        for serial, (name, (birth_month, year, posyandu_id, screened)) in enumerate(
            children.items(), start=60
        ):
            desa = DESA if posyandu_id == mawar else OTHER_DESA
            # Health's sasaran, all at Mawar: screened wherever, counted where education says.
            born = birth_month or date(year, 7, 1)
            target = await health.target(mawar, born, serial=serial, name=name)
            child_id = new_id()
            event = await education.register(
                posyandu_id, desa, target["person_ref"], year, child_id=child_id
            )
            if birth_month:
                event = await education.status(
                    child_id, posyandu_id, desa, target["person_ref"], birth_month, TODAY
                )
            await applied(health, child_id, event)
            if screened is not None:
                fields = {} if screened else {"vision": None}
                created = await post(health, screening_body(target["id"], TODAY, **fields))
                assert created["status"] == 201 and created["to_standard"] is screened

    month, year = f"{TODAY:%Y-%m}", f"{TODAY.year}"
    # The month: seven and nine_at_melati screened; not_yet_sixteen (15) screened at Melati.
    assert await spm(health, month, posyandu_id=mawar) == (1, 2)  # seven; seven, ten
    assert await spm(health, month, posyandu_id=melati) == (2, 3)
    assert await spm(health, month, wilayah=DESA) == (1, 2)
    assert await spm(health, month, wilayah="64.02.07") == (2, 3)
    assert await spm(health, month, wilayah="64.02") == (3, 5)
    # The year (end 31 December): not_yet_seven turns 7 by then, not_yet_sixteen turns 16,
    # unless this month is December, when the year's end is the month's.
    mawar_year = (1, 2) if december else (2, 3)
    melati_year = (2, 3) if december else (1, 2)
    assert await spm(health, year, posyandu_id=mawar) == mawar_year
    assert await spm(health, year, posyandu_id=melati) == melati_year
    assert await spm(health, year, wilayah=DESA) == mawar_year
    assert await spm(health, year, wilayah="64.02") == (3, 5)
    await kept_rows_match_a_recount(health)

    # One more child registered: the denominator follows education's events.
    async with health.peer("education") as peer:
        child_id = new_id()
        event = await Education(peer).register(
            mawar, DESA, "c" * 64, TODAY.year - 8, child_id=child_id
        )
        await applied(health, child_id, event)
    assert await spm(health, month, posyandu_id=mawar) == (1, 3)
    assert await spm(health, month, wilayah="64.02") == (3, 6)


async def test_concurrent_screenings_leave_kept_rows_equal_to_a_recount(health: Health) -> None:
    mawar = await health.posyandu("Posyandu Mawar", DESA)
    melati = await health.posyandu("Posyandu Melati", OTHER_DESA)
    targets = []
    async with health.peer("education") as peer:
        education = Education(peer)
        for serial in range(12):
            born = date(TODAY.year - 8 - serial % 6, 2, 1)
            target = await health.target(mawar, born, serial=70 + serial)
            targets.append(target)
            # Education places every third child at the other posyandu.
            place = (melati, OTHER_DESA) if serial % 3 == 0 else (mawar, DESA)
            child_id = new_id()
            event = await education.register(
                *place, target["person_ref"], born.year, child_id=child_id
            )
            await applied(health, child_id, event)
    days = [TODAY - timedelta(days=i % 3) for i in range(12)]
    bodies = [
        screening_body(t["id"], day, **({} if i % 4 else {"dental": None}))
        for i, (t, day) in enumerate(zip(targets, days, strict=True))
    ]
    twice = [*bodies, bodies[0]]  # and one child twice at once: one 201, one 409
    responses = await asyncio.gather(
        *(health.client.post("/v1/school-screenings", json=b, headers=health.kader) for b in twice)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 12 + [409], [r.text for r in responses if r.status_code != 201]
    rows = await kept_rows_match_a_recount(health)
    month = f"{TODAY:%Y-%m}"
    screened = {i for i in range(12) if i % 4 and days[i] >= TODAY.replace(day=1)}
    assert sum(r.numerator for r in rows if r.period == month) == len(screened)
    assert await spm(health, month, wilayah="64.02") == (len(screened), 12)
