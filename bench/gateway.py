"""Gateway: posyandu profile and kabupaten scorecard latency under N concurrent clients,
against calling the services directly for the same data.

registry, health, social and the gateway run under uvicorn. Demo data: posyandu through the
registry's REST API, their balita (health's demo generator, 15% stunted) measured through
health's bulk endpoint, households with deciles in social, and the priority cases social opens
from health's events; then it waits until every event is relayed and reacted to, and runs
ANALYZE. Then ``--clients`` clients (default 8) each make ``--requests`` pairs of calls, a
direct one and a gateway one, alternating which goes first:

* through the gateway: ``GET /v1/posyandu/{id}/profile`` and ``GET /v1/scorecard?wilayah=64.02``;
* directly: the very calls the gateway fans out to (registry posyandu, staffing, next open
  day and calendar, health's and social's ``/v1/summary`` and their referrals of the
  posyandu; registry ``/v1/wilayah/64.02``, health and social ``/v1/indicators``), issued
  concurrently like the gateway does, so a direct "request" lasts as long as its slowest
  service.

Overhead = gateway p50 − direct p50 (and the same at p99). The gateway's own CPU time per
gateway request (utime + stime from ``/proc/<pid>/stat`` around each run) is printed too: it
is far less sensitive to the machine's load than wall-clock figures.

``--profile FILE`` runs the gateway under pyinstrument (sampling the gateway process only, and
only during the runs with ``--clients`` clients) and writes ``FILE-profile.txt`` and
``FILE-scorecard.txt``; latency and CPU figures are then inflated by the sampler.

    uv run python -m bench.gateway [--quick] [--clients 8] [--requests 50] [--profile FILE]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from bench.common import (
    DPMD,
    KUKAR,
    TODAY,
    Infra,
    Ingest,
    Report,
    connect,
    ms,
    parser,
    post_bulk,
    quiet_kafka_logs,
)
from bench.fault_counts import wait_settled
from bench.seeding import (
    balita,
    bulk_requests,
    create_posyandu,
    insert_households,
    insert_targets,
    wait_replicas,
)
from simpul_gateway.registry_client import LOOK_BACK
from simpul_platform.devstack.lifetime import die_with_parent
from simpul_platform.devstack.services import ServiceProcess
from simpul_platform.testing.stack import Stack

TARGET_OVERHEAD_MS = 10.0
PERIOD = TODAY.strftime("%Y-%m")
# The profile's days section asks the registry for the calendar up to today (no day is held in
# this data, so it never asks for a day's kader activity).
CALENDAR = {"from": (TODAY - LOOK_BACK).isoformat(), "to": TODAY.isoformat()}


async def seed(stack: Stack, posyandu: int) -> list[str]:
    async with httpx.AsyncClient(timeout=60) as client:
        places = await create_posyandu(client, stack, posyandu)
        ids = [p for p, _ in places]
        await wait_replicas(stack, ids, ["health", "social"])
        children = balita(places, 75, seed=31, stunted=0.15)
        await insert_targets(stack, children)
        await insert_households(stack, children)
        ingest = Ingest()
        deadline = time.monotonic() + 300
        for pid, items in bulk_requests(children, 1000):
            await post_bulk(client, stack.url("health"), pid, items, ingest, deadline=deadline)
    return ids


Call = Callable[[httpx.AsyncClient, int], Awaitable[None]]


async def load(clients: int, requests: int, direct: Call, gateway: Call) -> tuple[list[float], ...]:
    """Each client alternates a direct call and a gateway call (order swapped every time), so
    anything that drifts during the run (autovacuum, a consumer catching up, the page cache)
    weighs on both sides alike."""
    latencies: tuple[list[float], list[float]] = ([], [])
    limits = httpx.Limits(max_connections=clients * 4, max_keepalive_connections=clients * 4)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def user(u: int) -> None:
            for i in range(requests):
                order = (0, 1) if (u + i) % 2 == 0 else (1, 0)
                for side in order:
                    started = time.perf_counter()
                    await (direct, gateway)[side](client, u * requests + i)
                    latencies[side].append(time.perf_counter() - started)

        await asyncio.gather(*(user(u) for u in range(clients)))
    return latencies


# Runs uvicorn with a pyinstrument sampler that SIGUSR1 starts and SIGUSR2 stops, writing the
# text report, so only the measured phase is sampled. async_mode "disabled": a sample is what
# the thread is running. The loop is asyncio's, not uvloop: uvloop waits in C without a
# Python event, so pyinstrument would charge idle time to whichever coroutine resumes next;
# with asyncio's loop idle shows as the selector's poll, and the rest of the tree is CPU.
# The handlers never raise: a signal handler's exception would surface in whatever request
# code happened to be running.
PROFILED_UVICORN = """
import os, signal, sys, traceback, uvicorn
from pyinstrument import Profiler
report, app, port = sys.argv[1:4]
profiler = None
def start(*_):
    global profiler
    try:
        profiler = Profiler(interval=0.001, async_mode="disabled")
        profiler.start()
    except Exception:
        traceback.print_exc()
