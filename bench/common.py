"""What every benchmark shares: the real broker, PostgreSQL and services (started by the same
code the tests use), tokens, demo-data seeding, the HTTP retry loop, percentiles and printing.

Everything listens on 127.0.0.1; every process started here is stopped by ``Infra.__exit__``
(and, if we are killed, by the kernel: the devstack children die with their parent).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx

from simpul_platform.auth import mint_token
from simpul_platform.devstack.kafka import KafkaBroker
from simpul_platform.devstack.kafka_cluster import KafkaCluster
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Split, Stack

KUKAR = "64.02"
TODAY = date.today()
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
STUNTED_HAZ = -2.6  # one measurement at this HAZ opens a stunting episode (→ a priority case)
HEALTHY_HAZ = 0.0


# --------------------------------------------------------------------------- tokens


def bearer(
    roles: Sequence[str], wilayah: Sequence[str] = (KUKAR,), sub: str = "bench"
) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, list(roles), list(wilayah))}"}


DPMD = bearer(["dpmd"], sub="bench-dpmd")
OPD_HEALTH = bearer(["opd:health"], sub="bench-dinkes")
OPD_SOCIAL = bearer(["opd:social"], sub="bench-dinsos")


# --------------------------------------------------------------------------- processes


class Infra:
    """PostgreSQL + (optionally) the Kafka broker and a three-node Kafka cluster, and the
    stacks started on them.

    ``with Infra() as infra: stack = infra.stack("registry", "health")``; on exit every stack,
    the brokers and the database server are stopped, even after an error or Ctrl-C.
    ``Infra(cluster=True)`` also starts the cluster; ``infra.stack(..., cluster=True)`` runs
    services on it, creating their topics with its replication factor and min ISR.
    ``postgres_settings``: the database server's settings beyond the throwaway defaults.
    """

    def __init__(
        self,
        *,
        broker: bool = True,
        partitions: int = 3,
        cluster: bool = False,
        postgres_settings: dict[str, str] | None = None,
    ) -> None:
        self.want_broker = broker
        self.postgres_settings = postgres_settings
        self.want_cluster = cluster
        self.partitions = partitions
        self.postgres: PostgresServer | None = None
        self.broker: KafkaBroker | None = None
        self.cluster: KafkaCluster | None = None
        self.stacks: list[Stack] = []

    def __enter__(self) -> Infra:
        try:
            ensure_postgres_installed()
            self.postgres = PostgresServer(settings=self.postgres_settings).start()
            if self.want_broker:
                self.broker = start_broker(self.partitions)
            if self.want_cluster:
                self.cluster = KafkaCluster(3, default_partitions=self.partitions).start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        for stack in reversed(self.stacks):
            with contextlib.suppress(Exception):
                stack.stop()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()
        if self.broker is not None:
            with contextlib.suppress(Exception):
                self.broker.close()
        if self.postgres is not None:
            with contextlib.suppress(Exception):
                self.postgres.stop()

    @property
    def bootstrap(self) -> str:
        assert self.broker is not None
        return self.broker.bootstrap_servers

    def stack(
        self,
        *names: str,
        extra_env: dict[str, str] | None = None,
        cluster: bool = False,
        split: dict[str, Split] | None = None,
    ) -> Stack:
        """``split``: the services run as API and worker processes, as deployed."""
        if not cluster:
            return start_stack(
                self.bootstrap, self.postgres, names, extra_env, self.stacks, split=split
            )
        assert self.cluster is not None  # Infra(cluster=True)
        return start_stack(
            self.cluster.bootstrap_servers,
            self.postgres,
            names,
            extra_env,
            self.stacks,
            kafka=self.cluster,
            split=split,
        )


def cluster_fields(cluster: KafkaCluster) -> dict[str, Any]:
    """ServiceSettings fields for a client of the cluster: its admin principal's connection,
    and topics created replicated (factor and min ISR from the cluster)."""
    return {
        **cluster.client_settings("admin"),
        "kafka_replication_factor": cluster.replication_factor,
        "kafka_min_insync_replicas": cluster.min_insync_replicas,
    }


def start_broker(partitions: int) -> KafkaBroker:
    """A started KafkaBroker. Works around a devstack bug: a random cluster id starting with
    "-" makes ``kafka-storage format -t <id>`` fail (1 start in 64); try a fresh one."""
    for attempt in range(3):
        broker = KafkaBroker(default_partitions=partitions)
        try:
            return broker.start()
        except RuntimeError as exc:
            broker.close()
            if "storage format failed" not in str(exc) or attempt == 2:
                raise
    raise AssertionError("unreachable")


def start_stack(
    bootstrap: str,
    postgres: Any,
    names: Sequence[str],
    extra_env: dict[str, str] | None = None,
    registry: list[Stack] | None = None,
    *,
    kafka: KafkaCluster | None = None,
    split: dict[str, Split] | None = None,
) -> Stack:
    """A Stack of real uvicorn services; registered for cleanup before it starts. ``kafka``:
    the cluster it runs on (topics replicated as the cluster says)."""
    env = {"SIMPUL_LOG_LEVEL": "WARNING", **(extra_env or {})}
    stack = Stack(bootstrap, postgres, list(names), env, split, kafka=kafka)
    if registry is not None:
        registry.append(stack)
    try:
        return stack.start()
    except BaseException:
        stack.stop()
        raise


def quiet_kafka_logs() -> None:
    """Clients log every refused connection while a broker is down; figures matter here."""
    for name in ("aiokafka", "kafka"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


# --------------------------------------------------------------------------- databases


def dsn(url: str) -> str:
    """asyncpg's DSN for a SQLAlchemy URL from Stack.databases / PostgresServer.create_database."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextlib.asynccontextmanager
