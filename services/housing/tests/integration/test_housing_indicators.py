"""SPM perumahan kept per posyandu and month, over the real PostgreSQL and Kafka: the indicators
and the rows by desa equal hand counts of a hand-made set (a survey superseded after a period's
end, units planned for another year, households not meeting the criteria), each existing write
drops the counts it changes (a survey also those of the posyandu a stunted household living
there was reported at), and the aggregate roles read while kader and opd stay in their wilayah."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from housing_testkit import LIVABLE_SURVEY, MANGKURAWANG, SEBULU, TENGGARONG, Housing
from sqlalchemy import delete, func, select

from simpul_housing.models import (
    DisasterEvent,
    DisasterHouse,
    HousingTally,
    RelocationHousehold,
    RelocationProgramme,
    RtlhCase,
    StuntedHousehold,
)
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.events import new_id

pytestmark = pytest.mark.integration
TALLY = HousingTally.__table__  # type: ignore[attr-defined]
MOMENT = datetime(2026, 1, 1, tzinfo=UTC)
WHO: dict[str, Any] = {"created_by": "test", "created_at": MOMENT}
UPDATED: dict[str, Any] = {"updated_by": "test", "updated_at": MOMENT}
CRAMPED = {"floor_area_m2": 40.0}  # 8 m² for 5: RTLH under PUPR (9), RLH under Rutilahu (7.2)
TINY = {"floor_area_m2": 30.0}  # 6 m² for 5: RTLH under both


async def surveyed(housing: Housing, house_id: str, on: str, **change: Any) -> None:
    body = {**LIVABLE_SURVEY, "surveyed_on": on, **change}
    response = await housing.client.post(
        f"/v1/houses/{house_id}/assessments", json=body, headers=housing.opd
    )
    assert response.status_code == 201, response.text


async def indicators(
    housing: Housing, period: str, headers: dict[str, str] | None = None, **scope: str
) -> dict[str, tuple[int, int]]:
    response = await housing.client.get(
        "/v1/indicators", headers=headers or housing.dpmd, params={"period": period, **scope}
    )
    assert response.status_code == 200, response.text
    return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()}


async def tally_rows(db: Database, posyandu_id: str, month: date) -> int:
    async with db.sessions() as session:
        query = select(func.count()).where(
            TALLY.c.posyandu_id == posyandu_id, TALLY.c.month == month
        )
        return int((await session.execute(query)).scalar_one())


async def facts(db: Database, a: str, b: str, houses: dict[str, dict[str, Any]]) -> None:
    """What other writes record, inserted directly: RTLH cases handled, disaster units,
    relocated households and stunted children's households."""
    h2, h4 = houses["h2"], houses["h4"]
    event, programme = new_id(), new_id()
    where = {"posyandu_id": a, "desa_code": h2["desa_code"]}
    at_b = {"posyandu_id": b, "desa_code": h4["desa_code"]}

    def case(handled: date) -> RtlhCase:
        closed = {"status": "rlh", "source": "survey", "reported_on": date(2025, 1, 2)}
        return RtlhCase(id=new_id(), house_id=h2["id"], household_ref="r", **where, **closed,
                        handled_on=handled, **WHO, **UPDATED)  # fmt: skip

    def unit(planned: int, completed: date | None) -> DisasterHouse:
        return DisasterHouse(id=new_id(), event_id=event, **where, status="x", source="rest",
                             reported_on=date(2025, 5, 1), planned_year=planned,
                             completed_on=completed, **WHO, **UPDATED)  # fmt: skip

    def moved(year: int, meets: bool, facilitated: date | None) -> RelocationHousehold:
        return RelocationHousehold(id=new_id(), programme_id=programme, kk="6402060000000009",
                                   household_ref=new_id(), **at_b, status="x", year=year,
                                   meets_criteria=meets, facilitated_on=facilitated, **WHO,
                                   **UPDATED)  # fmt: skip

    def stunted(ref: str, found: date) -> StuntedHousehold:
        return StuntedHousehold(household_ref=ref, **where, first_detected_on=found,
                                last_detected_on=found, last_event_id=new_id())  # fmt: skip

    async with db.transaction() as session:
        session.add(DisasterEvent(id=event, kind="banjir", name="Banjir", source="rest",
                                  occurred_on=date(2025, 5, 1), wilayah_code=TENGGARONG,
                                  **WHO, **UPDATED))  # fmt: skip
        session.add(RelocationProgramme(id=programme, name="Bendungan", wilayah_code=TENGGARONG,
                                        year=2026, reason="bendungan", **WHO))  # fmt: skip
        await session.flush()
        session.add_all([case(date(2026, 4, 10)), case(date(2025, 11, 1))])
        session.add_all([unit(2026, date(2026, 3, 1)), unit(2026, None)])
        session.add(unit(2025, date(2026, 2, 1)))  # planned for 2025, done late: not 2025's
        session.add_all([moved(2026, True, date(2026, 2, 15)), moved(2026, True, None)])
        session.add_all([moved(2026, False, date(2026, 2, 1)), moved(2025, True, date(2025, 8, 1))])
        session.add(stunted(h2["households"][0]["household_ref"], date(2026, 1, 5)))
        session.add(stunted(h4["households"][0]["household_ref"], date(2026, 2, 1)))
        session.add(stunted("no-known-house", date(2025, 12, 1)))


