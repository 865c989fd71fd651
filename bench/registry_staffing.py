"""The registry's staffing view, participation and kader incentive roster at Kutai
Kartanegara's size, through the real app.

Starts a temporary PostgreSQL, migrates the registry's schema and COPY-loads the demo
population's 827 Kukar posyandu (each running a seeded 3–6 of the six fields, nine in ten with a
Kemendagri number) with the seeds' people: about 8,620 kader and 7,359 pengurus (a ketua,
sekretaris and bendahara where the draw gives one, a ketua bidang for most fields run), a tenth
of them already released. Then the demo's year of posyandu days with attendance. As a DPMD user
of 64.02, ``--runs`` calls each of ``/v1/staffing``, a page of ``/v1/staffing/gaps``,
``/v1/participation`` for the year and a page of last month's roster, and a few computations of
that roster; p50/p95/p99 beside the target (p99 ≤ 300 ms for the reads). ``--quick``: 60 posyandu.

    uv run python -m bench.registry_staffing [--quick] [--runs 50]
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

from bench.bulk_load import Tables, copy_tables, kukar_places, model_tables
from bench.common import Report, parser
from bench.indicator_timing import read_settings, reading, show_times, time_calls
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.migrations import upgrade
from simpul_registry.app import MIGRATIONS, create_app
from simpul_registry.demo_days import load_days, the_year
from simpul_registry.domain.fields import SpmField
from simpul_registry.models import metadata
from simpul_registry.settings import RegistrySettings

FIELDS = [f.value for f in SpmField]
START, LEFT = date(2024, 1, 1), date(2025, 6, 30)


def _person(pid: str, n: int, role: str, field: str | None, rng: random.Random) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": f"{pid[:-8]}{n:08d}",
        "posyandu_id": pid,
        "nik": f"6402061708{n:06d}",
        "person_ref": f"ref-{pid[-6:]}-{n}",
        "name": f"Orang {n}",
        "gender": "L",
        "birth_date": date(1985, 8, 17),
        "role": role,
        "field": field,
        "start_date": START,
        "end_date": LEFT if rng.random() < 0.1 else None,
        "created_by": "bench",
        "created_at": now,
        "updated_by": "bench",
        "updated_at": now,
    }


def build(count: int) -> Tables:
    rng, now = random.Random(19), datetime.now(UTC)
    posyandu: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    for pid, desa in kukar_places(count):
        runs = sorted(rng.sample(FIELDS, rng.randint(3, 6)), key=FIELDS.index)
        number = f"{desa}.{len(posyandu):03d}" if rng.random() < 0.9 else None
        posyandu.append(
            {
                "id": pid,
                "name": f"Posyandu {pid[-4:]}",
                "name_key": f"posyandu {pid[-4:]}",
                "desa_code": desa,
                "kecamatan_code": desa[:8],
                "kabupaten_code": desa[:5],
                "provinsi_code": desa[:2],
                "fields": "," + ",".join(runs) + ",",
                # Most carry Kemendagri's number; the rest wait verified (a roster exclusion).
                "status": "registered" if number else "verified",
                "registration_number": number,
                "version": 1,
                "created_by": "bench",
                "created_at": now,
                "updated_by": "bench",
                "updated_at": now,
            }
        )
        posts: list[tuple[str, str | None]] = [
            (r, None) for r in ("ketua", "sekretaris", "bendahara") if rng.random() < 0.93
        ]
        posts += [("ketua_bidang", f) for f in runs if rng.random() < 0.8]
        posts += [("kader", rng.choice(runs)) for _ in range(rng.randint(6, 15))]
        for role, field in posts:
            people.append(_person(pid, len(people) + 1, role, field, rng))
    return model_tables(metadata, {"posyandu": posyandu, "person": people})


@asynccontextmanager
async def loaded(count: int) -> AsyncIterator[str]:
    """A temporary PostgreSQL, the registry's schema migrated and ``build(count)`` loaded."""
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("registry_staffing")
        await upgrade(MIGRATIONS, url)
        await copy_tables(url, await asyncio.to_thread(build, count))
        yield url
    finally:
        server.stop()


