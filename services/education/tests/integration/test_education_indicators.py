"""SPM pendidikan kept per posyandu and month, over the real database: the indicators and the
rows by desa equal hand counts of a hand-made set (ages crossing groups at month ends, a
status dated after a period's end left out of it), still after a backfill and after many
concurrent writes during reads; and the same numbers on SQLite, the quick start's database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from education_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, TENGGARONG, Education
from sqlalchemy import delete, func, select

from simpul_education.app import create_app
from simpul_education.models import EducationTally
from simpul_education.settings import EducationSettings
from simpul_platform.auth import mint_token
from simpul_platform.db import Database
from simpul_platform.events import Envelope, new_id
from simpul_platform.replica import PosyanduRegistered, apply_posyandu_event
from simpul_platform.testing.asgi import running_app

pytestmark = pytest.mark.integration
TALLY = EducationTally.__table__  # type: ignore[attr-defined]
PAUD = {"status": "paud", "unit_name": "TK Melati"}


@dataclass
class Site:
    """An education service as the scenario drives it: a client and two callers."""

    client: httpx.AsyncClient
    opd: dict[str, str]
    dpmd: dict[str, str]

    async def child(self, posyandu_id: str, born: date, serial: int, sex: str = "L") -> str:
        """A child registered with a NIK made for ``born`` (women's day + 40); its id."""
        day = born.day + (40 if sex == "P" else 0)
        nik = f"640206{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        body = {
            "nik": nik,
            "kk": f"640206000000{serial:04d}",
            "name": f"Anak {serial}",
            "sex": sex,
            "birth_date": born.isoformat(),
            "posyandu_id": posyandu_id,
        }
        response = await self.client.post("/v1/children", json=body, headers=self.opd)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def status(self, child_id: str, on: str, status: str, **more: Any) -> None:
        body = {"status": status, "on": on, "source": "kader_census", **more}
        response = await self.client.post(
            f"/v1/children/{child_id}/status", json=body, headers=self.opd
        )
        assert response.status_code == 201, response.text

    async def indicators(self, period: str, **scope: str) -> dict[str, tuple[int, int]]:
        response = await self.client.get(
            "/v1/indicators", headers=self.dpmd, params={"period": period, **scope}
        )
        assert response.status_code == 200, response.text
        return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()}

    async def by_desa(self, period: str, wilayah: str) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/v1/summary/by-desa", headers=self.dpmd, params={"period": period, "wilayah": wilayah}
        )
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows


async def hand_made_set(site: Site, a: str, b: str, c: str) -> dict[str, str]:
    """Posyandu ``a`` (Rapak Lambur), ``b`` (Mangkurawang, both in Tenggarong) and ``c``
    (Sebulu): the children and statuses the hand counts below are made from."""
    kids = {
        "a1": await site.child(a, date(2020, 12, 15), 1, "P"),  # 4 in Nov 2025, 5 in Dec
        "a2": await site.child(a, date(2019, 1, 2), 2),  # 6 in Dec 2025, 7 in Jan 2026
        "a3": await site.child(a, date(2018, 12, 20), 3),  # 6 in Nov 2025, 7 in Dec
        "a4": await site.child(a, date(2010, 6, 15), 4, "P"),  # 15
        "a5": await site.child(a, date(2008, 2, 10), 5),  # 17
        "a6": await site.child(a, date(2023, 5, 5), 6),  # 2, nothing recorded
        "b1": await site.child(b, date(2020, 3, 3), 7),  # 5
        "b2": await site.child(b, date(2012, 9, 9), 8, "P"),  # 13
        "c1": await site.child(c, date(2020, 6, 6), 9),  # 5, in Sebulu
    }
    await site.status(kids["a1"], "2025-09-01", **PAUD)
    await site.status(kids["a2"], "2025-07-01", **PAUD)
    await site.status(kids["a3"], "2025-07-14", "sd", kelas=1)
    await site.status(kids["a4"], "2025-03-01", "out_of_school")
    await site.status(kids["a4"], "2026-01-10", "paket_b")  # after 2025 ended
    await site.status(kids["a5"], "2025-08-01", "paket_c")
    await site.status(kids["b1"], "2025-01-01", "not_school_age")
    await site.status(kids["b2"], "2025-07-15", "smp", kelas=7)
    await site.status(kids["c1"], "2025-07-01", **PAUD)
    return kids


