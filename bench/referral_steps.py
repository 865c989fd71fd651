"""The parts of ``bench.referrals``: what a run sends and answers, how it watches rows arrive
in the receiving database, the gateway view checked against the counts made from what was
sent, and the exactly-once count at the end. ``bench.referrals`` says what each figure is."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.common import (
    TODAY,
    bearer,
    connect,
    percentile,
)
from bench.gateway import cpu_seconds
from bench.seeding import wait_replicas
from simpul_platform.devstack.population import kukar_desa
from simpul_platform.testing.stack import Stack

TARGET_POST_P95_MS = 200.0
TARGET_LAG_P95_MS = 2000.0
TARGET_VIEW_P95_MS = 500.0
RELAY_POLL_S = "0.1"  # the deployment's default (settings.relay_poll_interval_s)
POLL_S = 0.02  # how often the watchers look in the receiving database
PAST = TODAY - timedelta(days=30)  # more than 5 working days ago, whatever the holidays
SAMARINDA, WARM_UP_DESA = "64.72", "64.72.01.1001"
REASON, OUTCOME = "dtsen_assessment", "assessed"
STEPS = ["request", "accept", "resolve"]
FIELDS_THAT_ANSWER = ("health", "social")
PHASE_TIMEOUT_S = 600.0  # no phase of a run may take longer
LAG_TIMEOUT_S = 120.0  # a row not there this long after the last send is missing
COUNTS = ("total", "open", "overdue", "rejected", "resolved", "resolved_on_time")


@dataclass(frozen=True)
class Need:
    """One referral to send: where, about which household, requested when (None: today)."""

    posyandu_id: str
    desa_code: str
    no_kk: str
    requested_on: str | None

    @property
    def overdue(self) -> bool:
        return self.requested_on is not None


@dataclass
class Run:
    """What one pass over the path saw: answers' latencies and when each arrived."""

    answered: dict[str, datetime] = field(default_factory=dict)  # referral id → 2xx received
    latencies: dict[str, list[float]] = field(default_factory=dict)  # call → seconds
    relayed: dict[str, datetime] = field(default_factory=dict)  # id → its event's sent_at
    seen: dict[str, datetime] = field(default_factory=dict)  # id → first query that found it
    stamped: dict[str, datetime] = field(default_factory=dict)  # id → the row's own timestamp
    refused: list[str] = field(default_factory=list)
    started: float = 0.0  # perf_counter at the first request
    last_answer: float = 0.0  # perf_counter at the last 2xx
    last_seen: float = 0.0  # perf_counter when the watcher found the last row
    cpu_ms: dict[str, float] = field(default_factory=dict)  # service → CPU ms per referral

    def took(self, call: str, seconds: float) -> None:
        self.latencies.setdefault(call, []).append(seconds)

    def lags(self) -> tuple[list[float], list[float]]:
        """Seconds from each 2xx to the row seen, and to the row's own timestamp."""
        seen = [
            (self.seen[i] - t).total_seconds() for i, t in self.answered.items() if i in self.seen
        ]
        own = [
            (self.stamped[i] - t).total_seconds()
            for i, t in self.answered.items()
            if i in self.stamped
        ]
        return seen, own

    def parts(self) -> tuple[list[float], list[float]]:
        """Seconds from each 2xx to its event marked sent by the relay (``sent_at``, set once
        the broker acknowledged it), and from then to the row seen."""
        relay = [
            (self.relayed[i] - t).total_seconds()
            for i, t in self.answered.items()
            if i in self.relayed
        ]
        consume = [
            (self.seen[i] - self.relayed[i]).total_seconds()
            for i in self.answered
            if i in self.seen and i in self.relayed
        ]
        return relay, consume


