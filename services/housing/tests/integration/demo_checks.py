"""What the housing demo test checks of the demo's cases (``simpul_housing.demo_cases``): the
rows read back from PostgreSQL, the states each workflow reached, dates in order and in the
past, and the counts the loader returned."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from simpul_housing.models import (
    Assessment,
    DisasterEvent,
    DisasterHouse,
    DisasterHouseHistory,
    House,
    HousingAid,
    RelocationHistory,
    RelocationHousehold,
    RelocationProgramme,
    RtlhCase,
    RtlhCaseHistory,
)
from simpul_housing.settings import HousingSettings
from simpul_platform.db import Database

RTLH_STATUSES = {
    "reported",
    "surveyed",
    "verified",
    "prioritised",
    "proposed",
    "assigned",
    "in_construction",
    "handled",
    "rlh",
    "rejected",
}
AIDED = {"assigned", "in_construction", "handled", "rlh"}
DAMAGE = {"rr", "rs", "rb", "hilang", "belum_ditentukan"}
DISASTER_STATUSES = {"reported", "assessed", "undetermined", "fixed", "in_handling", "completed"}
RELOCATION_STATUSES = {"affected", "eligible", "not_eligible", "facilitated", "housed"}


async def rows(db: Database, model: Any) -> list[Any]:
    async with db.sessions() as session:
        return list((await session.execute(select(model))).scalars().all())


def in_order(history: Iterable[Any], key: str, today: date) -> None:
    """Each case's steps dated in the order they were taken, none after today."""
    steps: dict[str, list[Any]] = {}
    for step in history:
        steps.setdefault(getattr(step, key), []).append(step)
    for taken in steps.values():
        dates = [s.step_on for s in sorted(taken, key=lambda s: s.id)]
        assert dates == sorted(dates) and dates[-1] <= today, dates


def by_status(found: Sequence[Any], prefix: str, counts: dict[str, int]) -> Counter[str]:
    """The rows per status, equal to the loader's ``<prefix>_<status>`` counts."""
    statuses = Counter(r.status for r in found)
    assert {s: counts.get(f"{prefix}_{s}", 0) for s in statuses} == dict(statuses)
    return statuses


async def check_rtlh(
    db: Database, settings: HousingSettings, counts: dict[str, int], today: date
) -> list[RtlhCase]:
    cases: list[RtlhCase] = await rows(db, RtlhCase)
    houses = {h.id: h for h in await rows(db, House)}
    surveys: list[Assessment] = await rows(db, Assessment)
    aid: list[HousingAid] = await rows(db, HousingAid)
    assert len(cases) == counts["rtlh_cases"] and set(by_status(cases, "rtlh", counts)) == (
        RTLH_STATUSES
    )
    reasons = Counter(c.rejection_reason for c in cases if c.status == "rejected")
    assert set(reasons) == {"land_illegal", "not_mbr", "already_aided"}
    assert {r: counts[f"rtlh_rejected_{r}"] for r in reasons} == dict(reasons)
    assert len(cases) < len(houses) / 2  # a share of the houses, not all
    in_order(await rows(db, RtlhCaseHistory), "case_id", today)
    declared = {s.house_id for s in surveys if s.previous_aid_year is not None}
    for case in cases:
        house = houses[case.house_id]
        assert case.reported_on <= today and (case.closed_on or case.reported_on) <= today
        assert house.rtlh_pupr is (case.status != "rlh")  # the works made it livable
        if case.rejection_reason == "land_illegal":
            assert house.land_status in settings.rtlh_refused_land
        elif case.status in ("proposed", *AIDED):
            assert house.land_status not in settings.rtlh_refused_land
        if case.rejection_reason == "already_aided":
            assert case.house_id in declared  # the resurvey learnt of the earlier aid
    assert len(surveys) == counts["surveyed"] + counts["case_surveys"]
    assert {a.case_id for a in aid if a.source == "rtlh_case"} == {
        c.id for c in cases if c.status in AIDED
    }
    for a in aid:
        if a.source == "rtlh_case":
            low, high = settings.aid_amount_range[a.program]
            assert a.amount is not None and low <= a.amount <= high
    return cases


async def check_disaster(
    db: Database, counts: dict[str, int], today: date, cases: list[RtlhCase]
) -> list[DisasterHouse]:
    (event,) = await rows(db, DisasterEvent)
    units: list[DisasterHouse] = await rows(db, DisasterHouse)
    assert event.kind == "banjir" and event.wilayah_code == "64.02.06"  # Tenggarong has houses
    assert event.sk_number and event.sk_date and event.occurred_on < event.sk_date < today
    assert event.planned_year == today.year
    assert len(units) == counts["disaster_houses"] and counts["disasters"] == 1
    assert set(by_status(units, "disaster", counts)) == DISASTER_STATUSES
    assert {u.damage for u in units} == DAMAGE | {None}  # None: not assessed yet
    assert not {u.house_id for u in units} & {c.house_id for c in cases}
    for unit in units:
        fixed = unit.status in ("fixed", "in_handling", "completed")
        assert (unit.planned_year == today.year) is fixed
        assert (unit.damage is None) is (unit.status == "reported")
        assert (unit.damage == "belum_ditentukan") is (unit.status == "undetermined")
        if unit.status == "assessed":
            assert unit.assessed_on and unit.assessed_on > event.sk_date  # after the SK
        assert (unit.handling is not None) is (unit.status in ("in_handling", "completed"))
        assert (unit.completed_on is not None) is (unit.status == "completed")
    assert {u.damage for u in units if u.status == "completed"} >= {"rr", "rs", "rb"}
    in_order(await rows(db, DisasterHouseHistory), "disaster_house_id", today)
    aid = {a.case_id for a in await rows(db, HousingAid) if a.source == "disaster"}
    assert aid == {u.id for u in units if u.status == "completed"}
    return units


async def check_relocation(
    db: Database, counts: dict[str, int], today: date
) -> list[RelocationHousehold]:
    (programme,) = await rows(db, RelocationProgramme)
    moved: list[RelocationHousehold] = await rows(db, RelocationHousehold)
    assert programme.year == today.year and programme.wilayah_code == "64.02.06"
    assert len(moved) == counts["relocation_households"]
    assert set(by_status(moved, "relocation", counts)) == RELOCATION_STATUSES
    for row in moved:
        meets = {"affected": None, "not_eligible": False}.get(row.status, True)
        assert row.meets_criteria is meets
        assert (row.facilitated_on is not None) is (row.status in ("facilitated", "housed"))
    in_order(await rows(db, RelocationHistory), "relocation_id", today)
    return moved


def spm_by_hand(
    units: list[DisasterHouse], moved: list[RelocationHousehold], year: int
) -> dict[str, tuple[int, int]]:
    """Permen PUPR 29/2018 Lampiran II: units completed in year t of those planned for t;
    relocated households facilitated of those meeting the criteria, in year t."""
    planned = [u for u in units if u.planned_year == year]
    done = [u for u in planned if u.completed_on and u.completed_on.year == year]
    meeting = [m for m in moved if m.year == year and m.meets_criteria]
    facilitated = [m for m in meeting if m.facilitated_on and m.facilitated_on.year <= year]
    return {
        "housing.disaster_victims": (len(done), len(planned)),
        "housing.relocation": (len(facilitated), len(meeting)),
    }