def spm(counts: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The counts kept per posyandu and month (referrals and ATS cases are counted elsewhere)."""
    return {k: v for k, v in counts.items() if k not in OTHERS}


OTHERS = {
    "education.referrals_resolved_in_time",
    "education.ats_returned",
    "education.ats_verified_in_time",
}


DECEMBER_TENGGARONG = {
    "education.paud_5_6": (2, 3),  # a1, a2 in PAUD; b1 not yet
    "education.dasar_7_15": (2, 3),  # a3 in SD, b2 in SMP; a4 out of school
    "education.kesetaraan_7_18": (1, 2),  # a5 in Paket C; a4 out of school
    "education.paud_equity_5_6": (0, 0),  # no decile known
}
DESA_DECEMBER = [
    {
        "desa_code": MANGKURAWANG,
        "children": 2,
        "children_5_6": 1,
        "paud_5_6": 0,
        "paud_5_6_percent": 0.0,
        "children_7_15": 1,
        "dasar_7_15": 1,
        "dasar_7_15_percent": 100.0,
        "children_7_18": 1,
        "out_of_school_7_18": 0,
        "out_of_school_percent": 0.0,
        "ats_open": 0,
    },
    {
        "desa_code": RAPAK_LAMBUR,
        "children": 6,
        "children_5_6": 2,
        "paud_5_6": 2,
        "paud_5_6_percent": 100.0,
        "children_7_15": 2,
        "dasar_7_15": 1,
        "dasar_7_15_percent": 50.0,
        "children_7_18": 3,
        "out_of_school_7_18": 1,
        "out_of_school_percent": 33.33,
        "ats_open": 1,  # a4's, opened by her out-of-school status (still open: no one closed it)
    },
]


async def check_hand_counts(site: Site, a: str) -> None:
    """What every database must answer for ``hand_made_set``."""
    assert spm(await site.indicators("2025-12", wilayah=TENGGARONG)) == DECEMBER_TENGGARONG
    assert spm(await site.indicators("2025", wilayah=TENGGARONG)) == DECEMBER_TENGGARONG
    november = await site.indicators("2025-11", wilayah=TENGGARONG)
    assert november["education.paud_5_6"] == (1, 3)  # a1 is 4; a2 in PAUD; a3 (6) in SD
    assert november["education.dasar_7_15"] == (1, 2)
    january = await site.indicators("2026-01", wilayah=TENGGARONG)
    assert january["education.paud_5_6"] == (1, 2)  # a2 turned 7, still in PAUD
    assert january["education.dasar_7_15"] == (3, 4)  # a4 in Paket B from 10 January
    assert january["education.kesetaraan_7_18"] == (2, 2)
    kabupaten = await site.indicators("2025-12", wilayah="64.02")
    assert kabupaten["education.paud_5_6"] == (3, 4)  # and c1 in Sebulu
    one = await site.indicators("2025-12", posyandu_id=a)
    assert (one["education.paud_5_6"], one["education.dasar_7_15"]) == ((2, 2), (1, 2))
    assert await site.by_desa("2025-12", TENGGARONG) == DESA_DECEMBER


def site_of(education: Education) -> Site:
    return Site(education.client, education.opd, education.dpmd)


async def tally_rows(db: Database, posyandu_id: str, month: date) -> int:
    async with db.sessions() as session:
        query = select(func.count()).where(
            TALLY.c.posyandu_id == posyandu_id, TALLY.c.month == month
        )
        return int((await session.execute(query)).scalar_one())


async def test_indicators_and_desa_rows_equal_hand_counts_and_a_backfill_counts_again(
    education: Education,
) -> None:
    a, b = await education.known_posyandu(), await education.known_posyandu(MANGKURAWANG)
    site = site_of(education)
    kids = await hand_made_set(site, a, b, await education.known_posyandu(SEBULU))
    await check_hand_counts(site, a)
    october = await site.indicators("2025-10", wilayah=TENGGARONG)
    assert october["education.paud_5_6"] == (1, 3)

    db: Database = education.app.state.db
    assert await tally_rows(db, b, date(2025, 12, 1)) > 0
    await site.status(kids["b1"], "2025-11-20", **PAUD)  # a backfill: in PAUD since November
    assert await tally_rows(db, b, date(2025, 12, 1)) == 0  # dropped with the write
    assert await tally_rows(db, b, date(2025, 10, 1)) > 0  # a month before it stays
    assert (await site.indicators("2025-12", wilayah=TENGGARONG))["education.paud_5_6"] == (3, 3)
    assert (await site.indicators("2025-11", wilayah=TENGGARONG))["education.paud_5_6"] == (2, 3)
    assert (await site.indicators("2025-10", wilayah=TENGGARONG))["education.paud_5_6"] == (1, 3)
    rows = {r["desa_code"]: r for r in await site.by_desa("2025-12", TENGGARONG)}
    assert (rows[MANGKURAWANG]["paud_5_6"], rows[MANGKURAWANG]["paud_5_6_percent"]) == (1, 100.0)

    late = await site.child(a, date(2019, 6, 1), 10)  # registered now, born in 2019: 6 in Dec
    assert (await site.indicators("2025-12", wilayah=TENGGARONG))["education.paud_5_6"] == (3, 4)
    await site.status(late, "2026-02-01", "sd", kelas=1)  # after 2025: December unchanged
    assert (await site.indicators("2025-12", wilayah=TENGGARONG))["education.paud_5_6"] == (3, 4)


async def test_counts_stay_right_under_concurrent_writes_and_reads(education: Education) -> None:
    posyandu_id = await education.known_posyandu()
    site = site_of(education)
    kids = [
        await site.child(posyandu_id, date(2021, 1 + n % 10, 1 + n), 100 + n, "P" if n % 2 else "L")
        for n in range(24)
    ]  # all 5 from October 2026 to the end of 2026
    for kid in kids:
        await site.status(kid, "2026-06-01", "not_school_age")
    scope = {"posyandu_id": posyandu_id}
    assert (await site.indicators("2026-11", **scope))["education.paud_5_6"] == (0, 24)

    async def enrol(n: int, kid: str) -> None:
        await site.status(kid, f"2026-11-{1 + n % 28:02d}", **PAUD)

    async def read(period: str) -> None:
        await site.indicators(period, **scope)

    await asyncio.gather(
        *(enrol(n, kid) for n, kid in enumerate(kids)),
        *(read(("2026-11", "2026-12", "2026")[n % 3]) for n in range(24)),
    )
    for period in ("2026-11", "2026-12", "2026"):
        assert (await site.indicators(period, **scope))["education.paud_5_6"] == (24, 24)
    assert (await site.indicators("2026-10", **scope))["education.paud_5_6"] == (0, 24)

    db: Database = education.app.state.db
    async with db.sessions() as session:  # counted from scratch: the same
        await session.execute(delete(TALLY))
        await session.commit()
    assert (await site.indicators("2026-11", **scope))["education.paud_5_6"] == (24, 24)


async def test_the_same_numbers_on_sqlite(make_settings: Any, sqlite_url: str) -> None:
    settings = make_settings(
        EducationSettings, database_url=sqlite_url, consumers_enabled=False, relay_enabled=False
    )

    def bearer(roles: list[str]) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings, 'u', roles, ['64.02'])}"}

    app = create_app(settings)
    async with running_app(app) as client:
        a, b, c = [await _replicated(app.state.db, d) for d in (RAPAK_LAMBUR, MANGKURAWANG, SEBULU)]
        site = Site(client, bearer(["opd:education"]), bearer(["dpmd"]))
        await hand_made_set(site, a, b, c)
        await check_hand_counts(site, a)


async def _replicated(db: Database, desa: str) -> str:
    """A posyandu put in the replica as the registry's event would."""
    pid = new_id()
    data = {
        "posyandu_id": pid,
        "name": f"Posyandu {desa}",
        "desa_code": desa,
        "status": "registered",
    }
    event = Envelope(
        id=new_id(),
        type=PosyanduRegistered.event_type,
        source="registry",
        time=datetime.now(UTC),
        data=data,
        posyandu_id=pid,
    )
    async with db.sessions() as session:
        await apply_posyandu_event(session, event)
        await session.commit()
    return pid
