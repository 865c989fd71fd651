"""Which posyandu a service's demo generates for: Kukar's, as its own replica knows them."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from simpul_platform.auth import mint_token
from simpul_platform.db import Database
from simpul_platform.devstack.population.posyandu import KUKAR
from simpul_platform.migrations import upgrade
from simpul_platform.replica import INACTIVE, posyandu_replica, wait_until_settled
from simpul_platform.settings import ServiceSettings


@dataclass(frozen=True)
class ReplicaPosyandu:
    posyandu_id: str
    desa_code: str
    status: str

    @property
    def active(self) -> bool:
        return self.status != INACTIVE


async def kukar_posyandu(db: Database) -> list[ReplicaPosyandu]:
    """Every Kukar posyandu in the replica, in id order. Services that generate people for this
    list (after ``wait_until_settled``) with the same seed get the same people."""
    query = (
        select(
            posyandu_replica.c.posyandu_id, posyandu_replica.c.desa_code, posyandu_replica.c.status
        )
        .where(posyandu_replica.c.kabupaten_code == KUKAR)
        .order_by(posyandu_replica.c.posyandu_id)
    )
    async with db.sessions() as session:
        rows = (await session.execute(query)).all()
    return [ReplicaPosyandu(*row) for row in rows]


async def settled_database(settings: ServiceSettings, migrations: Path) -> Database:
    """A field service's database for its demo loader: migrated, and its replica settled (every
    posyandu the registry's demo announced), so every loader sees the same list. The caller
    disposes of it."""
    db = Database(settings.resolved_database_url, settings.database_pool_size, batch=True)
    await upgrade(migrations, db.url)
    expected = await registry_kukar_count(settings)
    if expected is None:
        await wait_until_settled(db)  # no registry to ask: until the replica stops growing
    else:
        await _wait_for(db, expected)
    return db


async def registry_kukar_count(settings: ServiceSettings) -> int | None:
    """How many Kukar posyandu the registry holds (its list's total, asked as DPMD of Kukar
    with the development secret), or None when there is no registry to ask or it refuses."""
    if not settings.registry_url:
        return None
    token = mint_token(settings, "demo-loader", ["dpmd"], [KUKAR])
    try:
        async with httpx.AsyncClient(base_url=settings.registry_url, timeout=30) as client:
            response = await client.get(
                "/v1/posyandu",
                params={"wilayah": KUKAR, "page_size": 1},
                headers={"Authorization": f"Bearer {token}"},
            )
    except httpx.HTTPError:
        return None
    return int(response.json()["total"]) if response.status_code == 200 else None


async def _wait_for(db: Database, expected: int, *, timeout_s: float = 600.0) -> None:
    """Until the replica holds the ``expected`` Kukar posyandu (the registry's relay and this
    service's replica consumer bring them in)."""
    query = select(func.count()).where(posyandu_replica.c.kabupaten_code == KUKAR)
    deadline = time.monotonic() + timeout_s
    while True:
        async with db.sessions() as session:
            if (await session.execute(query)).scalar_one() >= expected:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the posyandu replica did not reach the registry's {expected}")
        await asyncio.sleep(0.2)
