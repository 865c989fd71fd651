"""Which posyandu a service's demo generates for: Kukar's, as its own replica knows them."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select

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
    expected = await registry_kukar_versions(settings)
    if expected is None:
        await wait_until_settled(db)  # no registry to ask: until the replica stops growing
    else:
        await _wait_for(db, expected)
    return db


async def registry_kukar_versions(settings: ServiceSettings) -> dict[str, int] | None:
    """Each Kukar posyandu's version at the registry (its list, asked as DPMD of Kukar with
    the development secret), or None when there is no registry to ask or it refuses."""
    if not settings.registry_url:
        return None
    token = mint_token(settings, "demo-loader", ["dpmd"], [KUKAR])
    versions: dict[str, int] = {}
    try:
        async with httpx.AsyncClient(base_url=settings.registry_url, timeout=30) as client:
            for page in range(1, 10_000):
                response = await client.get(
                    "/v1/posyandu",
                    params={"wilayah": KUKAR, "page": page, "page_size": 500},
                    headers={"Authorization": f"Bearer {token}"},
                )
                if response.status_code != 200:
                    return None
                items = response.json()["items"]
                versions.update((item["id"], int(item["version"])) for item in items)
                if len(items) < 500:
                    break
    except httpx.HTTPError:
        return None
    return versions


async def _wait_for(db: Database, expected: dict[str, int], *, timeout_s: float = 600.0) -> None:
    """Until the replica holds every one of the registry's Kukar posyandu at its version
    (created, then submitted, verified, registered: a status change is an event of its own,
    so a replica that has them all may still have some at an earlier status)."""
    query = select(posyandu_replica.c.posyandu_id, posyandu_replica.c.version).where(
        posyandu_replica.c.kabupaten_code == KUKAR
    )
    deadline = time.monotonic() + timeout_s
    while True:
        async with db.sessions() as session:
            held = dict((await session.execute(query)).tuples().all())
        if all((held.get(pid) or 0) >= version for pid, version in expected.items()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the posyandu replica did not reach the registry's posyandu")
        await asyncio.sleep(0.2)
