"""Referrals: a health kader's referral → social's incoming row, social's answer → health's
copy, every referral held once on each side at the end, and DPMD's overdue view through the
gateway.

registry, health, social and the gateway run under uvicorn on the real broker and PostgreSQL,
with the deployment's relay poll (0.1 s; the test stack's own is 0.05 s) and consumer
settings. ``--posyandu`` posyandu (8) in Kukar desa spread over its kecamatan, through the
registry's REST API, held by health's and social's replicas before anything is timed. A
warm-up of ``--clients`` referrals at a Samarinda posyandu (outside the view's wilayah) first
crosses the whole path, uncounted.

1. Request → target. ``--clients`` clients (8) send ``--referrals`` referrals (400; quick 60)
   as health kader (a token for each posyandu's desa): ``POST /v1/referrals`` on health,
   ``target_field`` social, ``reason_code`` dtsen_assessment, a distinct No. KK each (one open
   referral per need). Three in four are requested 30 days ago (overdue from the start), one
   in four today. Figures: POST latency, 201s per second, and each 201 → social's incoming row
   readable (health's outbox relay → ``health.referral.requested.v1`` → social's consumer
   ``social.referrals``).
2. The DPMD view, with all of them open in social: ``GET /v1/referrals?wilayah=64.02&status=
   overdue`` and the same ``&group=posyandu`` on the gateway, ``--views`` times each (50; quick
   20), one after another. Every answer is checked against the counts made here from what was
   sent: totals, social's row, health's (zero), each kecamatan's or posyandu's counts, and the
   overdue list.
3. Answer → source. The same number of clients, as social's OPD (``opd:social``), accept then
   resolve each referral (outcome ``assessed``); each resolve's 200 → health's copy resolved
   (social's relay → ``social.referral.resolved.v1`` → health's consumer ``health.referrals``).
4. Exactly once. Every referral is read back over REST on both sides (``GET /v1/referrals/
   {id}``): social's incoming row and health's copy resolved, each with exactly the three steps
   request, accept, resolve; and the tables hold no row beyond one per referral on each side.
   Redelivery itself is tested in ``tests/e2e/test_referrals.py``; here any loss or duplicate
   is a MISSED target. The view is asked once more: all resolved, the ones requested today in
   time.

Clocks. Latencies of calls are ``time.perf_counter()`` in the client. Lags use this machine's
wall clock (UTC) on both ends. Start = when the client received the 201 (or the resolve's 200).
End = the start of the first query on the receiving service's database that found the row
(incoming in social; the copy ``resolved`` in health): the row was committed before that
query began, and not when the one before it began, ``POLL_S`` earlier, so the figure overstates
by at most that interval. Such a row is what ``GET /v1/referrals/{id}`` answers. The row's own
timestamp (``created_at``, ``updated_at``), set by the consumer before the transaction of its
whole chunk (up to 200 records) commits, is shown as well: it understates. Where the lag
went: the event's outbox ``sent_at`` (set by the relay once the broker acknowledged its round,
before that round commits) splits it into the relay's part and the broker's and consumer's.
Health's and social's CPU (user + system, from ``/proc``) over each phase, per referral, is
shown too: far less sensitive to other load on the machine than wall-clock figures.

Targets, and why:
* POST p95 ≤ 200 ms: a kader sends it from a phone at the posyandu and waits for the answer;
  it is one insert, one history row and one outbox row.
* request → target and answer → source p95 ≤ 2 s: each crosses one relay (it polls its outbox
  every 0.1 s) and one consumer (a poll returns what has arrived, waiting at most 0.5 s; a
  chunk is one transaction); 2 s leaves room for a few rounds of both under load on 2 cores.
  Referrals are due in working days, so no one waits on seconds; more would mean a backlog.
* gateway view p95 ≤ 500 ms: DPMD's dashboard page; the gateway asks every field's summary
  (one grouped count and up to 200 overdue rows each) at once.
* No loss, no duplicate.

    uv run python -m bench.referrals [--quick] [--referrals 400] [--clients 8] [--posyandu 8]
                                     [--views 50]
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.common import (
    DPMD,
    KUKAR,
    OPD_HEALTH,
    OPD_SOCIAL,
    TODAY,
    Infra,
    Report,
    bearer,
    connect,
    parser,
    percentile,
    quiet_kafka_logs,
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


def expected_view(needs: Sequence[Need], resolved: bool) -> dict[str, Any]:
    """The view's counts as counted here from what was sent: all open (before the answers) or
    all resolved today (after: the ones requested today in time, the others late)."""
    by_kecamatan: dict[str, Counter[str]] = {}
    by_posyandu: dict[str, Counter[str]] = {}
    for need in needs:
        counts: Counter[str] = Counter(total=1)
        if resolved:
            counts.update(resolved=1, resolved_on_time=0 if need.overdue else 1)
        else:
            counts.update(open=1, overdue=1 if need.overdue else 0)
        by_kecamatan.setdefault(need.desa_code[:8], Counter()).update(counts)
        by_posyandu.setdefault(need.posyandu_id, Counter()).update(counts)
    totals: Counter[str] = Counter()
    for counts in by_kecamatan.values():
        totals.update(counts)
    return {
        "totals": _full(totals),
        "kecamatan": {k: _full(v) for k, v in by_kecamatan.items() if v["overdue"]},
        "posyandu": {k: _full(v) for k, v in by_posyandu.items() if v["overdue"]},
        "overdue": min(totals["overdue"], 200),  # the gateway lists the 200 longest overdue
    }


def _full(counts: Counter[str]) -> dict[str, int]:
    return {name: counts[name] for name in COUNTS}


def check_view(view: dict[str, Any], expected: dict[str, Any], group: str) -> list[str]:
    """How the gateway's answer differs from the hand count (empty: it does not)."""
    wrong = []
    zero = dict.fromkeys(COUNTS, 0)
    rows = {row["field"]: row for row in view["by_field"]}
    if not view["complete"]:
        wrong.append("complete is false")
    if view["totals"] != expected["totals"]:
        wrong.append(f"totals {view['totals']} != {expected['totals']}")
    for name, counts in (("social", expected["totals"]), ("health", zero)):
        if rows.get(name, {}).get("status") != "ok" or rows[name]["counts"] != counts:
            wrong.append(f"{name} row {rows.get(name)}")
    groups = {g["code"]: g["counts"] for g in view["by_group"]}
    if groups != expected[group]:
        wrong.append(f"{group} groups {groups} != {expected[group]}")
    overdue = view["overdue"]
    if len(overdue) != expected["overdue"] or not all(r["overdue"] for r in overdue):
        wrong.append(f"{len(overdue)} listed overdue, expected {expected['overdue']}")
    return wrong