def stats(values: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max in milliseconds."""
    out = {f"p{p}": percentile(values, p) * 1000 for p in (50, 95, 99)}
    out["max"] = max(values) * 1000 if values else float("nan")
    return out


# --------------------------------------------------------------------------- seeding


def spread_desa(count: int) -> list[str]:
    """``count`` Kukar desa spread over its list, so over several kecamatan."""
    desa = kukar_desa()
    return [desa[i * len(desa) // count] for i in range(count)]


async def new_posyandu(
    client: httpx.AsyncClient, stack: Stack, desa: str, name: str, headers: dict[str, str]
) -> str:
    response = await client.post(
        f"{stack.url('registry')}/v1/posyandu",
        headers=headers,
        json={"name": name, "desa_code": desa, "fields": list(FIELDS_THAT_ANSWER)},
    )
    response.raise_for_status()
    posyandu_id: str = response.json()["id"]
    return posyandu_id


def kader(desa: str) -> dict[str, str]:
    return bearer(["kader:health"], [desa], sub=f"bench-kader-{desa}")


def kk(serial: int) -> str:
    return f"640206{serial:010d}"


# --------------------------------------------------------------------------- the path


async def fan_out(count: int, clients: int, work: Callable[[int], Awaitable[None]]) -> None:
    """``work(i)`` for every i < count, ``clients`` at a time, each taking the next i."""
    todo = iter(range(count))
    deadline = time.monotonic() + PHASE_TIMEOUT_S

    async def client() -> None:
        for i in todo:  # one iterator shared by all: each i is taken once
            if time.monotonic() > deadline:
                raise TimeoutError(f"stopped at {i} of {count}: deadline")
            await work(i)

    await asyncio.gather(*(client() for _ in range(clients)))


async def watch(url: str, sql: str, run: Run, sending: asyncio.Event) -> None:
    """Poll a service's database for the ids answered so far until each is found (``sql``
    takes them as $1 and returns the found ids with the row's own timestamp), the senders are
    done and nothing is pending, or ``LAG_TIMEOUT_S`` passed since the last send."""
    async with connect(url) as conn:
        quiet_since: float | None = None
        while True:
            pending = [i for i in run.answered if i not in run.seen]
            if pending:
                asked = datetime.now(UTC)
                for row in await conn.fetch(sql, pending):
                    run.seen[row[0]], run.stamped[row[0]] = asked, row[1]
                    run.last_seen = time.perf_counter()
            elif not sending.is_set():
                return
            if not sending.is_set():
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > LAG_TIMEOUT_S:
                    return  # the rest are missing: counted at the end
            await asyncio.sleep(POLL_S)


async def relayed(stack: Stack, service: str, event_type: str) -> dict[str, datetime]:
    """When the relay marked each of ``service``'s events of this type sent, by referral."""
    async with connect(stack.databases[service]) as conn:
        rows = await conn.fetch(
            "SELECT subject, sent_at FROM outbox WHERE event_type = $1 AND sent_at IS NOT NULL",
            event_type,
        )
    return {row[0]: row[1] for row in rows}


async def measured(
    stack: Stack, run: Run, phase: Awaitable[None], watcher: Awaitable[None]
) -> None:
    """Run a phase's senders, then wait for its watcher; the CPU health and social used
    meanwhile, per referral answered."""
    services = ("health", "social")
    before = {name: cpu_seconds(stack, name) for name in services}
    run.started = time.perf_counter()
    await phase
    await watcher
    for name in services:
        used = cpu_seconds(stack, name) - before[name]
        run.cpu_ms[name] = used * 1000 / max(len(run.answered), 1)


INCOMING = "SELECT id, created_at FROM referral WHERE direction = 'incoming' AND id = ANY($1)"
RESOLVED = (
    "SELECT id, updated_at FROM referral"
    " WHERE direction = 'outgoing' AND status = 'resolved' AND id = ANY($1)"
)


async def request(
    client: httpx.AsyncClient, stack: Stack, needs: Sequence[Need], clients: int
) -> tuple[Run, list[str]]:
    """Send every need from health; watch social's database for its incoming rows. The ids
    are in the order of ``needs`` ("" where the request was refused)."""
    run, ids = Run(), [""] * len(needs)
    sending = asyncio.Event()
    sending.set()
    url = f"{stack.url('health')}/v1/referrals"

    async def one(i: int) -> None:
        need = needs[i]
        body: dict[str, Any] = {
            "target_field": "social",
            "posyandu_id": need.posyandu_id,
            "reason_code": REASON,
            "no_kk": need.no_kk,
        }
        if need.requested_on:
            body["requested_on"] = need.requested_on
        started = time.perf_counter()
        try:
            response = await client.post(url, json=body, headers=kader(need.desa_code))
        except httpx.TransportError as exc:
            run.refused.append(f"request: {exc!r}")
            return
        answered_at = datetime.now(UTC)
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            run.refused.append(f"request: {response.status_code} {response.text[:160]}")
            return
        ids[i] = response.json()["id"]
        run.took("request", elapsed)
        run.answered[ids[i]] = answered_at
        run.last_answer = time.perf_counter()

    async def send() -> None:
        try:
            await fan_out(len(needs), clients, one)
        finally:
            sending.clear()

    watcher = asyncio.create_task(watch(stack.databases["social"], INCOMING, run, sending))
    await measured(stack, run, send(), watcher)
    run.relayed = await relayed(stack, "health", "health.referral.requested.v1")
    return run, ids


async def answer(
    client: httpx.AsyncClient,
    stack: Stack,
    ids: Sequence[str],
    clients: int,
    headers: dict[str, str],
) -> Run:
    """Social accepts then resolves each; watch health's database for its copy resolved."""
    run = Run()
    sending = asyncio.Event()
    sending.set()
    base = f"{stack.url('social')}/v1/referrals"

    async def one(i: int) -> None:
        rid = ids[i]
        answered_at = datetime.now(UTC)
        for action, body in (("accept", {}), ("resolve", {"outcome_code": OUTCOME})):
            started = time.perf_counter()
            try:
                response = await client.post(f"{base}/{rid}/{action}", json=body, headers=headers)
            except httpx.TransportError as exc:
                run.refused.append(f"{action}: {exc!r}")
                return
            answered_at = datetime.now(UTC)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                run.refused.append(f"{action}: {response.status_code} {response.text[:160]}")
                return
            run.took(action, elapsed)
        run.answered[rid] = answered_at
        run.last_answer = time.perf_counter()

    async def send() -> None:
        try:
            await fan_out(len(ids), clients, one)
        finally:
            sending.clear()

    watcher = asyncio.create_task(watch(stack.databases["health"], RESOLVED, run, sending))
    await measured(stack, run, send(), watcher)
    run.relayed = await relayed(stack, "social", "social.referral.resolved.v1")
    return run


# --------------------------------------------------------------------------- the DPMD view


async def warm_up(client: httpx.AsyncClient, stack: Stack, clients: int) -> int:
    """``clients`` referrals at a Samarinda posyandu through the whole path, uncounted: the
    consumers have joined their groups, the topics exist, each route has run."""
    registrar = bearer(["dpmd"], [SAMARINDA], sub="bench-dpmd-samarinda")
    posyandu = await new_posyandu(client, stack, WARM_UP_DESA, "Posyandu Pemanasan", registrar)
    await wait_replicas(stack, [posyandu], list(FIELDS_THAT_ANSWER))
    needs = [Need(posyandu, WARM_UP_DESA, kk(900_000 + i), None) for i in range(clients)]
    sent, ids = await request(client, stack, needs, clients)
    ids = [rid for rid in ids if rid]
    social = bearer(["opd:social"], [SAMARINDA], sub="bench-dinsos-samarinda")
    answered = await answer(client, stack, ids, clients, social)
    if sent.refused or answered.refused or len(answered.seen) != len(needs):
        raise RuntimeError(f"the warm-up failed: {sent.refused + answered.refused}")
    return len(needs)
