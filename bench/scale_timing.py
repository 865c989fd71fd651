"""``bench.scale``'s reads: a call timed one after another (one client) or by ``clients``
concurrent clients, a gateway answer checked for every field's rows (the gateway answers 200
with a field that timed out, and a fast partial answer flatters it), and the fan-out profiled
by timing each field's own route the gateway calls.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.common import DPMD, Report, ms

# The field routes the gateway's scorecard (``/v1/indicators``) and priority loci call.
SCORECARD_ROUTE = "/v1/indicators"
LOCI_ROUTES = {
    "health": "/v1/stunting/by-desa",
    "education": "/v1/summary/by-desa",
    "social": "/v1/summary/by-desa",
    "housing": "/v1/summary/by-desa",
    "public-works": "/v1/summary/by-desa",
}
Check = Callable[[httpx.Response], list[str]]


@dataclass
class Partial:
    """Gateway answers missing a field's figures, by call and field."""

    seen: dict[str, dict[str, int]] = field(default_factory=dict)

    def scorecard(self, name: str) -> Check:
        def check(response: httpx.Response) -> list[str]:
            missing = [r["field"] for r in response.json()["rows"] if r["status"] != "ok"]
            self._count(name, missing)
            return missing

        return check

    def loci(self, name: str) -> Check:
        def check(response: httpx.Response) -> list[str]:
            missing = [f["field"] for f in response.json()["fields"] if f["status"] != "ok"]
            self._count(name, missing)
            return missing

        return check

    def _count(self, name: str, missing: list[str]) -> None:
        for f in set(missing):
            by_field = self.seen.setdefault(name, {})
            by_field[f] = by_field.get(f, 0) + 1

    @property
    def total(self) -> int:
        return sum(sum(by_field.values()) for by_field in self.seen.values())


async def _one(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    latencies: list[float],
    check: Check | None,
    headers: dict[str, str],
) -> Any:
    started = time.perf_counter()
    response = await client.get(url, params=params, headers=headers)
    latencies.append(time.perf_counter() - started)
    response.raise_for_status()
    if check is not None:
        check(response)
    return response.json()


async def timed(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str],
    *,
    requests: int,
    clients: int = 1,
    check: Check | None = None,
    headers: dict[str, str] = DPMD,
) -> dict[str, float]:
    """One warm-up call, then ``requests`` calls in all by ``clients`` concurrent clients,
    each one after another: p50/p99/max in ms, and the warm-up's as ``first``."""
    first: list[float] = []
    await _one(client, url, params, first, None, headers)
    latencies: list[float] = []

    async def user(calls: int) -> None:
        for _ in range(calls):
            await _one(client, url, params, latencies, check, headers)

    per = max(1, requests // clients)
    await asyncio.gather(*(user(per) for _ in range(clients)))
    return {**ms(latencies), "first": first[0] * 1000}


def show(report: Report, label: str, f: dict[str, float], target_ms: float | None = None) -> None:
    """p50 and p99, the p99 beside its target if it has one."""
    report.figure(f"{label} p50", f["p50"], "ms")
    report.figure(
        f"{label} p99 (n={f['n']})",
        f["p99"],
        "ms",
        target=f"p99 ≤ {target_ms:,.0f} ms" if target_ms else None,
        met=f["p99"] <= target_ms if target_ms else None,
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"


def http_client(clients: int) -> httpx.AsyncClient:
    """A client whose pool lets ``clients`` calls be in flight at once."""
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    return httpx.AsyncClient(timeout=120, limits=limits)