async def views(
    client: httpx.AsyncClient, stack: Stack, expected: dict[str, Any], count: int
) -> tuple[dict[str, list[float]], int, list[str]]:
    """``count`` of each view, one after another, alternating; each answer checked against the
    hand count. Returns the latencies, how many answers differed, and how."""
    latencies: dict[str, list[float]] = {"kecamatan": [], "posyandu": []}
    wrong_answers, wrong = 0, []
    url = f"{stack.url('gateway')}/v1/referrals"
    for _ in range(count):
        for group in latencies:
            params = {"wilayah": KUKAR, "status": "overdue"}
            if group == "posyandu":
                params["group"] = "posyandu"
            started = time.perf_counter()
            response = await client.get(url, params=params, headers=DPMD)
            latencies[group].append(time.perf_counter() - started)
            if response.status_code != 200:
                found = [f"{response.status_code} {response.text[:160]}"]
            else:
                found = check_view(response.json(), expected, group)
            wrong_answers += bool(found)
            wrong += [f"{group}: {w}" for w in found]
    return latencies, wrong_answers, wrong


# --------------------------------------------------------------------------- the count


@dataclass
class Held:
    """What each side holds at the end, read back over REST and from the tables."""

    social_once: int = 0  # incoming, resolved, steps request/accept/resolve
    health_once: int = 0  # the copy resolved, the same three steps
    extra_rows: int = 0  # rows beyond one per referral sent (both sides)
    extra_steps: int = 0  # steps beyond three per referral (both sides)
    wrong: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # redeliveries the inboxes skipped