async def measure(count: int, runs: int) -> None:
    report = Report("registry_staffing")
    async with loaded(count) as url:
        settings = read_settings(RegistrySettings, url)
        async with reading(settings, create_app) as reads:
            params = {"wilayah": "64.02"}

            async def counts() -> Any:
                response = await reads.client.get(
                    "/v1/staffing", params=params, headers=reads.headers
                )
                assert response.status_code == 200, response.text
                return response.json()

            async def gaps() -> Any:
                response = await reads.client.get(
                    "/v1/staffing/gaps", headers=reads.headers, params={**params, "page_size": 100}
                )
                assert response.status_code == 200, response.text
                return response.json()

            async def nothing(_: int) -> None:
                return None

            durations, answer = await time_calls(runs, nothing, counts)
            whole = answer["wilayah"]
            report.note(
                f"{whole['posyandu']} posyandu, {whole['kader_active']:,} active kader, "
                f"{whole['empty_posts']:,} empty posts, {len(answer['desa'])} desa"
            )
            show_times(report, "GET /v1/staffing?wilayah=64.02", durations, True, 300.0)
            durations, page = await time_calls(runs, nothing, gaps)
            report.note(f"{page['total']} posyandu with a gap")
            show_times(report, "GET /v1/staffing/gaps (100 a page)", durations, False)
            await days_and_roster(reads, settings, report, runs)
    report.summary(f"staffing, participation and the roster of {count} posyandu")


async def days_and_roster(
    reads: Any, settings: RegistrySettings, report: Report, runs: int
) -> None:
    """The demo's year of posyandu days and attendance, then participation for the year and
    last month's roster computed and read, as DPMD would."""
    db = reads.app.state.db
    start = time.perf_counter()
    days = await load_days(db, settings, today=reads.today)
    report.note(f"{days:,} posyandu days loaded in {time.perf_counter() - start:.1f} s")
    year, month = the_year(reads.today)

    async def get(path: str, params: dict[str, Any]) -> Any:
        response = await reads.client.get(path, params=params, headers=reads.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def participation() -> Any:
        return await get("/v1/participation", {"wilayah": "64.02", "period": str(month.year)})

    async def nothing(_: int) -> None:
        return None

    durations, answer = await time_calls(runs, nothing, participation)
    whole = next(r for r in answer["rows"] if r["level"] == "kabupaten")
    report.note(
        f"participation {month.year} (from {year}): {whole['present']:,} present of "
        f"{whole['expected']:,} expected on {whole['days']:,} days, {whole['percent']} %; "
        f"{len(answer['rows']):,} rows"
    )
    show_times(report, "GET /v1/participation (kabupaten, a year)", durations, True, 300.0)

    body = {"kabupaten": "64.02", "month": month.strftime("%Y-%m")}

    async def compute() -> Any:
        response = await reads.client.post(
            "/v1/incentive-rosters", json=body, headers=reads.headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    durations, roster = await time_calls(max(3, runs // 10), nothing, compute)
    report.note(f"roster {body['month']}: {roster['totals']}")
    show_times(report, "POST /v1/incentive-rosters (kabupaten, a month)", durations, False)
    page = {"page": 1, "page_size": 100}
    durations, _ = await time_calls(
        runs, nothing, lambda: get(f"/v1/incentive-rosters/{roster['id']}", page)
    )
    show_times(report, "GET /v1/incentive-rosters/{id} (100 a page)", durations, True, 300.0)


if __name__ == "__main__":
    args = parser(__doc__ or "")
    args.add_argument("--runs", type=int, default=50)
    options = args.parse_args()
    asyncio.run(measure(60 if options.quick else 827, options.runs))
