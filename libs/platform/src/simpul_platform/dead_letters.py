"""Dead letters as the replay command sees them: pure pieces, no broker.

A consumer dead-letters a record it cannot apply to ``simpul.dlq.<consumer>`` with the
original key, value and headers plus ``dlq_*`` headers naming the error and where the record
came from (``consumer.ConsumerRunner._dead_letter``). Replay sends it back to its source topic
as the original (the ``dlq_*`` headers dropped) with one ``dlq_replayed_from`` header naming the
dead letter, so a log or a later dead letter shows it came round again.

Which dead letters have been replayed is kept per DLQ partition in the offset commits of the
consumer group ``simpul.dlq-replay.<consumer>``: the committed offset is the first letter not
yet replayed, and the commit's metadata lists the letters after it that were (a replay of
chosen event ids leaves gaps), as ranges: ``"v1:12-14,17"``.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DLQ_HEADER_PREFIX = "dlq_"
REPLAYED_FROM = "dlq_replayed_from"
PROGRESS_VERSION = "v1:"
# Kafka refuses commit metadata over offset.metadata.max.bytes (4096 by default).
MAX_PROGRESS_CHARS = 3500


def replay_group(consumer: str) -> str:
    """The consumer group (before the topic namespace) whose commits record replay progress."""
    return f"simpul.dlq-replay.{consumer}"


@dataclass(frozen=True)
class DeadLetter:
    partition: int  # where it sits on the DLQ topic
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_record(cls, record: Any) -> DeadLetter:
        """From an aiokafka ConsumerRecord of the DLQ topic."""
        return cls(
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp,
            key=record.key,
            value=record.value,
            headers=tuple((name, bytes(raw)) for name, raw in record.headers),
        )

    def header(self, name: str) -> str | None:
        # The last one wins, as Envelope.from_kafka reads them.
        found = [raw for header, raw in self.headers if header == name]
        return found[-1].decode("utf-8", "replace") if found else None

    @property
    def event_id(self) -> str | None:
        return self.header("ce_id")

    @property
    def event_type(self) -> str | None:
        return self.header("ce_type")

    @property
    def error(self) -> str:
        return self.header("dlq_error") or "(no error recorded)"

    @property
    def source_topic(self) -> str | None:
        return self.header("dlq_source_topic")

    @property
    def source(self) -> str:
        """Where it was read from, ``topic/partition@offset``."""
        partition = self.header("dlq_source_partition") or "?"
        offset = self.header("dlq_source_offset") or "?"
        return f"{self.source_topic or '?'}/{partition}@{offset}"

    @property
    def failed_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def unreplayable(self) -> str | None:
        """Why this letter cannot go back (None: it can)."""
        if not self.source_topic:
            return "no dlq_source_topic header: where it came from is unknown"
        if not self.event_id or not self.event_type:
            # Every consumer of the topic would dead-letter it again.
            return "not a CloudEvent (no ce_id or ce_type header)"
        return None

    def replay_headers(self, dlq_topic: str) -> list[tuple[str, bytes]]:
        """The original headers, with the replay's mark instead of the dead-letter ones."""
        original = [(n, raw) for n, raw in self.headers if not n.startswith(DLQ_HEADER_PREFIX)]
        mark = f"{dlq_topic}/{self.partition}@{self.offset}".encode()
        return [*original, (REPLAYED_FROM, mark)]