def stop(*_):
    try:
        profiler.stop()
        with open(report + ".part", "w") as out:
            out.write(profiler.output_text(unicode=True, show_all=True))
        os.replace(report + ".part", report)
    except Exception:
        traceback.print_exc()
signal.signal(signal.SIGUSR1, start)
signal.signal(signal.SIGUSR2, stop)
uvicorn.run(
    app, factory=True, host="127.0.0.1", port=int(port), access_log=False, loop="asyncio"
)
"""


class ProfiledProcess(ServiceProcess):
    """The service under uvicorn, as ``ServiceProcess`` runs it, with a signal-driven profiler."""

    def __init__(self, process: ServiceProcess, report: str) -> None:
        super().__init__(process.entry, process.env, process.log_file.parent, port=process.port)
        self.report = report

    def start(self) -> ServiceProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-c", PROFILED_UVICORN, self.report, self.entry.app, str(self.port)],
            env={**os.environ, **self.env},
            stdout=self.log_file.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        return self

    def signal(self, number: signal.Signals) -> None:
        assert self._process is not None
        self._process.send_signal(number)


def run_gateway_profiled(stack: Stack, report: str) -> None:
    """Replace the stack's gateway with one running under the profiler, on the same port."""
    stack.processes["gateway"].stop()
    stack.processes["gateway"] = ProfiledProcess(stack.processes["gateway"], report).start()
    stack.processes["gateway"].wait_healthy(60)


@contextlib.asynccontextmanager
async def profiling(stack: Stack, view: str) -> AsyncIterator[None]:
    """Sample the gateway while the block runs, if it runs under the profiler; the report is
    renamed to ``<FILE>-<view>.txt``."""
    process = stack.processes["gateway"]
    if not isinstance(process, ProfiledProcess):
        yield
        return
    with contextlib.suppress(FileNotFoundError):
        os.remove(process.report)
    process.signal(signal.SIGUSR1)
    yield
    process.signal(signal.SIGUSR2)
    _wait_for_file(process.report, timeout=120)
    os.replace(process.report, f"{process.report}-{view}.txt")