async def held(
    client: httpx.AsyncClient,
    stack: Stack,
    ids: Sequence[str],
    warm_up: int,
    clients: int,
    headers: dict[str, dict[str, str]],
) -> Held:
    """Each referral read back on both sides, then the tables' row and step counts (the sent
    ones and the warm-up's; nothing else refers anyone on this stack)."""
    out = Held()
    direction = {"social": "incoming", "health": "outgoing"}
    excess = dict.fromkeys(direction, 0)  # steps beyond three, referral by referral

    async def read(i: int) -> None:
        for service, expected in direction.items():
            response = await client.get(
                f"{stack.url(service)}/v1/referrals/{ids[i]}", headers=headers[service]
            )
            if response.status_code != 200:
                out.wrong.append(f"{service} {ids[i]}: {response.status_code}")
                continue
            row = response.json()
            actions = [step["action"] for step in row["history"]]
            excess[service] += max(0, len(actions) - len(STEPS))
            shown = (row["direction"], row["status"], row["outcome_code"], actions)
            if shown != (expected, "resolved", OUTCOME, STEPS):
                out.wrong.append(f"{service} {ids[i]}: {shown}")
            elif service == "social":
                out.social_once += 1
            else:
                out.health_once += 1

    await fan_out(len(ids), clients, read)
    sent = len(ids) + warm_up
    for service in direction:
        async with connect(stack.databases[service]) as conn:
            rows = await conn.fetchval("SELECT count(*) FROM referral")
            steps = await conn.fetchval("SELECT count(*) FROM referral_history")
        out.extra_rows += max(0, rows - sent)
        out.extra_steps += max(excess[service], steps - len(STEPS) * sent)
        metrics = (await client.get(f"{stack.url(service)}/metrics")).text
        pattern = (
            rf'^simpul_events_consumed_total\{{[^}}]*consumer="{service}\.referrals"'
            r'[^}]*outcome="duplicate"[^}]*\}\s+(\S+)$'
        )
        out.skipped[service] = sum(int(float(v)) for v in re.findall(pattern, metrics, re.M))
    return out


# --------------------------------------------------------------------------- a run


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


async def measure(
    stack: Stack, referrals: int, clients: int, posyandu: int, view_count: int
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=clients * 4, max_keepalive_connections=clients * 4)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        desa = spread_desa(posyandu)
        places = [
            (await new_posyandu(client, stack, d, f"Posyandu Rujukan {n + 1}", DPMD), d)
            for n, d in enumerate(desa)
        ]
        await wait_replicas(stack, [p for p, _ in places], list(FIELDS_THAT_ANSWER))
        warmed = await warm_up(client, stack, clients)
        needs = [
            Need(*places[i % len(places)], kk(i + 1), PAST.isoformat() if i % 4 else None)
            for i in range(referrals)
        ]
        sent, by_need = await request(client, stack, needs, clients)
        kept = [need for need, rid in zip(needs, by_need, strict=True) if rid]
        ids = [rid for rid in by_need if rid]
        open_latencies, open_wrong, open_how = await views(
            client, stack, expected_view(kept, resolved=False), view_count
        )
        answered = await answer(client, stack, ids, clients, OPD_SOCIAL)
        _, after_wrong, after_how = await views(
            client, stack, expected_view(kept, resolved=True), 1
        )
        count = await held(
            client, stack, ids, warmed, clients, {"social": OPD_SOCIAL, "health": OPD_HEALTH}
        )
    return {
        "needs": needs,
        "sent": sent,
        "ids": ids,
        "views": open_latencies,
        "view_wrong": open_wrong + after_wrong,
        "view_how": open_how + after_how,
        "answered": answered,
        "held": count,
    }


