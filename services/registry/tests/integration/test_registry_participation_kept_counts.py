"""Each posyandu day's kept kader counts (``kader_expected``, ``kader_present``) equal a full
recount after mixed writes, and participation (summing them) answers as the join it replaced.

The oracle is participation's former query, kept here: every recorded day joined to the kader
appointed that day and their ``present`` attendance, counted per day.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import pytest
from alembic import command
from registry_days_kit import appoint, attend, one_off, pengurus, record
from registry_testkit import SEBULU_DESA, Registry
from sqlalchemy import text

from simpul_platform.migrations import alembic_config, upgrade
from simpul_registry.app import MIGRATIONS

pytestmark = pytest.mark.integration
BEFORE_KEPT = "19d1b2c3d4e5"  # the revision before posyandu_day kept its kader counts

SERENTAK = "2026-05-12"
ORACLE = text(
    """
    SELECT d.posyandu_id, d.day::text, d.held, count(p.id), count(a.person_id)
    FROM posyandu_day d
    LEFT JOIN person p
        ON p.posyandu_id = d.posyandu_id AND p.role = 'kader'
        AND p.start_date <= d.day AND (p.end_date IS NULL OR p.end_date >= d.day)
    LEFT JOIN kader_attendance a
        ON a.posyandu_id = d.posyandu_id AND a.day = d.day AND a.person_id = p.id
        AND a.status = 'present'
    GROUP BY d.posyandu_id, d.day, d.held
    """
)
KEPT = text("SELECT posyandu_id, day::text, held, kader_expected, kader_present FROM posyandu_day")
Days = dict[tuple[str, str], tuple[bool, int, int]]


async def days(registry: Registry, query: Any) -> Days:
    async with registry.app.state.db.sessions() as session:
        rows = (await session.execute(query)).all()
    return {(pid, day): (held, int(wanted), int(came)) for pid, day, held, wanted, came in rows}


async def kept_equals_recount(registry: Registry) -> Days:
    kept = await days(registry, ORACLE)
    assert await days(registry, KEPT) == kept
    return kept


def by_posyandu(kept: Days, start: str, end: str) -> dict[str, tuple[int, int, int]]:
    """The old query's answer per posyandu: held days in the span, present, expected."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (pid, day), (held, wanted, came) in kept.items():
        if held and start <= day <= end:
            row = out[pid]
            row[0], row[1], row[2] = row[0] + 1, row[1] + came, row[2] + wanted
    return {pid: (d, c, w) for pid, (d, c, w) in out.items()}


def answered(response: Any, level: str) -> dict[str, tuple[int, int, int]]:
    assert response.status_code == 200, response.text
    return {
        r["code"]: (r["days"], r["present"], r["expected"])
        for r in response.json()["rows"]
        if r["level"] == level
    }


async def release(registry: Registry, pid: str, person: str, end: str) -> None:
    response = await registry.client.post(
        f"/v1/posyandu/{pid}/people/{person}/release",
        json={"end_date": end},
        headers=registry.dpmd,
    )
    assert response.status_code == 200, response.text


def marks(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"person_id": k, "status": s} for k, s in pairs]


