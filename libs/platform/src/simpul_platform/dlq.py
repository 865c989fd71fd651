"""``python -m simpul_platform.dlq``: what a consumer dead-lettered, and sending it back.

    python -m simpul_platform.dlq list social.stunting-reaction
    python -m simpul_platform.dlq replay social.stunting-reaction --dry-run
    python -m simpul_platform.dlq replay social.stunting-reaction [--limit N] [--event-id ID ...]

``replay`` moves dead letters from ``simpul.dlq.<consumer>`` back to the topic each was read
from, oldest first, as the original record (key, value, CloudEvents headers) plus a
``dlq_replayed_from`` header. Each letter is sent once: after the broker acknowledges it, the
replay commits its progress (``dead_letters.Progress``) as the consumer group
``simpul.dlq-replay.<consumer>``, so a second run skips it. A crash between the acknowledgement
and that commit sends the letter again on the next run; the consumers tolerate that, as they
tolerate any redelivery: their inbox applies an event id once. Every consumer of the source
topic sees the replayed event, and those that applied it before skip it the same way. Run one
replay of a consumer at a time.

The broker and the topic namespace come from the services' own settings (``ServiceSettings``:
``SIMPUL_KAFKA_BOOTSTRAP_SERVERS``, ``SIMPUL_KAFKA_TOPIC_NAMESPACE``), and the clients are the
ones ``simpul_platform.kafka`` builds for the services.

Exit codes: 0 done; 1 some letters were not moved (named on stderr: no source recorded, not a
CloudEvent, source topic gone, an event id not waiting); 2 usage; 3 no dead-letter topic for
that consumer; 4 the broker cannot be reached (or failed during a replay: run it again).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pydantic import model_validator

from simpul_platform.dead_letters import (
    DeadLetter,
    Progress,
    choose,
    describe,
    replay_group,
    summarize,
)
from simpul_platform.kafka import (
    DEAD_LETTER_PREFIX,
    connection_options,
    idempotent_producer,
    stop_within,
)
from simpul_platform.settings import ServiceSettings

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE, EXIT_UNKNOWN, EXIT_BROKER = 0, 1, 2, 3, 4
CONNECT_TIMEOUT_S = 20.0


class DlqSettings(ServiceSettings):
    """The services' shared settings (``SIMPUL_*``), read by an operator's command."""

    service_name: str = "dlq"

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_development(self) -> DlqSettings:
        # Overrides the services' check: this command signs no token and makes no pseudonym,
        # so it must not need the deployment's secrets to look at a topic.
        return self


class DlqError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Queue:
    """One consumer's dead-letter topic as read now: the letters not yet replayed."""

    consumer: str
    topic: str
    group: str
    progress: dict[TopicPartition, Progress]
    waiting: list[DeadLetter]
    source_topics: set[str] = field(default_factory=set)  # those that exist on the broker


@dataclass
class Outcome:
    moved: list[DeadLetter] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


async def open_queue(settings: ServiceSettings, consumer: str) -> Queue:
    """Read what waits on ``simpul.dlq.<consumer>``; DlqError when the topic is unknown or
    the broker cannot be reached."""
    topic = settings.topic(DEAD_LETTER_PREFIX + consumer)
    group = settings.topic(replay_group(consumer))
    admin = AIOKafkaAdminClient(**connection_options(settings), request_timeout_ms=10000)
    await _reach(settings, admin.start())
    try:
        topics = set(await admin.list_topics())
        if topic not in topics:
            raise DlqError(_unknown(settings, consumer, topics), EXIT_UNKNOWN)
        partitions = await _partitions(admin, topic)
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
    finally:
        await admin.close()
    progress = {
        tp: Progress.parse(getattr(committed.get(tp), "offset", None), _metadata(committed, tp))
        for tp in partitions
    }
    queue = Queue(consumer, topic, group, progress, [], topics)
    queue.waiting = await _read_waiting(settings, queue)
    return queue


def _metadata(committed: dict[TopicPartition, Any], tp: TopicPartition) -> str | None:
    found = committed.get(tp)
    return None if found is None else str(found.metadata or "")