def _wait_for_file(path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the profiler wrote no {path}; see the gateway's log")
        time.sleep(0.2)


def cpu_seconds(stack: Stack, name: str) -> float:
    """User + system CPU time the service's process has used so far."""
    process = stack.processes[name]._process
    assert process is not None
    with open(f"/proc/{process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def settle(stack: Stack, ids: list[str]) -> None:
    """Measure a steady system: every event relayed and reacted to, and fresh planner
    statistics (right after a bulk load, stale ones picked slow plans for a while)."""
    await wait_settled(stack, ids, timeout=300)
    for name in ("registry", "health", "social"):
        async with connect(stack.databases[name]) as conn:
            await conn.execute("ANALYZE")


UPSTREAM: dict[str, list[float]] = {}  # direct call latencies by path, for the breakdown
SERVICES: dict[str, str] = {}  # host:port → service name
PARTIAL: dict[str, int] = {}  # gateway answers where health or social was not "ok"
CPU_MS: dict[str, float] = {}  # gateway process CPU ms per gateway request, by view and clients


async def get(client: httpx.AsyncClient, url: str, **params: str) -> Any:
    started = time.perf_counter()
    try:
        response = await client.get(url, params=params, headers=DPMD)
    except httpx.ReadError:  # a keep-alive connection uvicorn closed as we reused it: once more
        response = await client.get(url, params=params, headers=DPMD)
    parts = url.split("/v1/", 1)[1].split("/")  # posyandu/{id}/days → "posyandu/days"
    path = parts[0] + (f"/{parts[2]}" if parts[0] == "posyandu" and len(parts) > 2 else "")
    UPSTREAM.setdefault(f"{SERVICES.get(url.split('//')[1].split('/')[0])} {path}", []).append(
        time.perf_counter() - started
    )
    response.raise_for_status()
    return response.json()


def _check(view: str, answer: dict[str, Any]) -> None:
    """A fast gateway answer that left a service out would flatter the gateway: count them."""
    if view == "profile":
        statuses = [s["status"] for s in answer["fields"] if s["field"] in ("health", "social")]
    else:
        statuses = [r["status"] for r in answer["rows"] if r["field"] in ("health", "social")]
    if any(status != "ok" for status in statuses):
        PARTIAL[view] = PARTIAL.get(view, 0) + 1


async def run(
    stack: Stack, posyandu: int, clients: int, requests: int
) -> dict[str, dict[str, Any]]:
    ids = await seed(stack, posyandu)
    gw, reg, health, social = (stack.url(n) for n in ("gateway", "registry", "health", "social"))
    SERVICES.update({stack.url(n).split("//")[1]: n for n in stack.ports})

    async def profile_gateway(client: httpx.AsyncClient, i: int) -> None:
        answer = await get(client, f"{gw}/v1/posyandu/{ids[i % len(ids)]}/profile", period=PERIOD)
        _check("profile", answer)

    async def profile_direct(client: httpx.AsyncClient, i: int) -> None:
        pid = ids[i % len(ids)]
        await asyncio.gather(
            get(client, f"{reg}/v1/posyandu/{pid}"),
            get(client, f"{reg}/v1/posyandu/{pid}/staffing"),
            get(client, f"{reg}/v1/posyandu/{pid}/next-open-day", after=TODAY.isoformat()),
            get(client, f"{reg}/v1/posyandu/{pid}/days", **CALENDAR),
            get(client, f"{health}/v1/summary", posyandu_id=pid, period=PERIOD),
            get(client, f"{social}/v1/summary", posyandu_id=pid, period=PERIOD),
            get(client, f"{health}/v1/referrals/posyandu/{pid}"),
            get(client, f"{social}/v1/referrals/posyandu/{pid}"),
        )

    async def scorecard_gateway(client: httpx.AsyncClient, i: int) -> None:
        _check("scorecard", await get(client, f"{gw}/v1/scorecard", wilayah=KUKAR, period=PERIOD))

    async def scorecard_direct(client: httpx.AsyncClient, i: int) -> None:
        await asyncio.gather(
            get(client, f"{reg}/v1/wilayah/{KUKAR}"),
            get(client, f"{health}/v1/indicators", wilayah=KUKAR, period=PERIOD),
            get(client, f"{social}/v1/indicators", wilayah=KUKAR, period=PERIOD),
        )

    await settle(stack, ids)
    out = {}
    for users in sorted({1, clients}):
        for view, direct, gateway in (
            ("profile", profile_direct, profile_gateway),
            ("scorecard", scorecard_direct, scorecard_gateway),
        ):
            await load(users, 2, direct, gateway)  # warm-up
            cpu = cpu_seconds(stack, "gateway")
            async with profiling(stack, view) if users == clients else contextlib.nullcontext():
                direct_s, gateway_s = await load(users, requests, direct, gateway)
            used_ms = (cpu_seconds(stack, "gateway") - cpu) * 1000
            CPU_MS[f"{view} {users}"] = used_ms / len(gateway_s)
            out[f"{view} direct {users}"] = ms(direct_s)
            out[f"{view} gateway {users}"] = ms(gateway_s)
    return out


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--clients", type=int, default=8)
    args.add_argument("--requests", type=int, default=None, help="per client (50; quick 10)")
    args.add_argument("--posyandu", type=int, default=20)
    args.add_argument("--profile", metavar="FILE", help="pyinstrument text report of the gateway")
    options = args.parse_args()
    requests = options.requests or (10 if options.quick else 50)
    posyandu = 5 if options.quick else options.posyandu
    quiet_kafka_logs()
    report = Report("gateway")
    with Infra() as infra:
        stack = infra.stack("registry", "health", "social", "gateway")
        if options.profile:
            run_gateway_profiled(stack, options.profile)
        figures = asyncio.run(run(stack, posyandu, options.clients, requests))
    report.note(
        f"{options.clients} clients x {requests} requests each; {posyandu} posyandu x 75 balita"
    )
    summary = []
    for users in sorted({1, options.clients}):
        for view in ("profile", "scorecard"):
            direct, through = figures[f"{view} direct {users}"], figures[f"{view} gateway {users}"]
            tag = f"{view}, {users} client{'s' if users > 1 else ''}:"
            for p in ("p50", "p99"):
                report.figure(f"{tag} direct (slowest service) {p}", direct[p], "ms")
                report.figure(f"{tag} through the gateway {p}", through[p], "ms")
            overhead = through["p50"] - direct["p50"]
            judged = users == options.clients
            report.figure(
                f"{tag} gateway overhead p50",
                overhead,
                "ms",
                target=f"<= {TARGET_OVERHEAD_MS:.0f} ms" if judged else None,
                met=overhead <= TARGET_OVERHEAD_MS,
            )
            report.figure(f"{tag} gateway overhead p99", through["p99"] - direct["p99"], "ms")
            report.figure(f"{tag} gateway CPU per request", CPU_MS[f"{view} {users}"], "ms")
            summary.append(f"{tag} +{overhead:.0f} ms p50")
    for name, values in sorted(UPSTREAM.items()):
        if "gateway" not in name:
            report.figure(f"direct {name} p50 (all runs)", ms(values)["p50"], "ms")
    partial = sum(PARTIAL.values())
    report.figure(
        "gateway answers missing health or social", partial, "", target="0", met=partial == 0
    )
    report.summary("gateway overhead " + ", ".join(summary))


if __name__ == "__main__":
    main()
