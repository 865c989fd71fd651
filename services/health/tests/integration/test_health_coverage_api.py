"""Immunisation coverage and the overdue list over HTTP: doses recorded through the API, the
coverage read per posyandu and wilayah and in the shared indicators, and a posyandu's
children overdue for a dose on its next open day."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from health_testkit import DESA, OTHER_DESA, TODAY, Health
from sqlalchemy import select

from simpul_health.demo_coverage import load_immunisations
from simpul_health.demo_more import DemoPeople
from simpul_health.domain.coverage import basic, birthday
from simpul_health.domain.immunisation import NATIONAL_SCHEDULE
from simpul_health.domain.indicators import months_before
from simpul_health.models import Immunisation
from simpul_platform.auth import NATIONWIDE, Principal
from simpul_platform.devstack.population import DemoChild
from simpul_platform.indicators import Period

pytestmark = pytest.mark.integration


async def give(health: Health, child: dict[str, Any], antigen: str, dose: int, on: date) -> None:
    response = await health.client.post(
        f"/v1/targets/{child['id']}/immunisations",
        json={"antigen": antigen, "dose": dose, "given_on": on.isoformat()},
        headers=health.kader,
    )
    assert response.status_code == 201, response.text


async def test_idl_read_per_area(health: Health) -> None:
    pid = await health.posyandu()
    month_end = TODAY.replace(day=1) - timedelta(days=1)  # last month: every birthday past
    period = f"{month_end:%Y-%m}"
    first_day, last_day = month_end.replace(day=1), month_end
    complete = await health.target(pid, months_before(first_day, 12), serial=1)
    late = await health.target(pid, months_before(last_day, 12), serial=2)
    for child in (complete, late):
        birth = date.fromisoformat(child["birth_date"])
        for d in basic(NATIONAL_SCHEDULE):
            on = birth + timedelta(days=d.due_age_days)
            if child is late and (d.antigen, d.dose) == ("MR", 1):
                on = last_day  # on the first birthday (the period's last day): too late
            await give(health, child, d.antigen, d.dose, on)
    for params in ({"posyandu_id": pid}, {"wilayah": "64.02.06.2012"}, {"wilayah": "64.02"}):
        response = await health.client.get(
            "/v1/indicators/immunisation", params={"period": period, **params}, headers=health.dpmd
        )
        assert response.status_code == 200, response.text
        rows = {r["code"]: r for r in response.json()["indicators"]}
        idl = rows["health.idl"]
        assert (idl["numerator"], idl["denominator"], idl["percent"]) == (1, 2, 50.0)
        assert (idl["kind"], idl["target_percent"]) == ("context", 90.0)
        assert (
            rows["health.imunisasi_mr_1"]["numerator"],
            rows["health.imunisasi_bcg_1"]["numerator"],
        ) == (1, 2)


async def test_overdue_lists_the_posyandu_children_longest_overdue_first(health: Health) -> None:
    pid = await health.posyandu()
    other = await health.posyandu("Posyandu Melati")
    on = TODAY + timedelta(days=3)  # the posyandu's next open day
    a = await health.target(pid, on - timedelta(days=100), serial=1, name="Ani")
    b = await health.target(pid, on - timedelta(days=45), serial=2, name="Budi")
    c = await health.target(pid, on - timedelta(days=20), serial=3, name="Citra")
    e = await health.target(pid, TODAY, serial=4, name="Eka")
    await health.target(pid, months_before(on, 25), serial=5, name="Dewi")  # over 24 months
    await health.target(other, on - timedelta(days=45), serial=6, name="Elsewhere")
    birth_a = on - timedelta(days=100)
    for antigen, days in (("HB0", 0), ("BCG", 30), ("OPV", 30)):
        await give(health, a, antigen, 1, birth_a + timedelta(days=days))
    await give(health, c, "HB0", 1, on - timedelta(days=20))

    response = await health.client.get(
        "/v1/immunisation/overdue",
        params={"posyandu_id": pid, "on": on.isoformat()},
        headers=health.kader,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["on"]) == (3, on.isoformat())
    assert [ch["name"] for ch in body["children"]] == ["Budi", "Ani", "Eka"]

    def missing(child: dict[str, Any]) -> list[tuple[str, int, int]]:
        return [(m["antigen"], m["dose"], m["days_overdue"]) for m in child["missing"]]

    budi, ani, eka = body["children"]
    assert missing(budi) == [("HB0", 1, 45), ("BCG", 1, 15), ("OPV", 1, 15)]
    assert missing(ani) == [
        ("DPT-HB-Hib", 1, 40),
        ("OPV", 2, 40),
        ("PCV", 1, 40),
        ("RV", 1, 40),
        ("DPT-HB-Hib", 2, 10),
        ("OPV", 3, 10),
        ("PCV", 2, 10),
        ("RV", 2, 10),
    ]
    assert missing(eka) == [("HB0", 1, 3)]
    assert ani["missing"][0]["due_on"] == (birth_a + timedelta(days=60)).isoformat()
    assert (budi["age_months"], ani["age_months"], eka["age_months"]) == (1, 3, 0)
    assert budi["nik"] == b["nik"][:6] + "********" + b["nik"][-2:]
    assert budi["target_id"] == b["id"] and e["id"] == eka["target_id"]

    page = await health.client.get(
        "/v1/immunisation/overdue",
        params={"posyandu_id": pid, "on": on.isoformat(), "limit": 1, "offset": 1},
        headers=health.kader,
    )
    assert [ch["name"] for ch in page.json()["children"]] == ["Ani"] and page.json()["total"] == 3
    today = await health.client.get(
        "/v1/immunisation/overdue", params={"posyandu_id": pid}, headers=health.kader
    )
    assert today.json()["on"] == TODAY.isoformat()
    assert [m["days_overdue"] for m in today.json()["children"][0]["missing"]][:1] == [42]

    for headers in (health.auth(["kader:health"], [OTHER_DESA]), health.dpmd):
        refused = await health.client.get(
            "/v1/immunisation/overdue", params={"posyandu_id": pid}, headers=headers
        )
        assert refused.status_code == 403, refused.text


async def test_the_demo_histories_give_coverage_equal_to_a_hand_count(health: Health) -> None:
    pid = await health.posyandu()
    last_year = TODAY.year - 1  # first birthdays through last year: every dose in the past
    children = [
        await health.target(pid, months_before(date(last_year, 12, 28), 12 + k), serial=10 + k)
        for k in range(12)
    ]
    demo = [
        DemoChild(target={**c, "birth_date": date.fromisoformat(c["birth_date"])}, haz=0, whz=0)
        for c in children
    ]
    people = DemoPeople([(pid, DESA)], [(pid, DESA)], demo, [])
    principal = Principal("demo", frozenset({"opd:health"}), (NATIONWIDE,))
    stored = await load_immunisations(
        health.app.state.db, health.settings, principal, people, TODAY, random.Random(1)
    )
    async with health.app.state.db.sessions() as session:
        rows = (await session.execute(select(Immunisation))).scalars().all()
    assert stored == len(rows) > 0
    births = {c.target["id"]: c.target["birth_date"] for c in demo}
    assert all(births[r.target_id] <= r.given_on <= TODAY for r in rows)
    # By hand: every basic dose before the first birthday, for the births of the year's.
    period = Period.parse(str(last_year))
    reaching = [t for t, b in births.items() if period.contains(birthday(b, 1))]
    complete = [
        t
        for t in reaching
        for given in [
            {
                (r.antigen, r.dose)
                for r in rows
                if r.target_id == t and r.given_on < birthday(births[t], 1)
            }
        ]
        if all((d.antigen, d.dose) in given for d in basic(NATIONAL_SCHEDULE))
    ]
    response = await health.client.get(
        "/v1/indicators/immunisation",
        params={"period": period.label, "posyandu_id": pid},
        headers=health.dpmd,
    )
    idl = {r["code"]: r for r in response.json()["indicators"]}["health.idl"]
    assert (idl["numerator"], idl["denominator"]) == (len(complete), len(reaching))
    assert 0 < len(complete) < len(reaching)  # the seed gives a realistic mix
