"""SPM kesehatan no. 10–12 (ODGJ berat, terduga TBC, risiko HIV) through /v1/indicators/spm
against hand counts for a month, a quarter and a year at posyandu, desa and kabupaten level;
an imported estimate replacing a denominator; kept counts equal to a recount after
concurrent writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from health_programme_kit import odgj, person, post, pregnancy
from health_testkit import DESA, OTHER_DESA, TODAY
from sqlalchemy import select

from simpul_health.models import SpmKept, TargetEstimate
from simpul_health.ops import kept
from simpul_platform.indicators import Period

pytestmark = pytest.mark.integration
Y = TODAY.year - 1  # a whole past year: every period in it is over
CODES = ("health.odgj_berat", "health.terduga_tbc", "health.risiko_hiv")


def d(month: int, day: int) -> date:
    return date(Y, month, day)


async def spm(health: Any, period: str, **area: str) -> dict[str, tuple[int, int]]:
    response = await health.client.get(
        "/v1/indicators/spm", params={"period": period, **area}, headers=health.dpmd
    )
    assert response.status_code == 200, response.text
    return {
        i["code"]: (i["numerator"], i["denominator"])
        for i in response.json()["indicators"]
        if i["code"] in CODES
    }


async def places(health: Any) -> tuple[str, str, str]:
    """Two posyandu in one desa (Tenggarong), one in another kecamatan of Kukar."""
    a = await health.posyandu("Posyandu Mawar", DESA)
    b = await health.posyandu("Posyandu Anggrek", DESA)
    c = await health.posyandu("Posyandu Melati", OTHER_DESA)
    return a, b, c


async def test_odgj_berat_equals_hand_counts(health):
    a, b, c = await places(health)
    people = [
        await person(health, p, date(1980, 1, 1 + i), "M", 10 + i)
        for i, p in enumerate((a, a, a, b, c))
    ]
    a1, a2, a3, b1, c1 = people
    await odgj(health, a1, d(1, 10), [(d(1, 15), True), (d(2, 15), False), (d(3, 15), True)])
    case_a2 = await odgj(health, a2, d(2, 5), [(d(2, 20), True)])
    await _close(health, case_a2, "moved", d(2, 28))
    await odgj(health, a3, d(4, 1), [])
    case_b1 = await odgj(health, b1, d(3, 1), [(d(3, 10), True)])
    await _close(health, case_b1, "recovered", d(6, 30))
    await odgj(health, c1, d(1, 20), [(d(1, 25), True), (d(2, 25), True)])

    # February: A1 in care (its visit short of standard), A2 served then moved; C1 served.
    # Q1: A1 (Jan, Mar), A2, B1, C1 all served to standard; A3 not yet registered.
    # The year: A3 in care from April, never served. July: B1 has recovered (30 June).
    hand = {
        f"{Y}-02": {"a": (1, 2), "b": (0, 0), "c": (1, 1), "desa": (1, 2), "kab": (2, 3)},
        f"{Y}-Q1": {"a": (2, 2), "b": (1, 1), "c": (1, 1), "desa": (3, 3), "kab": (4, 4)},
        f"{Y}": {"a": (2, 3), "b": (1, 1), "c": (1, 1), "desa": (3, 4), "kab": (4, 5)},
        f"{Y}-07": {"a": (0, 2), "b": (0, 0), "c": (0, 1), "desa": (0, 2), "kab": (0, 3)},
    }
    await _matches(health, "health.odgj_berat", hand, a, b, c)


async def test_terduga_tbc_equals_hand_counts_and_a_re_examination_moves_them(health):
    a, b, c = await places(health)
    people = [
        await person(health, p, date(1975, 2, 1 + i), "F", 20 + i)
        for i, p in enumerate((a, a, a, a, b, c))
    ]
    t1, t2, t3, t4, t5, t6 = [
        (
            await post(
                health,
                "/v1/tb/presumptives",
                {"target_id": who, "identified_on": on, "symptoms": ["cough_2_weeks"]},
            )
        )["id"]
        for who, on in zip(
            people, (d(1, 5), d(1, 20), d(2, 10), d(3, 3), d(2, 14), d(1, 30)), strict=True
        )
    ]
    await _examine(health, t1, d(1, 8), "tcm", "mtb_not_detected")
    await _examine(health, t2, d(1, 22), "xray", "abnormal")  # not the standard
    await _examine(health, t4, d(3, 5), "microscopy", "negative")
    await _examine(health, t5, d(4, 2), "tcm", "mtb_detected")  # counted where identified
    await _examine(health, t6, d(2, 1), "tcm", "rif_resistant")
    assert t3  # never examined
    assert (await spm(health, f"{Y}-01", posyandu_id=a))["health.terduga_tbc"] == (1, 2)
    await _examine(health, t2, d(2, 1), "tcm", "mtb_detected")  # re-examined: now to standard
    hand = {
        f"{Y}-01": {"a": (2, 2), "b": (0, 0), "c": (1, 1), "desa": (2, 2), "kab": (3, 3)},
        f"{Y}-02": {"a": (0, 1), "b": (1, 1), "c": (0, 0), "desa": (1, 2), "kab": (1, 2)},
        f"{Y}-Q1": {"a": (3, 4), "b": (1, 1), "c": (1, 1), "desa": (4, 5), "kab": (5, 6)},
        f"{Y}-Q2": {"a": (0, 0), "b": (0, 0), "c": (0, 0), "desa": (0, 0), "kab": (0, 0)},
        f"{Y}": {"a": (3, 4), "b": (1, 1), "c": (1, 1), "desa": (4, 5), "kab": (5, 6)},
    }
    await _matches(health, "health.terduga_tbc", hand, a, b, c)


async def test_risiko_hiv_equals_hand_counts(health):
    a, b, c = await places(health)
    h1 = await person(health, a, date(1995, 3, 1), "F", 30)
    h2 = await person(health, a, date(1990, 3, 2), "M", 31)
    h3 = await person(health, a, date(1992, 3, 3), "F", 32)
    h4 = await person(health, b, date(1970, 3, 4), "M", 33)
    h5 = await person(health, c, date(1985, 3, 5), "M", 34)
    await pregnancy(health, h1, d(1, 5))
    plan = (
        (h1, "pregnant", d(1, 10)),
        (h2, "msm", d(2, 3)),
        (h3, "sex_worker", d(3, 15)),
        (h4, "tb_patient", d(3, 20)),
        (h5, "prisoner", d(1, 12)),
    )
    r1, r2, _, r4, r5 = [
        (
            await post(
                health, "/v1/hiv/at-risk", {"target_id": t, "risk_group": g, "identified_on": on}
            )
        )["id"]
        for t, g, on in plan
    ]
    await _test(health, r1, d(1, 10), "rapid", "non_reactive")
    await _test(health, r2, d(2, 3), "rapid", None)  # a sample, awaiting its result
    await _test(health, r4, d(3, 25), "elisa", "reactive")
    await _test(health, r5, d(1, 12), "rapid", "indeterminate")
    assert (await spm(health, f"{Y}-02", posyandu_id=a))["health.risiko_hiv"] == (0, 1)
    await _test(health, r2, d(2, 17), "rapid", "non_reactive")
    hand = {
        f"{Y}-01": {"a": (1, 1), "b": (0, 0), "c": (1, 1), "desa": (1, 1), "kab": (2, 2)},
        f"{Y}-02": {"a": (1, 1), "b": (0, 0), "c": (0, 0), "desa": (1, 1), "kab": (1, 1)},
        f"{Y}-Q1": {"a": (2, 3), "b": (1, 1), "c": (1, 1), "desa": (3, 4), "kab": (4, 5)},
        f"{Y}": {"a": (2, 3), "b": (1, 1), "c": (1, 1), "desa": (3, 4), "kab": (4, 5)},
    }
    await _matches(health, "health.risiko_hiv", hand, a, b, c)


async def test_an_imported_estimate_replaces_the_odgj_denominator(health):
    a, _, _ = await places(health)
    people = [await person(health, a, date(1980, 5, 1 + i), "M", 40 + i) for i in range(3)]
    for who in people:
        await odgj(health, who, d(1, 3), [(d(1, 10), True)])
    async with health.app.state.db.transaction() as session:
        session.add(
            TargetEstimate(
                wilayah_code="64.02",
                year=Y,
                target_group="odgj_berat",
                count=24,
                source="Kemenkes, estimasi ODGJ berat (Riskesdas prevalence × population)",
                imported_by="test",
                imported_at=datetime.now(UTC),
            )
        )
    kab = {
        p: (await spm(health, p, wilayah="64.02"))["health.odgj_berat"]
        for p in (f"{Y}-01", f"{Y}-Q1", f"{Y}")
    }
    # ODGJ berat are people, not a year's flow: the estimate stands whole in every period
    assert kab == {f"{Y}-01": (3, 24), f"{Y}-Q1": (3, 24), f"{Y}": (3, 24)}
    # Below the kabupaten no estimate applies: the cases in care stay the denominator.
    assert (await spm(health, f"{Y}-01", wilayah=DESA))["health.odgj_berat"] == (3, 3)
    assert (await spm(health, f"{Y}-01", posyandu_id=a))["health.odgj_berat"] == (3, 3)
    # Another year has no estimate.
    assert (await spm(health, f"{Y + 1}-01", wilayah="64.02"))["health.odgj_berat"] == (0, 3)


async def test_concurrent_writes_leave_kept_counts_equal_to_a_recount(health):
    a, _, _ = await places(health)
    people = [await person(health, a, date(1985, 7, 1 + i), "F", 50 + i) for i in range(10)]
    case = await odgj(health, people[0], d(5, 2), [])
    await pregnancy(health, people[9], d(5, 1))
    writes = (
        [_service(health, case, d(5, 3 + i), standard=i % 2 == 0) for i in range(3)]
        + [
            post(
                health,
                "/v1/tb/presumptives",
                {"target_id": people[i], "identified_on": d(5, 3 + i), "symptoms": ["fever"]},
            )
            for i in range(1, 5)
        ]
        + [
            post(
                health,
                "/v1/hiv/at-risk",
                {"target_id": people[i], "risk_group": "sti_patient", "identified_on": d(5, 20)},
            )
            for i in range(5, 8)
        ]
    )
    await asyncio.gather(*writes)
    tb = await health.client.get(
        "/v1/tb/presumptives", params={"posyandu_id": a}, headers=health.opd
    )
    hiv = await health.client.get("/v1/hiv/at-risk", params={"posyandu_id": a}, headers=health.opd)
    await asyncio.gather(
        *(_examine(health, p["id"], d(5, 20), "tcm", "mtb_not_detected") for p in tb.json()[:3]),
        *(_test(health, r["id"], d(5, 21), "rapid", "non_reactive") for r in hiv.json()[:2]),
        _service(health, case, d(5, 30), standard=True),
        post(
            health,
            "/v1/hiv/at-risk",
            {"target_id": people[9], "risk_group": "pregnant", "identified_on": d(5, 25)},
        ),
    )
    async with health.app.state.db.sessions() as session:
        rows = (
            (await session.execute(select(SpmKept).where(SpmKept.posyandu_id == a))).scalars().all()
        )
        assert {r.code for r in rows} == {"odgj_berat", "terduga_tbc", "risiko_hiv"}
        for row in rows:
            recounted = await kept.count(session, row.code, a, Period.parse(row.period))
            assert (row.numerator, row.denominator) == recounted, (row.code, row.period)
    may = await spm(health, f"{Y}-05", posyandu_id=a)
    assert may == {
        "health.odgj_berat": (1, 1),
        "health.terduga_tbc": (3, 4),
        "health.risiko_hiv": (2, 4),
    }


async def _matches(
    health: Any, code: str, hand: dict[str, dict[str, tuple[int, int]]], a: str, b: str, c: str
) -> None:
    for period, expected in hand.items():
        found = {
            "a": (await spm(health, period, posyandu_id=a))[code],
            "b": (await spm(health, period, posyandu_id=b))[code],
            "c": (await spm(health, period, posyandu_id=c))[code],
            "desa": (await spm(health, period, wilayah=DESA))[code],
            "kab": (await spm(health, period, wilayah="64.02"))[code],
        }
        assert found == expected, period
        # The kecamatan holds the desa; the other kecamatan holds posyandu C.
        assert (await spm(health, period, wilayah="64.02.06"))[code] == expected["desa"]
        assert (await spm(health, period, wilayah=OTHER_DESA[:8]))[code] == expected["c"]


async def _close(health: Any, case: str, status: str, on: date) -> None:
    response = await health.client.patch(
        f"/v1/mental-health/cases/{case}",
        json={"status": status, "closed_on": on.isoformat()},
        headers=health.opd,
    )
    assert response.status_code == 200, response.text


async def _service(health: Any, case: str, on: date, *, standard: bool) -> None:
    await post(
        health,
        f"/v1/mental-health/cases/{case}/services",
        {"served_on": on, "mental_status_exam": True, "adherence_education": standard},
    )


async def _examine(health: Any, p: str, on: date, examination: str, result: str) -> None:
    await post(
        health,
        f"/v1/tb/presumptives/{p}/examination",
        {"examined_on": on, "examination": examination, "result": result},
        200,
    )


async def _test(health: Any, r: str, on: date, test: str, result: str | None) -> None:
    await post(
        health, f"/v1/hiv/at-risk/{r}/test", {"tested_on": on, "test": test, "result": result}, 200
    )
