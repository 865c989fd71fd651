"""Indicator query benchmark: social's aggregates over a kabupaten (Kutai Kartanegara's size).

Starts a temporary PostgreSQL, migrates social's schema (Alembic, as the service does), and
COPY-loads what ``bench.scale`` gives social: the demo population's balita
(``devstack.population.generate_balita``) on its 827 Kukar posyandu (60,000 balita), three
households per balita (``bench.scale_social.households``), a year of bansos for deciles 1–4
(``distributions``) and the priority cases (``priority_cases``); plus, made here, PPKS cases,
stunting decisions and open leads (the summary counts them) and the posyandu replica (a
posyandu's scope needs it). Ids are remapped from a seeded generator, so a run's answers do not
depend on uuid4.

Then it times, for a month, a quarter and the year, over the kabupaten (``--areas`` adds a
kecamatan, a desa and a posyandu): the three aggregate endpoints as the service runs them
(``/v1/indicators``, ``/v1/summary``, ``/v1/summary/by-desa``: the route functions called
with a session, minus HTTP) and the aggregates ``/v1/indicators`` is made of (coverage both
counted per request and read from the counts kept per posyandu and month). It prints p50/p99,
the first run (not counted: it warms the cache and, for the kept counts of a period not read
yet, counts them) and a digest of all results: equal digests before and after a change mean equal
answers (compare runs with the same ``--areas`` and ``--balita``). ``--explain`` prints
EXPLAIN (ANALYZE, BUFFERS) of every statement, once per query, period and area.

    uv run python -m bench.social_indicators [--balita 60000] [--runs 30]
        [--areas kabupaten,kecamatan,desa,posyandu] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.social_data import load, tables
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.field_contract import aggregate_query
from simpul_platform.indicators import Period
from simpul_platform.migrations import upgrade
from simpul_social.api import indicators as api
from simpul_social.app import MIGRATIONS
from simpul_social.ops import aggregates
from simpul_social.ops import summary as summaries
from simpul_social.settings import SocialSettings

TODAY = date(2026, 1, 12)  # "today" of the overdue counts
PERIODS = ("2025-12", "2025-Q4", "2025")
DPMD = Principal("bench-dpmd", frozenset({"dpmd"}), ("64.02",))
SETTINGS = SocialSettings(environment="development")


# --------------------------------------------------------------------------- timing


def explaining(session: AsyncSession) -> None:
    """Make the session print EXPLAIN (ANALYZE, BUFFERS) before running each SELECT."""
    execute = session.execute

    async def explained(statement: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, Select) and statement.get_final_froms():
            sql = statement.compile(
                dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                compile_kwargs={"literal_binds": True},
            )
            plan = await execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
            print("\n".join(f"    {line}" for (line,) in plan))
        return await execute(statement, *args, **kwargs)

    session.execute = explained  # type: ignore[method-assign]


def canonical(result: Any) -> Any:
    """JSON-able, and independent of how ties in "ORDER BY due_on LIMIT n" fell: open cases
    due on the last listed day are kept as a count (any of that day's cases may be listed)."""
    if isinstance(result, list):
        return [canonical(r) for r in result]
    if not hasattr(result, "model_dump"):
        return result
    data = result.model_dump(mode="json")
    cases = data.get("priority_cases") or data
    if "open_cases" in cases:
        briefs = cases["open_cases"]
        last = max((b["due_on"] for b in briefs), default=None)
        cases["open_cases"] = {
            "before_last_day": sorted(
                json.dumps(b, sort_keys=True) for b in briefs if b["due_on"] != last
            ),
            "last_day": last,
            "on_last_day": sum(b["due_on"] == last for b in briefs),
        }
    return data


Query = Callable[[AsyncSession, str, str | None, str | None], Awaitable[Any]]


def _aggregate(name: str) -> Query:
    """One of aggregates' functions as /v1/indicators calls it, for one area."""

    async def run(session: AsyncSession, label: str, wilayah: str | None, pid: str | None) -> Any:
        scope = (await _query(session, label, wilayah, pid)).scope
        period = Period.parse(label)
        if tune := getattr(aggregates, "tune", None):  # as the endpoint does (if it does)
            await tune(session, scope)
        if name == "priority_summary":
            return await summaries.priority_summary(session, scope, period, TODAY)
        return await getattr(aggregates, name)(session, scope, period)

    return run


async def _query(session: AsyncSession, label: str, wilayah: Any, pid: Any) -> api.Query:
    """The question as the routes check it, of a fixed "today"."""
    query = await aggregate_query(api.ACCESS, session, DPMD, SETTINGS, label, wilayah, pid)
    return replace(query, today=TODAY)


async def _indicators(session: AsyncSession, label: str, wilayah: Any, pid: Any) -> Any:
    return await api.indicators(await _query(session, label, wilayah, pid))


async def _summary(session: AsyncSession, label: str, wilayah: Any, pid: Any) -> Any:
    return await api.summary(await _query(session, label, wilayah, pid))


async def _by_desa(session: AsyncSession, label: str, wilayah: Any, pid: Any) -> Any:
    return await api.poverty_by_desa(await _query(session, label, wilayah, None))


QUERIES: dict[str, Query] = {
    "GET /v1/indicators": _indicators,
    "  ppks": _aggregate("ppks"),
    "  coverage": _aggregate("coverage"),
    "  coverage, kept": _aggregate("kept_coverage"),
    "  priority_summary": _aggregate("priority_summary"),
    "GET /v1/summary": _summary,
    "GET /v1/summary/by-desa": _by_desa,
}


def areas(data: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[str | None, str | None]]:
    """(wilayah, posyandu id) per area: the kabupaten, and the first posyandu's kecamatan,
    desa and posyandu."""
    first = data["posyandu_replica"][0]
    return {
        "kabupaten": ("64.02", None),
        "kecamatan": (first["kecamatan_code"], None),
        "desa": (first["desa_code"], None),
        "posyandu": (None, first["posyandu_id"]),
    }


async def time_queries(
    url: str,
    runs: int,
    chosen: dict[str, tuple[str | None, str | None]],
    explain: bool,
    dump: Path | None = None,
) -> None:
    db = Database(url, 5)
    digest, answers = hashlib.sha256(), []
    try:
        for area, (wilayah, pid) in chosen.items():
            for label in PERIODS:
                for name, query in QUERIES.items():
                    if name == "GET /v1/summary/by-desa" and pid is not None:
                        continue  # not offered for a posyandu
                    if explain:
                        print(f"EXPLAIN {name.strip()} {label} {area}:")
                        async with db.sessions() as session:
                            explaining(session)
                            await query(session, label, wilayah, pid)
                    timings, result = [], None
                    for _ in range(runs + 1):  # the first run warms the cache, not counted
                        async with db.sessions() as session:
                            start = time.perf_counter()
                            result = await query(session, label, wilayah, pid)
                            timings.append((time.perf_counter() - start) * 1000)
                    cold, timings = timings[0], sorted(timings[1:])
                    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
                    answer = canonical(result)
                    answers.append(json.dumps([area, label, name, answer], sort_keys=True))
                    digest.update(answers[-1].encode())
                    print(
                        f"{name:24} {label:8} {area:10} p50 {statistics.median(timings):7.1f} ms"
                        f"  p99 {p99:7.1f} ms  first {cold:7.1f} ms  {_brief(answer)}"
                    )
    finally:
        await db.dispose()
    print(f"results digest: {digest.hexdigest()[:16]}")
    if dump:
        await asyncio.to_thread(dump.write_text, "\n".join(answers) + "\n")


def _brief(answer: Any) -> str:
    if isinstance(answer, list) and answer and "numerator" in answer[-1]:
        last = answer[-1]
        return f"{len(answer)} values, {last['code']} {last['numerator']}/{last['denominator']}"
    if isinstance(answer, list):
        return f"{len(answer)} rows"
    if isinstance(answer, dict) and "households" in answer:
        return f"{answer['households']} households"
    return ""


async def main(args: argparse.Namespace, chosen: list[str]) -> None:
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("bench_social_indicators")
        started = time.perf_counter()
        data = tables(827, args.balita, args.ppks)
        await upgrade(MIGRATIONS, url)
        await load(url, data)
        print(f"schema and data ready in {time.perf_counter() - started:.0f} s")
        where = areas(data)
        chosen_areas = {a: where[a] for a in chosen}
        await time_queries(url, args.runs, chosen_areas, args.explain, args.dump)
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--balita", type=int, default=60000)
    parser.add_argument("--ppks", type=int, default=4000, help="PPKS cases in the year")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--areas",
        default="kabupaten",
        help="comma-separated, of kabupaten, kecamatan, desa, posyandu (default: kabupaten)",
    )
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    parser.add_argument("--dump", type=Path, help="write every answer to this file (JSON lines)")
    args = parser.parse_args()
    chosen = args.areas.split(",")
    if unknown := set(chosen) - {"kabupaten", "kecamatan", "desa", "posyandu"}:
        parser.error(f"unknown areas: {', '.join(sorted(unknown))}")
    asyncio.run(main(args, chosen))