async def hand_made_set(housing: Housing) -> tuple[str, str, dict[str, dict[str, Any]]]:
    """Posyandu a (Rapak Lambur: h1 livable in 2025 and cramped from March 2026, h2 tiny from
    February 2026, h3 never surveyed), b (Mangkurawang: h4 livable from January 2026), c
    (Sebulu: h5 tiny); the facts of ``facts`` at a and b."""
    a = await housing.known_posyandu()
    b = await housing.known_posyandu(MANGKURAWANG)
    c = await housing.known_posyandu(SEBULU)
    houses = {
        "h1": await housing.house(a, kks=("6402061000000001",)),
        "h2": await housing.house(a, kks=("6402061000000002",)),
        "h3": await housing.house(a, kks=("6402061000000003",)),
        "h4": await housing.house(b, kks=("6402061000000004",)),
        "h5": await housing.house(c, kks=("6402071000000005",)),
    }
    await surveyed(housing, houses["h1"]["id"], "2025-06-01")
    await surveyed(housing, houses["h1"]["id"], "2026-03-02", **CRAMPED)
    await surveyed(housing, houses["h2"]["id"], "2026-02-01", **TINY)
    await surveyed(housing, houses["h4"]["id"], "2026-01-10")
    await surveyed(housing, houses["h5"]["id"], "2026-05-05", **TINY)
    await facts(housing.app.state.db, a, b, houses)
    return a, b, houses


async def test_indicators_and_desa_rows_equal_hand_counts(housing: Housing) -> None:
    _, b, _ = await hand_made_set(housing)
    year = await indicators(housing, "2026", wilayah=TENGGARONG)
    assert year["housing.rlh_pupr"] == (1, 3)  # h4; h1 cramped, h2 tiny
    assert year["housing.rlh_rutilahu"] == (2, 3)  # h1 and h4
    assert year["housing.disaster_victims"] == (1, 2)
    assert year["housing.relocation"] == (1, 2)  # not meeting the criteria: not counted
    assert year["housing.stunted_in_rtlh"] == (1, 3)  # h2's household
    assert year["housing.referrals_resolved_in_time"] == (0, 0)

    february = await indicators(housing, "2026-02", wilayah=TENGGARONG)
    assert february["housing.rlh_pupr"] == (2, 3)  # h1 still by its 2025 survey
    assert february["housing.disaster_victims"] == (0, 2)  # the year to date
    assert february["housing.relocation"] == (1, 2)
    january = await indicators(housing, "2026-01", wilayah=TENGGARONG)
    assert january["housing.stunted_in_rtlh"] == (0, 2)  # h2 not surveyed yet
    last_year = await indicators(housing, "2025", wilayah=TENGGARONG)
    assert last_year["housing.rlh_pupr"] == (1, 1)
    assert last_year["housing.disaster_victims"] == (0, 1)
    assert last_year["housing.relocation"] == (1, 1)
    assert last_year["housing.stunted_in_rtlh"] == (0, 1)
    assert (await indicators(housing, "2026-Q1", posyandu_id=b))["housing.relocation"] == (1, 2)
    kabupaten = await indicators(housing, "2026", wilayah="64.02")
    assert kabupaten["housing.rlh_pupr"] == (1, 4)  # and Sebulu's h5

    response = await housing.client.get(
        "/v1/summary/by-desa", headers=housing.dpmd, params={"period": "2026", "wilayah": "64.02"}
    )
    rows = {r["desa_code"]: r for r in response.json()}
    assert len(rows) == 3
    mine = rows["64.02.06.2012"]
    assert (mine["houses"], mine["surveyed"], mine["rtlh_pupr"], mine["rtlh_rutilahu"]) == (
        3, 2, 2, 1)  # fmt: skip
    assert (mine["rtlh_handled"], mine["disaster_units_planned"]) == (1, 2)
    assert (mine["disaster_units_completed"], mine["stunted_households"]) == (1, 3)
    assert (rows[SEBULU]["rtlh_pupr"], rows[SEBULU]["rtlh_pupr_percent"]) == (1, 100.0)

    db: Database = housing.app.state.db
    async with db.sessions() as session:  # counted from scratch: the same
        await session.execute(delete(TALLY))
        await session.commit()
    assert await indicators(housing, "2026", wilayah=TENGGARONG) == year