@dataclass(frozen=True)
class Progress:
    """One DLQ partition's replay progress: every offset below ``next`` and those in ``done``."""

    next: int = 0
    done: frozenset[int] = field(default_factory=frozenset)

    def replayed(self, offset: int) -> bool:
        return offset < self.next or offset in self.done

    @classmethod
    def of(cls, next_: int, done: Iterable[int]) -> Progress:
        """``next`` moved over every replayed offset that follows it, ``done`` only past it."""
        remaining = set(done)
        while next_ in remaining:
            next_ += 1
        return cls(next_, frozenset(o for o in remaining if o > next_))

    def mark(self, offset: int) -> Progress:
        """This letter replayed."""
        return Progress.of(self.next, {*self.done, offset})

    def from_log_start(self, log_start: int) -> Progress:
        """Letters deleted by retention are gone: progress starts where the log does."""
        return self if self.next >= log_start else Progress.of(log_start, self.done)

    def metadata(self) -> str:
        text = PROGRESS_VERSION + ",".join(_ranges(sorted(self.done)))
        if len(text) > MAX_PROGRESS_CHARS:
            raise ValueError(
                f"the record of replayed letters would be {len(text)} characters (at most"
                f" {MAX_PROGRESS_CHARS}): replay the letters before them first"
            )
        return text

    @classmethod
    def parse(cls, committed: int | None, metadata: str | None) -> Progress:
        """From a committed offset (None or -1: none yet) and its metadata."""
        start = committed if committed is not None and committed >= 0 else 0
        done: set[int] = set()
        if metadata and metadata.startswith(PROGRESS_VERSION):
            try:
                for part in filter(None, metadata[len(PROGRESS_VERSION) :].split(",")):
                    low, _, high = part.partition("-")
                    done.update(range(int(low), int(high or low) + 1))
            except ValueError:  # garbled: the gaps' letters may go again; the inbox copes
                done = set()
        return Progress.of(start, done)


def _ranges(offsets: Sequence[int]) -> Iterator[str]:
    """Sorted offsets as ``a-b`` runs."""
    i = 0
    while i < len(offsets):
        j = i
        while j + 1 < len(offsets) and offsets[j + 1] == offsets[j] + 1:
            j += 1
        yield str(offsets[i]) if i == j else f"{offsets[i]}-{offsets[j]}"
        i = j + 1


def in_failure_order(letters: Iterable[DeadLetter]) -> list[DeadLetter]:
    """Oldest first across partitions, each partition kept in offset order (which keeps one
    key's letters in the order they failed: a key always lands on the same DLQ partition)."""
    by_partition: dict[int, list[DeadLetter]] = {}
    for letter in sorted(letters, key=lambda d: (d.partition, d.offset)):
        by_partition.setdefault(letter.partition, []).append(letter)
    heads = [(p[0].timestamp_ms, p[0].partition, 0) for p in by_partition.values()]
    heapq.heapify(heads)
    ordered: list[DeadLetter] = []
    while heads:
        _, partition, index = heapq.heappop(heads)
        ordered.append(by_partition[partition][index])
        if index + 1 < len(by_partition[partition]):
            following = by_partition[partition][index + 1]
            heapq.heappush(heads, (following.timestamp_ms, partition, index + 1))
    return ordered


def choose(
    waiting: Sequence[DeadLetter], *, limit: int | None, event_ids: Sequence[str]
) -> list[DeadLetter]:
    """The letters a replay moves: those named (all when none are), oldest first, at most
    ``limit``."""
    wanted = set(event_ids)
    chosen = [d for d in in_failure_order(waiting) if not wanted or d.event_id in wanted]
    return chosen if limit is None else chosen[:limit]


@dataclass(frozen=True)
class Summary:
    count: int
    oldest: datetime | None
    errors: list[tuple[str, int]]  # most frequent first
    sources: list[tuple[str, int]]


def summarize(waiting: Sequence[DeadLetter]) -> Summary:
    errors = Counter(_first_line(d.error) for d in waiting)
    sources = Counter(d.source_topic or "(unknown)" for d in waiting)
    oldest = min((d.failed_at for d in waiting), default=None)
    return Summary(len(waiting), oldest, errors.most_common(), sources.most_common())


def _first_line(text: str, width: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= width else line[: width - 1] + "…"


def describe(letter: DeadLetter) -> str:
    """One line per letter: where it sits, when it failed, what it is, why."""
    return (
        f"{letter.partition}@{letter.offset}  {letter.failed_at:%Y-%m-%dT%H:%M:%SZ}"
        f"  {letter.event_type or '-'}  {letter.event_id or '-'}  from {letter.source}"
        f"  {_first_line(letter.error, 120)}"
    )
