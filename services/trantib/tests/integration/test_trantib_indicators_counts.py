"""SPM trantibumlinmas over the real PostgreSQL and Kafka: the indicators, the summary and the
rows by desa equal hand counts of a hand-made set (fires at 15:00 and 15:01 inside and outside
a WMK and across the year's first local midnight, public-order reports under both formulas,
disasters listing their desa or kecamatan-wide, hazard zones and outreach) inserted directly,
for a year, a quarter and a month; the kept counts equal a full recount after more writes;
out-of-wilayah questions are refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete
from trantib_indicator_rows import disaster, fire, outreach, point, report, wita, zone
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, TENGGARONG, TENGGARONG_KELURAHAN, Trantib

from simpul_platform.clock import local_today
from simpul_trantib.models import TrantibTally
from simpul_trantib.ops import tallies

pytestmark = pytest.mark.integration


async def hand_made(t: Trantib) -> tuple[int, str, str, str]:
    """The set (in last year, so every date is past): (year, posyandu A, B, C)."""
    y = local_today(t.settings).year - 1
    a, b = await t.known_posyandu(RAPAK_LAMBUR), await t.known_posyandu(MANGKURAWANG)
    c = await t.known_posyandu(TENGGARONG_KELURAHAN)
    rows: list[Any] = [
        fire(a, RAPAK_LAMBUR, wita(y, 3, 10, 10), True, 900),  # 15:00: met
        fire(a, RAPAK_LAMBUR, wita(y, 3, 10, 11), True, 901),  # 15:01: missed
        fire(a, RAPAK_LAMBUR, wita(y, 4, 1, 0, 30), False, 600),  # 31 March 16:30 UTC
        fire(a, RAPAK_LAMBUR, wita(y, 4, 5, 9), True, None),  # no arrival: not met
        fire(b, MANGKURAWANG, wita(y, 3, 15, 9), False, 600),
        fire(b, MANGKURAWANG, wita(y, 6, 1, 9), True, 300),
        fire(b, MANGKURAWANG, wita(y, 1, 1, 0, 30), True, 300),  # 31 December 16:30 UTC
        fire(b, MANGKURAWANG, wita(y - 1, 12, 31, 23, 30), True, 300),  # the year before
        report(a, RAPAK_LAMBUR, date(y, 3, 1), date(y, 3, 20), 10, 8),
        report(a, RAPAK_LAMBUR, date(y, 2, 10), date(y, 3, 5), 5, 7),  # served capped at 5
        report(a, RAPAK_LAMBUR, date(y, 3, 25), None, None, None),  # open
        report(b, MANGKURAWANG, date(y, 4, 2), date(y, 4, 10), 4, 4),
        disaster(date(y, 3, 12), TENGGARONG, [RAPAK_LAMBUR, MANGKURAWANG], 50, 40),
        disaster(date(y, 6, 3), TENGGARONG, [], 10, 10),  # kecamatan-wide
        disaster(date(y, 3, 1), "64.02.07.2001", ["64.02.07.2001"], 100, 0),  # elsewhere
        zone(RAPAK_LAMBUR, "banjir", 300, y),
        zone(MANGKURAWANG, "banjir", 200, y),
        zone(RAPAK_LAMBUR, "tanah_longsor", 100, y),
        zone(RAPAK_LAMBUR, "banjir", 999, y - 1),  # last year's
        outreach(a, RAPAK_LAMBUR, "banjir", date(y, 3, 5), 250),
        outreach(a, RAPAK_LAMBUR, "banjir", date(y, 3, 20), 100),  # 350 > 300: capped
        outreach(b, MANGKURAWANG, "banjir", date(y, 6, 1), 50),
        outreach(a, RAPAK_LAMBUR, "tanah_longsor", date(y, 1, 1), 20),
        point(RAPAK_LAMBUR, True),
        point(MANGKURAWANG, False),
    ]
    async with t.app.state.db.sessions() as session:
        session.add_all(rows)
        await tallies.invalidate_many(session, [a, b], date(y - 1, 12, 1))
        await session.commit()
    return y, a, b, c


async def indicators(t: Trantib, period: str, **scope: str) -> dict[str, tuple[int, int]]:
    params = {"period": period, "wilayah": TENGGARONG, **scope}
    response = await t.client.get("/v1/indicators", headers=t.dpmd, params=params)
    assert response.status_code == 200, response.text
    return {
        i["code"].removeprefix("trantib."): (i["numerator"], i["denominator"])
        for i in response.json()
        if i["field"] == "trantib" and "referral" not in i["code"]
    }


def expected(fires: Any, wmk: Any, served: Any, desa: Any, evac: Any, risk: Any) -> dict[str, Any]:
    return {
        "fire_response": fires,
        "fire_response_wmk": wmk,
        "order_served": served,
        "desa_in_wmk": desa,
        "disaster_evacuation": evac,
        "risk_information": risk,
    }


async def test_indicators_equal_hand_counts(trantib: Trantib) -> None:
    y, a, _, _ = await hand_made(trantib)
    assert await indicators(trantib, str(y)) == expected(
        (5, 7), (3, 5), (17, 19), (1, 3), (50, 60), (370, 600)
    )
    assert await indicators(trantib, f"{y}-03") == expected(
        (2, 3), (1, 2), (13, 15), (1, 3), (40, 50), (300, 600)
    )
    assert await indicators(trantib, f"{y}-Q2") == expected(
        (2, 3), (1, 2), (4, 4), (1, 3), (10, 10), (50, 600)
    )
    # A desa of the kecamatan its kecamatan-wide disaster struck, with no point of its own.
    assert await indicators(trantib, str(y), wilayah=TENGGARONG_KELURAHAN) == expected(
        (0, 0), (0, 0), (0, 0), (0, 1), (10, 10), (0, 0)
    )
    assert await indicators(trantib, str(y), posyandu_id=a) == expected(
        (2, 4), (1, 3), (13, 15), (1, 1), (50, 60), (320, 400)
    )
    trantib.settings.order_served_formula = "reports_closed"
    response = await trantib.client.get(
        "/v1/indicators", headers=trantib.dpmd, params={"period": f"{y}-03", "wilayah": TENGGARONG}
    )
    served = next(i for i in response.json() if i["code"] == "trantib.order_served")
    assert (served["numerator"], served["denominator"]) == (2, 2)
    assert "reports_closed" in served["definition"]
    assert (await indicators(trantib, str(y)))["order_served"] == (3, 4)


async def test_summary_and_rows_by_desa(trantib: Trantib) -> None:
    y, a, _, _ = await hand_made(trantib)
    params = {"period": str(y), "wilayah": TENGGARONG}
    response = await trantib.client.get("/v1/summary/by-desa", headers=trantib.dpmd, params=params)
    assert response.status_code == 200, response.text
    rows = {r["desa_code"]: r for r in response.json()}
    assert set(rows) == {RAPAK_LAMBUR, MANGKURAWANG, TENGGARONG_KELURAHAN}
    rapak = rows[RAPAK_LAMBUR]
    assert rapak["fires"] == {"fires": 4, "response_met": 2, "inside_wmk": 3, "inside_wmk_met": 1}
    assert rapak["order_reports"] == {
        "opened": 3, "closed": 2, "affected_citizens": 15, "citizens_served": 13,
    }  # fmt: skip
    assert rapak["order_reports_open"] == 1 and rapak["inside_wmk"] is True
    assert rapak["disasters"] == {"disasters": 2, "needing_evacuation": 60, "evacuated": 50}
    assert rapak["risk_information"] == {"zones": 2, "population": 400, "people_reached": 320}
    assert rows[MANGKURAWANG]["disasters"]["disasters"] == 2
    assert rows[TENGGARONG_KELURAHAN]["disasters"]["disasters"] == 1
    assert all(r["linmas_under_strength"] for r in rows.values())  # no Satlinmas recorded
    response = await trantib.client.get(
        "/v1/summary", headers=trantib.dpmd, params={"period": str(y), "posyandu_id": a}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["desa"], body["desa_in_wmk"], body["order_reports_open"]) == (1, 1, 1)
    assert body["fires"]["fires"] == 4 and body["disasters"]["disasters"] == 2
    assert "place" not in response.text and "reporter" not in response.text


async def test_kept_counts_equal_a_full_recount_after_more_writes(trantib: Trantib) -> None:
    y, a, b, _ = await hand_made(trantib)
    before = await indicators(trantib, str(y))
    async with trantib.app.state.db.sessions() as session:  # writes, invalidating as theirs do
        session.add(fire(a, RAPAK_LAMBUR, wita(y, 2, 1, 8), True, 899))
        await tallies.invalidate(session, a, date(y, 2, 1))
        session.add(report(b, MANGKURAWANG, date(y, 5, 1), date(y, 5, 2), 6, 6))
        await tallies.invalidate(session, b, date(y, 5, 1))
        await session.commit()
    after = await indicators(trantib, str(y))
    assert after["fire_response"] == (before["fire_response"][0] + 1, 8)
    assert after["fire_response_wmk"] == (4, 6)
    assert after["order_served"] == (23, 25)
    quarter = await indicators(trantib, f"{y}-Q2")
    async with trantib.app.state.db.sessions() as session:
        await session.execute(delete(TrantibTally))
        await session.commit()
    assert await indicators(trantib, str(y)) == after
    assert await indicators(trantib, f"{y}-Q2") == quarter


async def test_out_of_wilayah_refused(trantib: Trantib) -> None:
    y, _, b, _ = await hand_made(trantib)
    kader = trantib.kader  # Rapak Lambur's
    for params in (
        {"period": str(y), "wilayah": MANGKURAWANG},
        {"period": str(y), "posyandu_id": b},
    ):
        response = await trantib.client.get("/v1/indicators", headers=kader, params=params)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    response = await trantib.client.get(
        "/v1/summary/by-desa", headers=kader, params={"period": str(y), "wilayah": TENGGARONG}
    )
    assert response.status_code == 200  # a parent of the kader's desa: their own part only
    assert [r["desa_code"] for r in response.json()] == [RAPAK_LAMBUR]
    linmas = await trantib.client.get(
        "/v1/indicators", headers=trantib.linmas, params={"period": str(y)}
    )
    assert linmas.status_code == 403  # a Linmas member records; aggregates are not theirs