async def test_kept_counts_equal_a_recount_after_mixed_writes(registry: Registry) -> None:
    p1 = (await registry.create("Posyandu Mawar"))["id"]
    p2 = (await registry.create("Posyandu Anggrek", desa=SEBULU_DESA))["id"]
    serentak = await registry.client.post(
        "/v1/serentak-days", headers=registry.dpmd, json={"wilayah": "64.02", "day": SERENTAK}
    )
    assert serentak.status_code == 201, serentak.text
    await one_off(registry, p1, "2026-03-10", "2026-04-14", "2026-06-09")
    await one_off(registry, p2, "2026-04-14")
    k1, k2, k3, k4 = [await appoint(registry, p1, n) for n in (1, 2, 3, 4)]
    k5, k6 = [await appoint(registry, p2, n) for n in (5, 6)]

    # Attendance before the day's record: counted when the record is written.
    await attend(
        registry, p1, "2026-03-10", marks((k1, "present"), (k2, "present"), (k3, "absent"))
    )
    assert (await record(registry, p1, "2026-03-10")).status_code == 200
    # Bulk attendance, then changed: two of the four no longer present.
    await record(registry, p1, "2026-04-14")
    await attend(registry, p1, "2026-04-14", marks(*((k, "present") for k in (k1, k2, k3, k4))))
    await attend(registry, p1, "2026-04-14", marks((k1, "absent"), (k2, "excused")))
    assert (await kept_equals_recount(registry))[(p1, "2026-04-14")] == (True, 4, 2)

    # A kader appointed with a past start date is expected on the recorded days since.
    k7 = await appoint(registry, p1, 7, start="2026-04-01")
    await appoint(registry, p1, 8, role="ketua", field=None)  # a pengurus: not a kader
    await attend(registry, p1, "2026-04-14", marks((k7, "present")))
    await record(registry, p1, SERENTAK)
    await attend(
        registry,
        p1,
        SERENTAK,
        marks((k1, "present"), (k2, "present"), (k3, "present"), (k4, "absent"), (k7, "present")),
    )
    assert (await kept_equals_recount(registry))[(p1, SERENTAK)] == (True, 5, 4)
    # Released before the day: no longer expected there, their present mark no longer counts.
    await release(registry, p1, k3, "2026-05-01")

    # p2's serentak day held with attendance, then re-recorded as not held.
    await record(registry, p2, "2026-04-14")
    await attend(registry, p2, "2026-04-14", marks((k5, "present"), (k6, "present")))
    await record(registry, p2, SERENTAK)
    await attend(registry, p2, SERENTAK, marks((k5, "present")))
    not_held = await record(registry, p2, SERENTAK, held=False, reason="disaster")
    assert not_held.status_code == 200, not_held.text
    await release(registry, p2, k6, "2026-04-14")  # ends on the day: still expected on it

    # The last day's attendance comes as the filled-in sheet.
    await record(registry, p1, "2026-06-09")
    sheet = await registry.client.put(
        f"/v1/posyandu/{p1}/days/2026-06-09/attendance/sheet",
        content=f"person_id,name,field,status\n{k4},Kader Nomor 4,health,present\n",
        headers={**pengurus(registry), "Content-Type": "text/csv"},
    )
    assert sheet.status_code == 200 and sheet.json()["recorded"] == 1, sheet.text

    kept = await kept_equals_recount(registry)
    # Hand count: (held, expected, present).
    assert kept == {
        (p1, "2026-03-10"): (True, 4, 2),
        (p1, "2026-04-14"): (True, 5, 3),  # k3, k4, k7
        (p1, SERENTAK): (True, 4, 3),  # k1, k2, k7 (k3 released on 1 May)
        (p1, "2026-06-09"): (True, 4, 1),  # k1, k2, k4, k7 expected; k4 came
        (p2, "2026-04-14"): (True, 2, 2),
        (p2, SERENTAK): (False, 1, 1),  # not held: kept, but not counted
    }

    year = await registry.client.get(
        "/v1/participation", params={"wilayah": "64.02", "period": "2026"}, headers=registry.dpmd
    )
    assert answered(year, "posyandu") == by_posyandu(kept, "2026-01-01", "2026-12-31")
    assert answered(year, "posyandu") == {p1: (4, 9, 17), p2: (1, 2, 2)}
    assert answered(year, "kabupaten") == {"64.02": (5, 11, 19)}
    on_the_day = await registry.client.get(
        "/v1/participation", params={"serentak_day": serentak.json()["id"]}, headers=registry.dpmd
    )
    assert answered(on_the_day, "posyandu") == by_posyandu(kept, SERENTAK, SERENTAK)
    assert answered(on_the_day, "kabupaten") == {"64.02": (1, 3, 4)}
    assert on_the_day.json()["posyandu_with_day"] == 1


async def test_the_migration_backfills_what_a_recount_gives(registry: Registry) -> None:
    """Days recorded before the columns existed get their counts from the migration's UPDATE."""
    pid = (await registry.create("Posyandu Mawar"))["id"]
    await one_off(registry, pid, "2026-03-10", "2026-04-14")
    k1, k2, k3 = [await appoint(registry, pid, n) for n in (1, 2, 3)]
    await release(registry, pid, k3, "2026-03-31")
    for day in ("2026-03-10", "2026-04-14"):
        await record(registry, pid, day)
        await attend(registry, pid, day, marks((k1, "present"), (k2, "absent")))
    await record(registry, pid, "2026-04-14", held=False, reason="weather")
    before = await kept_equals_recount(registry)

    url = registry.app.state.db.url
    await asyncio.to_thread(command.downgrade, alembic_config(MIGRATIONS, url), BEFORE_KEPT)
    await upgrade(MIGRATIONS, url)
    assert await kept_equals_recount(registry) == before
    assert before == {(pid, "2026-03-10"): (True, 3, 1), (pid, "2026-04-14"): (False, 2, 1)}
