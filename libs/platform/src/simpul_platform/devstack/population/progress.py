"""What a demo loader tells the start command while it works: one line per part as it
finishes (its count and seconds), and for a long part a line every few seconds of how far it
has got (``12,000/60,000 measurements``). The start command prefixes each line with the
field, so a newcomer watching the terminal sees every field's progress side by side."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

Echo = Callable[[str], None]
T = TypeVar("T")


def _print(line: str) -> None:
    print(line, flush=True)


class Progress:
    """Counts one part's work towards ``total`` and says so at most every ``every`` seconds
    (the start command runs the loaders side by side: a line a second each would drown the
    terminal); ``done`` says the part's count and time."""

    def __init__(
        self, what: str, total: int, *, unit: str = "", every: float = 10.0, echo: Echo = _print
    ) -> None:
        self.what, self.total, self.unit, self.every, self.echo = what, total, unit, every, echo
        self.count = 0
        self.started = self.said = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.count += n
        moment = time.monotonic()
        if moment - self.said >= self.every and self.count < self.total:
            self.said = moment
            self.echo(f"{self.what}: {self.count:,}/{self.total:,} {self.unit}".rstrip())

    def done(self, made: int | None = None, unit: str | None = None) -> None:
        """The part's line: ``made`` records (default: the count) in so many seconds."""
        took = time.monotonic() - self.started
        count = self.count if made is None else made
        self.echo(f"{self.what}: {count:,} {unit or self.unit} in {took:.0f} s".replace("  ", " "))


async def timed(what: str, part: Awaitable[T], echo: Echo = _print) -> T:
    """Await ``part`` and say its result and seconds in one line."""
    started = time.monotonic()
    result = await part
    shown = f"{result:,}" if isinstance(result, int) else str(result)
    echo(f"{what}: {shown} in {time.monotonic() - started:.0f} s")
    return result
