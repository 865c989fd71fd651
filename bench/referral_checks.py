"""What ``bench.referrals`` checks of its runs: the gateway's view against the counts made
from what was sent, and every referral held exactly once on each side at the end."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.common import (
    DPMD,
    KUKAR,
    connect,
)
from bench.referral_steps import (
    COUNTS,
    OUTCOME,
    STEPS,
    Need,
    fan_out,
)
from simpul_platform.testing.stack import Stack


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
