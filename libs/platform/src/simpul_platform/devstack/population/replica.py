"""Which posyandu a service's demo generates for: Kukar's, as its own replica knows them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

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
    await wait_until_settled(db)
    return db
