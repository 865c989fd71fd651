"""Seeding the benchmark stack: posyandu through the registry, balita and households copied
into the services' own tables, and the measurements to send."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from bench.common import (
    DPMD,
    HEALTHY_HAZ,
    STUNTED_HAZ,
    TODAY,
    connect,
    scalar,
)
from simpul_health.domain.zscores import value_at_z
from simpul_platform.devstack.population import DemoChild, generate_balita
from simpul_platform.devstack.population import kukar_desa as every_kukar_desa
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.testing.stack import TEST_PSEUDONYM_SECRET, Stack

# --------------------------------------------------------------------------- seeding


def kukar_desa(count: int) -> list[str]:
    """``count`` Kukar desa codes: every desa in turn, then again."""
    desa = every_kukar_desa()
    return [desa[i % len(desa)] for i in range(count)]


async def create_posyandu(
    client: httpx.AsyncClient,
    stack: Stack,
    count: int,
    fields: Sequence[str] = ("health", "social"),
    label: str = "Bench",
) -> list[tuple[str, str]]:
    """``count`` posyandu through the registry's REST API; returns (id, desa code) pairs."""
    semaphore = asyncio.Semaphore(8)

    async def one(i: int, desa: str) -> tuple[str, str]:
        async with semaphore:
            response = await client.post(
                f"{stack.url('registry')}/v1/posyandu",
                headers=DPMD,
                json={
                    "name": f"Posyandu {label} {i + 1}",
                    "desa_code": desa,
                    "fields": list(fields),
                },
            )
            response.raise_for_status()
            return response.json()["id"], desa

    return list(await asyncio.gather(*(one(i, d) for i, d in enumerate(kukar_desa(count)))))


async def wait_replicas(
    stack: Stack, ids: Sequence[str], services: Sequence[str], timeout: float = 120.0
) -> None:
    """Field services learn posyandu from registry events; wait until every replica has them."""
    deadline = time.monotonic() + timeout
    for service in services:
        url = stack.databases[service]
        while True:
            found = await scalar(
                url,
                "SELECT count(*) FROM posyandu_replica WHERE posyandu_id = ANY($1::text[])",
                list(ids),
            )
            if found == len(ids):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} replica has {found} of {len(ids)} posyandu")
            await asyncio.sleep(0.2)


_ISSUED_NIKS: set[str] = set()  # across calls: several batches of children share a database


def balita(
    posyandu: Sequence[tuple[str, str]],
    per_posyandu: int,
    *,
    seed: int,
    stunted: float = 0.0,
    serial_from: int = 0,
) -> list[DemoChild]:
    """health's demo generator, with each child's HAZ set: a ``stunted`` share at −2.6.

    NIK and No. KK serials start at ``serial_from`` so that several batches of children can
    share one database (both are unique there).
    """
    rng = random.Random(seed)
    children = generate_balita(
        list(posyandu), seed=seed, per_posyandu=per_posyandu, secret=TEST_PSEUDONYM_SECRET
    )
    out, niks = [], _ISSUED_NIKS
    for i, child in enumerate(children):
        target = dict(child.target)
        if serial_from:
            serial = serial_from + i
            target["nik"] = f"{target['nik'][:12]}{serial % 9999 + 1:04d}"
            target["kk"] = f"{target['kk'][:6]}01{serial:08d}"
            target["person_ref"] = person_ref(TEST_PSEUDONYM_SECRET, target["nik"])
            target["household_ref"] = household_ref(TEST_PSEUDONYM_SECRET, target["kk"])
        haz = STUNTED_HAZ if rng.random() < stunted else HEALTHY_HAZ
        if target["nik"] in niks:  # the 4-digit NIK serial repeats: skip a twin (NIK is unique)
            continue
        niks.add(target["nik"])
        out.append(DemoChild(target, haz, 0.0))
    return out


async def insert_targets(stack: Stack, children: Sequence[DemoChild]) -> None:
    """Targets straight into health's own ``targets`` table (COPY), as the demo rows are."""
    columns = list(children[0].target)
    async with connect(stack.databases["health"]) as conn:
        await conn.copy_records_to_table(
            "targets",
            records=[tuple(c.target[k] for k in columns) for c in children],
            columns=columns,
        )


async def insert_households(stack: Stack, children: Sequence[DemoChild], decile: int = 2) -> None:
    """Each child's household in social's ``household`` table with a priority decile (COPY)."""
    now = datetime.now(UTC)
    rows = [
        (
            str(uuid.uuid4()),
            c.target["kk"],
            c.target["household_ref"],
            c.target["posyandu_id"],
            c.target["desa_code"],
            "Jl. Bench",
            decile,
            "DTSEN",
            date(2026, 1, 15),
            "bench",
            now,
            "bench",
            now,
        )
        for c in children
    ]
    columns = [
        "id", "kk", "household_ref", "posyandu_id", "desa_code", "address", "decile",
        "decile_source", "decile_assessed_on", "created_by", "created_at", "updated_by",
        "updated_at",
    ]  # fmt: skip
    async with connect(stack.databases["social"]) as conn:
        await conn.copy_records_to_table("household", records=rows, columns=columns)


def measurement(child: DemoChild, on: date) -> dict[str, Any]:
    """One weighing of ``child`` on ``on`` at the child's HAZ (WHO LMS tables from health)."""
    sex, birth = child.target["sex"], child.target["birth_date"]
    age = (on - birth).days
    length = value_at_z("lhfa", sex, age, child.haz)
    weight = value_at_z("wfa", sex, age, max(-3.0, 0.6 * child.haz))
    return {
        "target_id": child.target["id"],
        "measured_on": on.isoformat(),
        "weight_kg": round(weight, 1),
        "height_cm": round(length, 1),
        "measure_position": "recumbent" if age < 731 else "standing",
        "confirmed_implausible": True,
    }


def bulk_requests(
    children: Sequence[DemoChild], per_request: int, on: date | None = None
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(posyandu id, items) per request: each posyandu's children in chunks of ``per_request``."""
    day = on or TODAY - timedelta(days=2)
    by_posyandu: dict[str, list[DemoChild]] = {}
    for child in children:
        by_posyandu.setdefault(child.target["posyandu_id"], []).append(child)
    out = []
    for pid, mine in by_posyandu.items():
        for i in range(0, len(mine), per_request):
            out.append((pid, [measurement(c, day) for c in mine[i : i + per_request]]))
    return out