def _unknown(settings: ServiceSettings, consumer: str, topics: set[str]) -> str:
    prefix = settings.topic(DEAD_LETTER_PREFIX)
    known = sorted(t[len(prefix) :] for t in topics if t.startswith(prefix))
    return (
        f"no dead-letter topic {settings.topic(DEAD_LETTER_PREFIX + consumer)!r}: {consumer!r}"
        f" is not a consumer that has run on this broker. Consumers with one: "
        f"{', '.join(known) or '(none)'}"
    )


async def _partitions(admin: AIOKafkaAdminClient, topic: str) -> list[TopicPartition]:
    described = await admin.describe_topics([topic])
    return sorted(TopicPartition(topic, p["partition"]) for p in described[0]["partitions"])


async def _reach(settings: ServiceSettings, starting: Any) -> None:
    try:
        await asyncio.wait_for(starting, CONNECT_TIMEOUT_S)
    except (KafkaError, OSError) as exc:  # OSError covers the timeout
        raise DlqError(
            f"cannot reach the Kafka broker at {settings.kafka_bootstrap_servers}"
            f" (SIMPUL_KAFKA_BOOTSTRAP_SERVERS): {type(exc).__name__}: {exc}",
            EXIT_BROKER,
        ) from exc


def _reader(settings: ServiceSettings, group: str | None) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **connection_options(settings),
        client_id=f"simpul-{settings.service_name}",
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )


async def _read_waiting(settings: ServiceSettings, queue: Queue) -> list[DeadLetter]:
    """Every letter from each partition's progress to its end as of now (letters that arrive
    meanwhile wait for the next run), less those already replayed."""
    kafka = _reader(settings, None)  # no group: reading never moves the replay's progress
    await _reach(settings, kafka.start())
    try:
        partitions = list(queue.progress)
        kafka.assign(partitions)
        starts = await kafka.beginning_offsets(partitions)
        ends = await kafka.end_offsets(partitions)
        for tp in partitions:
            queue.progress[tp] = queue.progress[tp].from_log_start(starts[tp])
            kafka.seek(tp, min(queue.progress[tp].next, ends[tp]))
        letters: list[DeadLetter] = []
        while await _behind(kafka, ends):
            batch = await kafka.getmany(timeout_ms=500)
            for tp, records in batch.items():
                letters += [
                    DeadLetter.from_record(r)
                    for r in records
                    if r.offset < ends[tp] and not queue.progress[tp].replayed(r.offset)
                ]
        return letters
    finally:
        await stop_within(kafka.stop(), "dead-letter reader")