def breakdown(report: Report, run: Run, relay_label: str, consume_label: str) -> None:
    """Where the lag went (relay, then broker and consumer), and the services' CPU."""
    relay, consume = (stats(part) for part in run.parts())
    for label, figures in ((relay_label, relay), (consume_label, consume)):
        report.figure(f"  of which {label} p50", figures["p50"], "ms")
        report.figure(f"  of which {label} p95", figures["p95"], "ms")
    for name, used in run.cpu_ms.items():
        report.figure(f"  {name} CPU per referral in this phase", used, "ms")


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--referrals", type=int, default=None, help="referrals sent (400; quick 60)")
    args.add_argument("--clients", type=int, default=8, help="concurrent clients")
    args.add_argument("--posyandu", type=int, default=8)
    args.add_argument(
        "--views", type=int, default=None, help="requests of each view (50; quick 20)"
    )
    options = args.parse_args()
    referrals = options.referrals or (60 if options.quick else 400)
    view_count = options.views or (20 if options.quick else 50)
    quiet_kafka_logs()
    report = Report("referrals")
    load_before = os.getloadavg()
    with Infra() as infra:
        stack = infra.stack(
            "registry", "health", "social", "gateway",
            extra_env={"SIMPUL_RELAY_POLL_INTERVAL_S": RELAY_POLL_S},
        )  # fmt: skip
        out = asyncio.run(measure(stack, referrals, options.clients, options.posyandu, view_count))
    load_after = os.getloadavg()
    needs, sent, answered, count = out["needs"], out["sent"], out["answered"], out["held"]
    ids = out["ids"]
    past = sum(need.overdue for need in needs)
    report.note(
        f"{referrals} referrals, {options.clients} client{'s' if options.clients > 1 else ''}, "
        f"{options.posyandu} posyandu; "
        f"{past} requested {PAST} (overdue), {referrals - past} today; relay poll "
        f"{RELAY_POLL_S} s; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )

    post = stats(sent.latencies.get("request", []))
    report.figure("request: POST /v1/referrals on health p50", post["p50"], "ms")
    report.figure(
        "request: POST /v1/referrals on health p95", post["p95"], "ms",
        target=f"<= {TARGET_POST_P95_MS:.0f} ms", met=post["p95"] <= TARGET_POST_P95_MS,
    )  # fmt: skip
    report.figure("request: POST /v1/referrals on health p99", post["p99"], "ms")
    sending_s = max(sent.last_answer - sent.started, 1e-9)
    report.figure("request: referrals answered 201 per second", len(ids) / sending_s, "/s")
    arrived_s = max(sent.last_seen - sent.started, 1e-9)
    report.figure(
        "request: referrals in social per second (to the last)", len(sent.seen) / arrived_s, "/s"
    )
    to_social, social_own = sent.lags()
    lag = stats(to_social)
    report.figure("201 → social's incoming row readable p50", lag["p50"], "ms")
    report.figure(
        "201 → social's incoming row readable p95", lag["p95"], "ms",
        target=f"<= {TARGET_LAG_P95_MS:,.0f} ms", met=lag["p95"] <= TARGET_LAG_P95_MS,
    )  # fmt: skip
    report.figure("201 → social's incoming row readable max", lag["max"], "ms")
    own = stats(social_own)
    report.figure("  (row's created_at, before its chunk commits) p50", own["p50"], "ms")
    report.figure("  (row's created_at, before its chunk commits) p95", own["p95"], "ms")
    breakdown(report, sent, "201 → health's event relayed", "relayed → in social")
    report.figure(
        "requests answered 201 and in social", len(sent.seen), f"of {referrals}",
        target="all", met=len(sent.seen) == referrals,
    )  # fmt: skip

    view_p95 = {}
    for group, label in (
        ("kecamatan", "status=overdue"),
        ("posyandu", "status=overdue&group=posyandu"),
    ):
        figures = stats(out["views"][group])
        view_p95[group] = figures["p95"]
        report.figure(f"gateway /v1/referrals?{label} p50", figures["p50"], "ms")
        report.figure(
            f"gateway /v1/referrals?{label} p95", figures["p95"], "ms",
            target=f"<= {TARGET_VIEW_P95_MS:.0f} ms", met=figures["p95"] <= TARGET_VIEW_P95_MS,
        )  # fmt: skip
    checked = 2 * view_count + 2
    right = checked - out["view_wrong"]
    report.figure(
        "gateway answers as counted by hand (open; resolved)", right, f"of {checked}",
        target="all", met=right == checked,
    )  # fmt: skip
    for line in out["view_how"][:5]:
        report.note(f"view: {line}")

    for action in ("accept", "resolve"):
        figures = stats(answered.latencies.get(action, []))
        report.figure(
            f"answer: POST /v1/referrals/{{id}}/{action} on social p50", figures["p50"], "ms"
        )
        report.figure(
            f"answer: POST /v1/referrals/{{id}}/{action} on social p95", figures["p95"], "ms"
        )
    to_health, health_own = answered.lags()
    back = stats(to_health)
    report.figure("resolve's 200 → health's copy resolved p50", back["p50"], "ms")
    report.figure(
        "resolve's 200 → health's copy resolved p95", back["p95"], "ms",
        target=f"<= {TARGET_LAG_P95_MS:,.0f} ms", met=back["p95"] <= TARGET_LAG_P95_MS,
    )  # fmt: skip
    report.figure("resolve's 200 → health's copy resolved max", back["max"], "ms")
    own = stats(health_own)
    report.figure("  (copy's updated_at, before its chunk commits) p50", own["p50"], "ms")
    report.figure("  (copy's updated_at, before its chunk commits) p95", own["p95"], "ms")
    breakdown(report, answered, "200 → social's event relayed", "relayed → health's copy")
    for refusal in (sent.refused + answered.refused)[:5]:
        report.note(f"refused: {refusal}")

    report.figure(
        "social: incoming, resolved, 3 steps, once each", count.social_once, f"of {referrals}",
        target="all", met=count.social_once == referrals,
    )  # fmt: skip
    report.figure(
        "health: copy resolved, 3 steps, once each", count.health_once, f"of {referrals}",
        target="all", met=count.health_once == referrals,
    )  # fmt: skip
    duplicates = count.extra_rows + count.extra_steps
    report.figure(
        "rows or steps beyond one each (both sides)", duplicates, "",
        target="0", met=duplicates == 0,
    )  # fmt: skip
    for line in count.wrong[:5]:
        report.note(f"held: {line}")
    report.note(
        "redeliveries skipped by the inboxes (reported, not counted): "
        + ", ".join(f"{name}.referrals {n}" for name, n in count.skipped.items())
    )
    missing = 2 * referrals - count.social_once - count.health_once
    report.summary(
        f"{referrals} referrals, {options.clients} client{'s' if options.clients > 1 else ''}: "
        f"POST p95 {post['p95']:.0f} ms, "
        f"{len(ids) / sending_s:.0f}/s; 201 → social p95 {lag['p95']:.0f} ms; resolve → health "
        f"p95 {back['p95']:.0f} ms; DPMD view p95 {view_p95['kecamatan']:.0f} / "
        f"{view_p95['posyandu']:.0f} ms; missing {missing}, duplicated {duplicates}"
    )


if __name__ == "__main__":
    main()
