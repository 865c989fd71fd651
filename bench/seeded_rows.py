"""Values for the rows a benchmark generates, drawn from a seeded random generator so that
every run of one seed loads the same data: ids, days, records spread over the posyandu and
odds that differ from one desa to the next.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta

from bench.bulk_load import Place


def spread(places: Sequence[Place], count: int) -> Iterator[tuple[int, str, str]]:
    """``count`` records over the posyandu in turn: each record's number, posyandu and desa."""
    for n in range(count):
        posyandu_id, desa = places[n % len(places)]
        yield n, posyandu_id, desa


def desa_odds(
    rng: random.Random, places: Iterable[Place], low: float, high: float
) -> dict[str, float]:
    """A chance per desa drawn from ``low`` to ``high``: some desa worse off than others."""
    return {desa: rng.uniform(low, high) for _, desa in places}


def draw_id(rng: random.Random) -> str:
    """A UUID4 drawn from ``rng``: the same ids on every run of one seed."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def draw_day(rng: random.Random, first: date, last: date) -> date:
    """A day from ``first`` to ``last`` (both included; ``first`` if ``last`` is before it)."""
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def at_nine(day: date) -> datetime:
    """``day`` at 09:00 UTC: when a row dated ``day`` was written."""
    return datetime.combine(day, time(9), UTC)