async def test_the_summary_shows_one_posyandus_current_figures(housing: Housing) -> None:
    a, _, _ = await hand_made_set(housing)
    response = await housing.client.get(
        "/v1/summary", headers=housing.dpmd, params={"period": "2026-11", "posyandu_id": a}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["houses"], body["surveyed"], body["rtlh_pupr"], body["rtlh_rutilahu"]) == (
        3, 2, 2, 1)  # fmt: skip
    assert body["rtlh_cases"] == {"open": 0, "by_status": {}}  # both cases closed
    assert body["disaster_houses_open"] == 1
    assert body["referrals"]["open"] == 0 and body["posyandu_id"] == a
    assert "households" not in str(body) and "kk" not in body


async def test_each_write_drops_the_counts_it_changes(housing: Housing) -> None:
    a, b, houses = await hand_made_set(housing)
    db: Database = housing.app.state.db
    assert (await indicators(housing, "2026-10", wilayah=TENGGARONG))["housing.rlh_pupr"] == (
        1, 3)  # fmt: skip
    await indicators(housing, "2026-11", wilayah=TENGGARONG)
    assert await tally_rows(db, a, date(2026, 11, 1)) > 0

    await surveyed(housing, houses["h3"]["id"], "2026-11-01", **TINY)
    assert await tally_rows(db, a, date(2026, 11, 1)) == 0  # dropped with the write
    assert await tally_rows(db, a, date(2026, 10, 1)) > 0  # a month before it stays
    assert await tally_rows(db, b, date(2026, 11, 1)) > 0  # another posyandu's stay
    november = await indicators(housing, "2026-11", wilayah=TENGGARONG)
    assert november["housing.rlh_pupr"] == (1, 4)
    assert (await indicators(housing, "2026-10", wilayah=TENGGARONG))["housing.rlh_pupr"] == (
        1, 3)  # fmt: skip

    # h4 is at b, but its household was found stunted at a: a survey there changes both.
    assert november["housing.stunted_in_rtlh"] == (1, 3)
    await surveyed(housing, houses["h4"]["id"], "2026-11-02", **TINY)
    assert await tally_rows(db, a, date(2026, 11, 1)) == 0
    assert await tally_rows(db, b, date(2026, 11, 1)) == 0
    assert (await indicators(housing, "2026-11", wilayah=TENGGARONG))[
        "housing.stunted_in_rtlh"
    ] == (2, 3)

    this_month = local_today(housing.settings).replace(day=1)
    await indicators(housing, this_month.strftime("%Y-%m"), posyandu_id=b)
    assert await tally_rows(db, b, this_month) > 0
    await housing.house(b, kks=("6402061000000006",))
    assert await tally_rows(db, b, this_month) == 0  # a house recorded: counted from today


async def test_aggregate_roles_read_and_kader_and_opd_stay_in_their_wilayah(
    housing: Housing,
) -> None:
    _, b, _ = await hand_made_set(housing)
    for role in ("dpmd", "tp:kabupaten", "gateway"):
        headers = housing.auth([role], ["64.02"])
        assert (await indicators(housing, "2026", headers, wilayah=TENGGARONG))[
            "housing.rlh_pupr"
        ] == (1, 3)
    kader = await indicators(housing, "2026", housing.kader, wilayah=TENGGARONG)
    assert kader["housing.rlh_pupr"] == (0, 2)  # Rapak Lambur's part only
    assert kader["housing.relocation"] == (0, 0)  # Mangkurawang's households are not counted
    elsewhere = housing.auth(["opd:housing"], ["64.71"], sub="perkim-samarinda")
    for params in ({"posyandu_id": b}, {"wilayah": TENGGARONG}):
        for path in ("/v1/indicators", "/v1/summary"):
            refused = await housing.client.get(
                path, headers=elsewhere, params={"period": "2026", **params}
            )
            assert refused.status_code == 403, (path, params, refused.text)
    other_field = housing.auth(["kader:health"], ["64.02"])
    refused = await housing.client.get(
        "/v1/indicators", headers=other_field, params={"period": "2026"}
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    by_kader = await housing.client.get(
        "/v1/summary", headers=housing.kader, params={"period": "2026", "posyandu_id": b}
    )
    assert by_kader.status_code == 403
