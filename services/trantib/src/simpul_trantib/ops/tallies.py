"""Trantib's indicator counts kept per posyandu and month (``simpul_platform.tallies``: rows
dropped by writes under an advisory lock, filled lazily on read; its docstring says why that
is right under concurrency). What is counted: ``domain.indicators``.

**What invalidates** (``invalidate(session, posyandu_id, since)`` in the write's transaction):
every write to a record a count reads, with the record's posyandu and the earliest date the
change is dated (a fire's report day, a report's or a step's day, an outreach's day, a
disaster household's assessment day).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import tallies as kept_counts
from simpul_trantib.models import TrantibTally

LOCK_CLASS = 0x7A7B  # the first key of this service's tally locks (the second: the posyandu's)
TALLY: Table = TrantibTally.__table__  # type: ignore[attr-defined]
MARKER = "posyandu"  # the code every counted posyandu-month has a row of
KEPT = kept_counts.Kept(TALLY, LOCK_CLASS, MARKER)


async def invalidate(session: AsyncSession, posyandu_id: str, since: date) -> None:
    """Drop the posyandu's counts of the months from ``since``'s on, in the caller's
    transaction (call it in every write that changes what they count)."""
    await kept_counts.invalidate_many(session, KEPT, [posyandu_id], since)


async def invalidate_many(session: AsyncSession, posyandu_ids: Iterable[str], since: date) -> None:
    """``invalidate`` for several posyandu at once (one lock statement, one DELETE)."""
    await kept_counts.invalidate_many(session, KEPT, posyandu_ids, since)
