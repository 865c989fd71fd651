"""Timing a field's batch writes through its real app on a real PostgreSQL (and, if asked, a
real broker for its relay), both started here and removed after: the posyandu replica filled
through the platform's own event handler, each pass of requests timed (wall time and this
process's CPU), and items per second printed beside the target.

A field's benchmark keeps only its items, its passes and the counts its answer carries.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from bench.common import Report, parser, quiet_kafka_logs, start_broker
from simpul_platform.auth import mint_token
from simpul_platform.devstack.kafka import KafkaBroker
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.events import Envelope
from simpul_platform.outbox import outbox_table
from simpul_platform.replica import apply_posyandu_event
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app

S = TypeVar("S", bound=ServiceSettings)
ITEMS = 1000  # items a request
TEAM = 4  # posyandu a survey team's request covers, all of one desa
DESA = [f"64.02.06.20{d:02d}" for d in range(1, 13)]  # Tenggarong's first twelve desa
NO_BROKER = "127.0.0.1:9"  # nothing listens: the app's topic creation retries quietly


# --------------------------------------------------------------------------- the app


@asynccontextmanager
async def app_on_postgres(
    database: str,
    settings_type: type[S],
    create_app: Callable[[S], FastAPI],
    *,
    broker: bool,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, S]]:
    """The app in this process on a fresh database ``database``, consumers off; the relay on
    and publishing to a broker started here if ``broker``, else off (the outbox rows are still
    written in each request's transaction)."""
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    kafka: KafkaBroker | None = None
    try:
        kafka = start_broker(3) if broker else None
        settings = settings_type(
            database_url=server.create_database(database),
            kafka_bootstrap_servers=kafka.bootstrap_servers if kafka else NO_BROKER,
            relay_enabled=kafka is not None,
            consumers_enabled=False,
            environment="development",
            log_level="WARNING",
        )
        app = create_app(settings)
        quiet_kafka_logs()
        async with running_app(app) as client:
            yield app, client, settings
    finally:
        if kafka is not None:
            kafka.close()
        server.stop()


def bearer(settings: ServiceSettings, sub: str, role: str) -> dict[str, str]:
    """An OPD user's headers for Kukar (64.02)."""
    return {"Authorization": f"Bearer {mint_token(settings, sub, [role], ['64.02'])}"}


async def seed_posyandu(app: FastAPI, field: str, count: int, per_desa: int = 1) -> list[str]:
    """``count`` registered posyandu serving ``field`` (ids ``UUID(int=n)``), ``per_desa`` in
    each of ``DESA`` in turn, through the replica's own event handler."""
    ids = [str(uuid.UUID(int=i + 1)) for i in range(count)]
    async with app.state.db.transaction() as session:
        for i, posyandu_id in enumerate(ids):
            data = {
                "posyandu_id": posyandu_id,
                "name": f"Posyandu {i + 1}",
                "desa_code": DESA[i // per_desa % len(DESA)],
                "status": "registered",
                "fields": [field],
                "version": 1,
            }
            event = Envelope(
                str(uuid.uuid4()),
                "registry.posyandu.registered.v1",
                "/simpul/registry",
                datetime.now(UTC),
                data,
            )
            await apply_posyandu_event(session, event)
    return ids


# --------------------------------------------------------------------------- passes


@dataclass
class Pass:
    """A pass's requests: their wall times, this process's CPU seconds while they ran (the
    app's, the relay's and the client's, not PostgreSQL's), the answers' counts summed and
    the answers themselves."""

    timings: list[float] = field(default_factory=list)
    cpu: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    answers: list[dict[str, Any]] = field(default_factory=list)


async def one_pass(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    bodies: Sequence[dict[str, Any]],
    counted: Sequence[str],
) -> Pass:
    """Every body POSTed to ``path`` once, in turn; ``counted`` names the answer's counts
    (together every item answered)."""
    done = Pass(counts=dict.fromkeys(counted, 0))
    for body in bodies:
        start, cpu_start = time.perf_counter(), time.process_time()
        response = await client.post(path, json=body, headers=headers)
        done.timings.append(time.perf_counter() - start)
        done.cpu += time.process_time() - cpu_start
        assert response.status_code == 200, response.text
        answer = response.json()
        for key in done.counts:
            done.counts[key] += answer[key]
        done.answers.append(answer)
    return done


def show_pass(report: Report, label: str, done: Pass, target: float, also: str = "") -> None:
    """The pass's counts, median request and items per CPU-second; its items per second
    beside ``target``. ``also`` follows the counts (what else the answers said)."""
    answered = sum(done.counts.values())
    rate = answered / sum(done.timings)
    median = sorted(done.timings)[len(done.timings) // 2] * 1000
    counts = ", ".join(f"{n:,} {key.replace('_', ' ')}" for key, n in done.counts.items())
    report.note(
        f"{label}: {counts}{also}; median {median:.0f} ms per request; "
        f"{answered / done.cpu:,.0f} items per CPU-second of the app's process"
    )
    report.figure(label, rate, "items/s", target=f"≥ {target:,.0f}", met=rate >= target)


@dataclass
class Batches:
    """One route's batches, each pass timed and shown beside the same target."""

    client: httpx.AsyncClient
    path: str
    headers: dict[str, str]
    counted: Sequence[str]
    report: Report
    target: float

    async def send(self, bodies: Sequence[dict[str, Any]]) -> Pass:
        return await one_pass(self.client, self.path, self.headers, bodies, self.counted)

    async def timed(
        self,
        label: str,
        bodies: Sequence[dict[str, Any]],
        also: Callable[[Pass], str] | None = None,
    ) -> Pass:
        done = await self.send(bodies)
        show_pass(self.report, label, done, self.target, also(done) if also else "")
        return done

    def note_passes(self, requests: int, items: int, each: str, relay: bool | None = None) -> None:
        """What every pass sends; whether the relay publishes meanwhile, where it can."""
        relayed = (
            "" if relay is None else f"; relay {'on, publishing to the broker' if relay else 'off'}"
        )
        self.report.note(f"{requests} requests of {items:,} items per pass, {each} each{relayed}")


# --------------------------------------------------------------------------- the relay


async def pending_events(app: FastAPI) -> int:
    async with app.state.db.sessions() as session:
        query = (
            select(func.count()).select_from(outbox_table).where(outbox_table.c.sent_at.is_(None))
        )
        return int((await session.execute(query)).scalar_one())


async def drained(app: FastAPI, deadline: float) -> int:
    """The events the relay has not published yet, once it has published all or at the
    deadline (``time.perf_counter``)."""
    left = await pending_events(app)
    for _ in range(2000):
        if not left or time.perf_counter() > deadline:
            break
        await asyncio.sleep(0.5)
        left = await pending_events(app)
    return left


async def note_drain(report: Report, app: FastAPI) -> None:
    """How many events the relay still had to publish after the last request (within 300 s)."""
    started = time.perf_counter()
    left = await drained(app, deadline=started + 300)
    report.note(
        f"events left in the outbox {time.perf_counter() - started:.1f} s after the last "
        f"request: {left:,}"
    )


# --------------------------------------------------------------------------- running


def batch_main(
    description: str,
    database: str,
    settings_type: type[S],
    create_app: Callable[[S], FastAPI],
    measure: Callable[[FastAPI, httpx.AsyncClient, S, int], Awaitable[None]],
    *,
    broker: bool,
) -> None:
    """The command: ``--quick`` and ``--requests`` (per pass: 20, quick 4), and where the
    relay can publish (``broker``) ``--no-broker``; then ``measure(app, client, settings,
    requests)`` on the app started by ``app_on_postgres``."""
    options = parser(description)
    options.add_argument(
        "--requests", type=int, default=None, help="requests per pass (20; quick 4)"
    )
    if broker:
        options.add_argument(
            "--no-broker", action="store_true", help="no Kafka: the relay stays off"
        )
    args = options.parse_args()
    requests = args.requests or (4 if args.quick else 20)

    async def run() -> None:
        started = app_on_postgres(
            database, settings_type, create_app, broker=broker and not args.no_broker
        )
        async with started as (app, client, settings):
            await measure(app, client, settings, requests)

    asyncio.run(run())


# --------------------------------------------------------------------------- survey teams

Item = Callable[[int, str, date], dict[str, Any]]  # (item number, posyandu id, day) → an item
Again = Callable[["Pass", date], list[dict[str, Any]]]  # (the first pass, day) → the bodies


@dataclass(frozen=True)
class TeamSurvey(Generic[S]):
    """A field's survey batches by a survey team: ``ITEMS`` items a request over ``TEAM``
    posyandu of one desa, in three passes over the same households or houses: the first
    surveys (every one new), those batches again (a retry) and a re-survey a year later."""

    name: str  # the benchmark's, as printed
    field: str  # the posyandu's field and the OPD role's: opd:<field>
    sender: str  # the OPD user
    path: str
    counted: tuple[str, ...]  # the answer's counts, together every item answered
    target: float  # items per second
    noun: tuple[str, str]  # what an item is about, one and many
    settings_type: type[S]
    create_app: Callable[[S], FastAPI]

    def main(self, item: Item, again: Again | None = None) -> None:
        """The command (``batch_main``); ``again`` makes the re-survey's bodies from the first
        pass's answers, else the re-survey is ``item`` a year on."""

        async def measure(app: FastAPI, client: httpx.AsyncClient, settings: S, n: int) -> None:
            await self.measure(app, client, settings, n, item, again)

        description = "A survey team's batches: items per second through the real app."
        database = f"bench_{self.field}"
        batch_main(description, database, self.settings_type, self.create_app, measure, broker=True)

    async def measure(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        settings: S,
        requests: int,
        item: Item,
        again: Again | None,
    ) -> None:
        report = Report(self.name)
        headers = bearer(settings, self.sender, f"opd:{self.field}")
        ids = await seed_posyandu(app, self.field, (requests + 1) * TEAM, TEAM)
        today = date.today()
        first_day, next_year = today - timedelta(days=365), today

        def batch(number: int, day: date) -> dict[str, Any]:
            at = ids[number * TEAM : (number + 1) * TEAM]
            return {"items": [item(number * ITEMS + i, at[i % len(at)], day) for i in range(ITEMS)]}

        batches = Batches(client, self.path, headers, self.counted, report, self.target)
        warm = batch(requests, first_day)["items"][:50]  # not counted: imports, caches, COPYs
        await batches.send([{"items": warm}])
        first = [batch(n, first_day) for n in range(requests)]
        batches.note_passes(requests, ITEMS, f"{TEAM} posyandu", relay=settings.relay_enabled)
        one, many = self.noun
        created = await batches.timed(f"first surveys (every {one} new)", first)
        await batches.timed("the same batches again (a retry)", first)
        later = (
            again(created, next_year) if again else [batch(n, next_year) for n in range(requests)]
        )
        await batches.timed(f"a year later (known {many} re-surveyed)", later)
        if settings.relay_enabled:
            await note_drain(report, app)
        report.summary(f"surveys of {requests * ITEMS:,} {many} in {ITEMS:,}-item batches")
