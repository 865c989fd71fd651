"""The registry's staffing view at Kutai Kartanegara's size: ``/v1/staffing?wilayah=64.02`` and
a page of ``/v1/staffing/gaps``, through the real app.

Starts a temporary PostgreSQL, migrates the registry's schema and COPY-loads the demo
population's 827 Kukar posyandu (each running a seeded 3–6 of the six fields) with the seeds'
people: about 8,620 kader and 7,359 pengurus (a ketua, sekretaris and bendahara where the draw
gives one, a ketua bidang for most fields run), a tenth of them already released. Then, as a
DPMD user of 64.02, ``--runs`` calls of each; p50/p95/p99 beside the target (p99 ≤ 300 ms for
the kabupaten's counts). ``--quick``: 60 posyandu.

    uv run python -m bench.registry_staffing [--quick] [--runs 50]
"""

from __future__ import annotations

import asyncio
import random
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
                "status": "registered",
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
    report.summary(f"staffing of {count} posyandu")


if __name__ == "__main__":
    args = parser(__doc__ or "")
    args.add_argument("--runs", type=int, default=50)
    options = args.parse_args()
    asyncio.run(measure(60 if options.quick else 827, options.runs))