async def connect(url: str) -> Any:
    conn = await asyncpg.connect(dsn(url))
    try:
        yield conn
    finally:
        await conn.close()


async def scalar(url: str, sql: str, *args: Any) -> Any:
    async with connect(url) as conn:
        return await conn.fetchval(sql, *args)


# --------------------------------------------------------------------------- writing over HTTP


@dataclass
class Ingest:
    """What a client was told: every measurement id answered 2xx, and how it got there."""

    acknowledged: set[str] = field(default_factory=set)
    requests: int = 0
    attempts: int = 0
    replayed: int = 0  # answers carrying Idempotent-Replayed: true
    rekeyed: int = 0  # "processed but response not kept": resent with a new key
    created: int = 0
    duplicates: int = 0
    rejected: int = 0
    latencies: list[float] = field(default_factory=list)  # successful attempts, seconds
    answered_at: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)


async def post_bulk(
    client: httpx.AsyncClient,
    health_url: str,
    posyandu_id: str,
    items: list[dict[str, Any]],
    ingest: Ingest,
    *,
    deadline: float,
    headers: dict[str, str] = OPD_HEALTH,
) -> dict[str, Any]:
    """POST one bulk batch with an Idempotency-Key, retrying with the same key until a 2xx."""
    key = str(uuid.uuid4())
    url = f"{health_url}/v1/posyandu/{posyandu_id}/measurements/bulk"
    body = {"items": items}
    ingest.requests += 1
    in_progress_since: float | None = None
    while True:
        ingest.attempts += 1
        started = time.perf_counter()
        try:
            response = await client.post(
                url, json=body, headers={**headers, "Idempotency-Key": key}
            )
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code == 200:
            ingest.latencies.append(time.perf_counter() - started)
            result: dict[str, Any] = response.json()
            ingest.answered_at.append((datetime.now(UTC), result))
            ingest.replayed += response.headers.get("idempotent-replayed") == "true"
            ingest.created += result["created"]
            ingest.duplicates += result["duplicates"]
            ingest.rejected += result["rejected"]
            ingest.acknowledged |= {
                r["measurement_id"] for r in result["results"] if r.get("measurement_id")
            }
            return result
        if response is not None and response.status_code == 409:
            # The key's effects committed but the process died before keeping its response:
            # "in progress" until STALE_AFTER (60 s), then "not kept". Health's own per-item
            # dedupe makes a resend with a new key safe; it answers with the stored ids.
            in_progress_since = in_progress_since or time.monotonic()
            if "not kept" in response.text or time.monotonic() - in_progress_since > 5:
                key, in_progress_since = str(uuid.uuid4()), None
                ingest.rekeyed += 1
        elif response is not None and response.status_code < 500 and response.status_code != 422:
            raise RuntimeError(f"bulk upload refused: {response.status_code} {response.text[:300]}")
        elif (
            response is not None
            and response.status_code == 422
            and "unknown_posyandu" not in response.text
        ):
            raise RuntimeError(f"bulk upload refused: {response.text[:300]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no 2xx for a bulk upload before the deadline ({response})")
        await asyncio.sleep(0.2)


async def paced(
    count: int, rate_per_s: float, deadline: float, work: Callable[[int], Awaitable[None]]
) -> None:
    """Run ``work(i)`` for i < count, one after another, no faster than ``rate_per_s``."""
    start = time.monotonic()
    for i in range(count):
        if time.monotonic() > deadline:
            raise TimeoutError(f"stopped after {i} of {count}: deadline")
        wait = start + i / rate_per_s - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        await work(i)


# --------------------------------------------------------------------------- figures


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(values_s: Sequence[float]) -> dict[str, float]:
    return {
        "p50": percentile(values_s, 50) * 1000,
        "p99": percentile(values_s, 99) * 1000,
        "max": max(values_s) * 1000 if values_s else math.nan,
        "n": len(values_s),
    }


class Report:
    """Prints figures as they come, each beside the target it stands against."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.verdicts: list[tuple[str, bool]] = []
        print(f"== bench.{name}  ({datetime.now().isoformat(timespec='seconds')})", flush=True)

    def figure(
        self,
        label: str,
        value: float,
        unit: str,
        *,
        target: str | None = None,
        met: bool | None = None,
    ) -> None:
        shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
        line = f"  {label:<52} {shown:>12} {unit}"
        if target is not None:
            line += f"   target {target}: {'met' if met else 'MISSED'}"
            self.verdicts.append((label, bool(met)))
        print(line, flush=True)

    def row(self, label: str, values: Sequence[float], unit: str) -> None:
        """One figure per column (e.g. the single node and the cluster), side by side."""
        shown = "".join(f"{v:>14,.1f}" if isinstance(v, float) else f"{v:>14,}" for v in values)
        print(f"  {label:<52}{shown} {unit}", flush=True)

    def note(self, text: str) -> None:
        print(f"  - {text}", flush=True)

    def summary(self, text: str) -> None:
        missed = [label for label, met in self.verdicts if not met]
        verdict = "all targets met" if not missed else f"missed: {', '.join(missed)}"
        print(f"SUMMARY {self.name}: {text} ({verdict})", flush=True)


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a short run (fewer records, less time)")
    return p


@contextlib.contextmanager
def timed() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())