async def _behind(kafka: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await kafka.position(tp) < end:
            return True
    return False


def refusals(queue: Queue, letters: Sequence[DeadLetter]) -> dict[DeadLetter, str]:
    """Why each letter that cannot go back cannot."""
    reasons: dict[DeadLetter, str] = {}
    for letter in letters:
        reason = letter.unreplayable()
        if reason is None and letter.source_topic not in queue.source_topics:
            reason = f"its source topic {letter.source_topic!r} does not exist"
        if reason:
            reasons[letter] = reason
    return reasons


async def replay(
    settings: ServiceSettings,
    queue: Queue,
    letters: Sequence[DeadLetter],
) -> Outcome:
    """Send ``letters`` back to their source topics, committing progress after each ack."""
    outcome = Outcome()
    reasons = refusals(queue, letters)
    sendable = [d for d in letters if d not in reasons]
    outcome.problems += [f"not moved: {describe(d)}: {why}" for d, why in reasons.items()]
    if not sendable:
        return outcome
    producer = idempotent_producer(settings, client_id=f"simpul-{settings.service_name}")
    committer = _reader(settings, queue.group)  # commits only; manual assignment, no rebalance
    await _reach(settings, producer.start())
    try:
        await _reach(settings, committer.start())
        committer.assign(list(queue.progress))
        for letter in sendable:
            tp = TopicPartition(queue.topic, letter.partition)
            progress = queue.progress[tp].mark(letter.offset)
            metadata = progress.metadata()  # too large: stop before sending, not after
            await producer.send_and_wait(
                str(letter.source_topic),
                key=letter.key,
                value=letter.value,
                headers=letter.replay_headers(queue.topic),
            )
            await committer.commit({tp: (progress.next, metadata)})
            queue.progress[tp] = progress
            outcome.moved.append(letter)
            print(f"moved {describe(letter)}", flush=True)
    finally:
        await stop_within(committer.stop(), "replay progress committer")
        await stop_within(producer.stop(), "replay producer")
    return outcome


def show(queue: Queue) -> None:
    """``list``: how many wait, since when, why, from where, and each letter."""
    summary = summarize(queue.waiting)
    oldest = f", oldest failed {summary.oldest:%Y-%m-%dT%H:%M:%SZ}" if summary.oldest else ""
    print(f"{queue.topic}: {summary.count} dead letters waiting{oldest}")
    if not summary.count:
        return
    print("errors:")
    for error, count in summary.errors:
        print(f"  {count:6d}  {error}")
    print("source topics:")
    for topic, count in summary.sources:
        print(f"  {count:6d}  {topic}")
    print("letters, oldest first (DLQ partition@offset, failed at, type, event id, source):")
    for letter in choose(queue.waiting, limit=None, event_ids=()):
        print(f"  {describe(letter)}")


async def run_replay(settings: ServiceSettings, args: argparse.Namespace) -> int:
    queue = await open_queue(settings, args.consumer)
    chosen = choose(queue.waiting, limit=args.limit, event_ids=args.event_id)
    problems = [
        f"event id {event_id} is not waiting in {queue.topic} (never dead-lettered there,"
        " or replayed already)"
        for event_id in dict.fromkeys(args.event_id)
        if event_id not in {d.event_id for d in queue.waiting}
    ]
    if args.dry_run:
        reasons = refusals(queue, chosen)
        for letter in chosen:
            why = reasons.get(letter)
            print(
                f"would move {describe(letter)}"
                if why is None
                else f"would NOT move ({why}): {describe(letter)}"
            )
        print(f"dry run: {len(chosen) - len(reasons)} of {len(queue.waiting)} waiting would move")
    else:
        outcome = await replay(settings, queue, chosen)
        problems += outcome.problems
        print(f"moved {len(outcome.moved)} of {len(queue.waiting)} waiting")
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_INCOMPLETE if problems else EXIT_OK


async def run(settings: ServiceSettings, args: argparse.Namespace) -> int:
    if args.command == "list":
        show(await open_queue(settings, args.consumer))
        return EXIT_OK
    return await run_replay(settings, args)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m simpul_platform.dlq", description=__doc__.splitlines()[0]
    )
    commands = root.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="what waits in a consumer's dead-letter topic")
    listing.add_argument("consumer", help="the consumer's name, e.g. social.stunting-reaction")
    again = commands.add_parser("replay", help="send dead letters back to their source topics")
    again.add_argument("consumer", help="the consumer's name, e.g. social.stunting-reaction")
    again.add_argument("--dry-run", action="store_true", help="print what would move; move nothing")
    again.add_argument("--limit", type=_positive, help="move at most N letters, oldest first")
    again.add_argument(
        "--event-id", action="append", default=[], help="repeatable: move only these events"
    )
    return root


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None, settings: ServiceSettings | None = None) -> int:
    args = parser().parse_args(argv)  # exits 2 on a usage error
    try:
        return asyncio.run(run(settings or DlqSettings(), args))
    except DlqError as exc:
        print(f"simpul dlq: {exc}", file=sys.stderr)
        return exc.code
    except ValueError as exc:  # the progress record would not fit its commit
        print(f"simpul dlq: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    except (KafkaError, OSError) as exc:
        # Mid-replay: what moved is recorded, but the letter in flight may go again (harmless).
        print(
            f"simpul dlq: the Kafka broker failed: {type(exc).__name__}: {exc}; the letters"
            " moved so far are recorded: run the command again once the broker is back",
            file=sys.stderr,
        )
        return EXIT_BROKER


if __name__ == "__main__":
    sys.exit(main())
