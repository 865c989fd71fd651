"""Transaction-scoped advisory locks on names: a service serialises writers that would
otherwise each read "nothing there yet" and both write (two reports of one damage, two aid
assignments to one household).

PostgreSQL only: on SQLite (the quick start) a write transaction already holds the whole
database, so there is nothing to take. A lock is ``(lock_class, key)``: the class says whose
locks they are (a service and purpose), the key is a 32-bit digest of the name (a collision
only serialises more).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

_TAKE = text(
    "SELECT count(pg_advisory_xact_lock(:class, k)) "
    "FROM (SELECT k FROM unnest(CAST(:keys AS integer[])) AS k ORDER BY k) AS ordered"
)


def lock_key(name: str) -> int:
    """A name's advisory-lock key (signed 32 bits)."""
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


async def hold(session: AsyncSession, lock_class: int, names: Iterable[str]) -> None:
    """Hold the locks of ``names`` until the transaction ends, taken in key order in one round
    trip (no two writers wait on each other crosswise)."""
    keys = sorted({lock_key(name) for name in names})
    if keys and (await session.connection()).dialect.name == "postgresql":
        await session.execute(_TAKE, {"class": lock_class, "keys": keys})
