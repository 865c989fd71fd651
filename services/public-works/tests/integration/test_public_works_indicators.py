"""SPM pekerjaan umum kept per posyandu and month, over the real PostgreSQL and Kafka: the
indicators, the summary and the rows by desa equal hand counts of a hand-made set (a survey
backfilled before a later one, households known from other fields, issues at every step
inserted directly), the kept counts equal a full recount after mixed writes, and the aggregate
roles read aggregates but not households."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from public_works_testkit import MANGKURAWANG, RAPAK_LAMBUR, SAFE_SURVEY, PublicWorks
from sqlalchemy import delete, func, select

from simpul_platform.db import Database
from simpul_platform.events import new_id
from simpul_public_works.domain import indicators as d
from simpul_public_works.models import InfrastructureIssue, KnownHousehold, PublicWorksTally

pytestmark = pytest.mark.integration
TALLY = PublicWorksTally.__table__  # type: ignore[attr-defined]
MOMENT = datetime(2026, 1, 1, tzinfo=UTC)
KK1, KK2, KK3, KK4 = (f"640206123456000{n}" for n in range(1, 5))
# Unprotected well near a waste point, no toilet: tidak_layak, BABS, no basic water or service.
WORST: dict[str, Any] = {
    "water_source": "sumur_tidak_terlindung",
    "distance_to_waste_m": 5.0,
    "e_coli": None,
    "toilet_facility": "tidak_ada",
    "toilet_type": "tidak_ada",
    "faeces_disposal": "pantai_tanah_lapang_kebun",
    "septic_emptied_on": None,
}
# A protected well, 55 litres: layak_dasar without basic daily water; own septic tank never
# emptied: layak_sendiri, SPALD-S.
SHORT: dict[str, Any] = {
    "water_source": "sumur_terlindung",
    "distance_to_waste_m": 12.0,
    "e_coli": None,
    "litres_per_person_day": 55.0,
    "septic_emptied_on": None,
}


async def surveyed(
    pw: PublicWorks, kk: str, posyandu: str, on: str, occupants: int, **change: Any
) -> None:
    body = {**SAFE_SURVEY, "kk": kk, "posyandu_id": posyandu, "surveyed_on": on,
            "occupants": occupants, **change}  # fmt: skip
    response = await pw.client.post("/v1/wash-surveys", json=body, headers=pw.opd)
    assert response.status_code == 201, response.text


def dpmd(pw: PublicWorks) -> dict[str, str]:
    return pw.auth(["dpmd"], ["64.02"], sub="dpmd-kukar")


async def indicators(pw: PublicWorks, period: str, **scope: str) -> dict[str, tuple[int, int]]:
    response = await pw.client.get(
        "/v1/indicators", headers=dpmd(pw), params={"period": period, **scope}
    )
    assert response.status_code == 200, response.text
    return {
        i["code"]: (i["numerator"], i["denominator"])
        for i in response.json()
        if i["code"].startswith("public_works.") and "referral" not in i["code"]
    }


def issue(posyandu: str, reported: date, status: str, **steps: Any) -> InfrastructureIssue:
    return InfrastructureIssue(
        id=steps.pop("id", None) or new_id(), posyandu_id=posyandu, desa_code=RAPAK_LAMBUR,
        kind="jalan_desa", severity="sedang", status=status, latitude=-0.42, longitude=117.0,
        source="kader", reported_on=reported, created_by="t", created_at=MOMENT,
        updated_by="t", updated_at=MOMENT, **steps,
    )  # fmt: skip


async def facts(db: Database, pw: PublicWorks, a: str) -> None:
    """Households other fields made known and issues at every step, inserted directly."""
    first = new_id()

    def known(ref: str, on: date) -> KnownHousehold:
        return KnownHousehold(household_ref=ref, posyandu_id=a, desa_code=RAPAK_LAMBUR,
                              source="health", known_on=on, last_event_id=new_id())  # fmt: skip

    async with db.sessions() as session:
        session.add(issue(a, date(2026, 9, 1), "reported", id=first))
        await session.flush()
        session.add_all([
            known("ref-x", date(2026, 5, 1)),
            known(pw.household_ref(KK1), date(2026, 2, 1)),  # surveyed here too: once
            known("ref-y", date(2026, 12, 1)),
            issue(a, date(2026, 10, 25), "reported"),
            issue(a, date(2026, 3, 1), "done", triaged_on=date(2026, 3, 5),
                  scheduled_on=date(2026, 4, 1), budget_year=2026, done_on=date(2026, 11, 10)),
            issue(a, date(2026, 9, 2), "reported", duplicate_of=first),
            issue(a, date(2026, 6, 1), "forwarded", triaged_on=date(2026, 6, 2),
                  forwarded_on=date(2026, 8, 15)),
            issue(a, date(2025, 5, 1), "scheduled", triaged_on=date(2025, 5, 2),
                  scheduled_on=date(2025, 6, 1), budget_year=2025),
            issue(a, date(2026, 2, 1), "declined", declined_on=date(2026, 2, 10)),
        ])  # fmt: skip
        await session.commit()


async def hand_made(pw: PublicWorks) -> tuple[str, str]:
    a = await pw.known_posyandu(RAPAK_LAMBUR)
    b = await pw.known_posyandu(MANGKURAWANG)
    # The November survey first, then March's backfilled: October counts March's.
    await surveyed(pw, KK1, a, "2026-11-15", 6, **WORST)
    await surveyed(pw, KK1, a, "2026-03-02", 5)
    await surveyed(pw, KK2, a, "2026-11-20", 3, **SHORT)
    await surveyed(pw, KK3, b, "2026-06-01", 4)
    await facts(pw.app.state.db, pw, a)
    return a, b


OCTOBER_A = {
    d.COVERAGE: (1, 2),  # KK1 (surveyed in March), ref-x; KK2 and ref-y known later
    d.BASIC_WATER: (5, 5),
    d.WASTEWATER: (5, 5),
    d.BABS: (0, 1),
    d.SAFE_WATER: (1, 1),
    d.SANITATION_LAYAK: (1, 1),
    d.ISSUES_OVERDUE: (3, 5),  # not triaged since 1 Sep; forwarded 15 Aug; budget year 2025
    d.ISSUES_DONE: (0, 5),
}
YEAR_A = {
    d.COVERAGE: (2, 4),
    d.BASIC_WATER: (0, 9),  # KK1's 6 (November's survey) and KK2's 3
    d.WASTEWATER: (3, 9),
    d.BABS: (1, 2),
    d.SAFE_WATER: (0, 2),
    d.SANITATION_LAYAK: (1, 2),
    d.ISSUES_OVERDUE: (4, 4),
    d.ISSUES_DONE: (1, 5),
}


async def test_indicators_equal_hand_counts(public_works: PublicWorks) -> None:
    a, _ = await hand_made(public_works)
    assert await indicators(public_works, "2026-10", posyandu_id=a) == OCTOBER_A
    assert await indicators(public_works, "2026", posyandu_id=a) == YEAR_A
    kukar = await indicators(public_works, "2026", wilayah="64.02")
    assert kukar[d.COVERAGE] == (3, 5) and kukar[d.BASIC_WATER] == (4, 13)
    assert kukar[d.WASTEWATER] == (7, 13) and kukar[d.BABS] == (1, 3)
    assert await indicators(public_works, "2026-Q4", posyandu_id=a) == YEAR_A
    october = await indicators(public_works, "2026-10", wilayah="64.02")
    assert october[d.COVERAGE] == (2, 3) and october[d.BASIC_WATER] == (9, 9)


async def test_rows_by_desa_and_the_summary(public_works: PublicWorks) -> None:
    a, _ = await hand_made(public_works)
    response = await public_works.client.get(
        "/v1/summary/by-desa", headers=dpmd(public_works), params={"period": "2026"}
    )
    assert response.status_code == 200, response.text
    rows = {row["desa_code"]: row for row in response.json()}
    assert rows[RAPAK_LAMBUR] == {
        "desa_code": RAPAK_LAMBUR, "households_known": 4, "households_surveyed": 2,
        "survey_coverage_percent": 50.0, "population_surveyed": 9, "population_basic_water": 0,
        "basic_water_percent": 0.0, "population_wastewater_service": 3,
        "wastewater_percent": 33.33, "households_without_basic_water": 2,
        "households_babs": 1, "households_without_layak_sanitation": 1,
        "households_safe_water": 0, "issues_open": 4, "issues_overdue": 4, "issues_done": 1,
    }  # fmt: skip
    assert rows[MANGKURAWANG]["households_surveyed"] == 1
    assert rows[MANGKURAWANG]["population_basic_water"] == 4

    response = await public_works.client.get(
        "/v1/summary", headers=dpmd(public_works), params={"period": "2026", "posyandu_id": a}
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["households_known"] == 4 and summary["households_surveyed"] == 2
    assert summary["population_surveyed"] == 9 and summary["households_babs"] == 1
    assert summary["water_levels"] == {"layak_dasar": 1, "tidak_layak": 1}
    assert summary["sanitation_levels"] == {"babs": 1, "layak_sendiri": 1}
    assert summary["issues"] == {
        "open": 4,
        "overdue": 4,
        "by_status": {"forwarded": 1, "reported": 2, "scheduled": 1},
        "by_kind": {"jalan_desa": 4},
    }
    assert summary["referrals"]["open"] == 0


async def test_kept_counts_equal_a_full_recount_after_mixed_writes(
    public_works: PublicWorks,
) -> None:
    a, b = await hand_made(public_works)
    periods = ("2026-10", "2026-06", "2026")
    for period in periods:  # counted and kept
        await indicators(public_works, period, wilayah="64.02")
    # KK2 backfilled in September (October counts it now), a new household at B in a batch
    await surveyed(public_works, KK2, a, "2026-09-01", 3)
    items = [{**SAFE_SURVEY, "kk": KK4, "posyandu_id": b, "surveyed_on": "2026-10-10",
              "occupants": 2, **WORST}]  # fmt: skip
    batch = await public_works.client.post(
        "/v1/wash-survey-batches", json={"items": items}, headers=public_works.opd
    )
    assert batch.status_code == 200 and batch.json()["created"] == 1, batch.text
    kept = {p: await indicators(public_works, p, wilayah="64.02") for p in periods}
    assert kept["2026-10"][d.COVERAGE] == (4, 5)  # KK1, KK2, ref-x, KK3, KK4
    assert kept["2026-10"][d.BABS] == (1, 4)
    async with public_works.app.state.db.sessions() as session:
        await session.execute(delete(TALLY))
        await session.commit()
    assert {p: await indicators(public_works, p, wilayah="64.02") for p in periods} == kept


async def test_a_survey_drops_its_posyandus_counts_from_its_month(
    public_works: PublicWorks,
) -> None:
    a, b = await hand_made(public_works)
    for period in ("2026-08", "2026-09", "2026-10"):
        await indicators(public_works, period, wilayah="64.02")
    await surveyed(public_works, KK2, a, "2026-09-01", 3)
    async with public_works.app.state.db.sessions() as session:
        query = select(TALLY.c.posyandu_id, TALLY.c.month, func.count()).group_by(
            TALLY.c.posyandu_id, TALLY.c.month
        )
        kept = {(p, m) for p, m, _ in await session.execute(query)}
    assert (a, date(2026, 8, 1)) in kept and (b, date(2026, 9, 1)) in kept
    assert (a, date(2026, 9, 1)) not in kept and (a, date(2026, 10, 1)) not in kept


async def test_the_aggregate_roles_read_aggregates_but_not_households(
    public_works: PublicWorks,
) -> None:
    a, _ = await hand_made(public_works)
    reader = dpmd(public_works)
    for path in ("/v1/indicators", "/v1/summary", "/v1/summary/by-desa"):
        response = await public_works.client.get(path, headers=reader, params={"period": "2026"})
        assert response.status_code == 200, (path, response.text)
        assert KK1 not in response.text
    households = await public_works.client.get("/v1/households", headers=reader)
    assert households.status_code == 403
    assert households.headers["content-type"] == "application/problem+json"
    elsewhere = public_works.auth(["dpmd"], ["64.03"])
    outside = await public_works.client.get(
        "/v1/summary", headers=elsewhere, params={"period": "2026", "posyandu_id": a}
    )
    assert outside.status_code == 403
