"""Dead letters back to their source topic after a fix, once each, over the real broker and
PostgreSQL: a consumer whose handler fails on some notes until it is fixed dead-letters them;
``list`` shows them, a dry run moves nothing, and after the fix replays (by event id, by
limit, then the rest) bring each back once, so the consumer applies each once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.consumer import Consumer, ConsumerRunner, Subscription
from simpul_platform.db import Database
from simpul_platform.dead_letters import REPLAYED_FROM, replay_group
from simpul_platform.dlq import EXIT_BROKER, EXIT_INCOMPLETE, EXIT_OK, EXIT_UNKNOWN, main
from simpul_platform.events import Envelope
from simpul_platform.kafka import connection_options, ensure_topics, idempotent_producer
from simpul_platform.testing.kafka_reader import read_topic
from simpul_platform.testing.polling import eventually
from toy_service import (
    TOPIC,
    NoteCreated,
    NoteView,
    ToySettings,
    apply_note,
    effect_counts,
    toy_metadata,
)

pytestmark = pytest.mark.integration

CONSUMER = "toy.fixable"
BROKEN = "RuntimeError: bug 42: a note that needs a fix"


def note(note_id: str, text: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type=NoteCreated.event_type,
        source="/simpul/toy",
        time=datetime.now(UTC),
        data={"note_id": note_id, "text": text},
        posyandu_id=f"pos-{note_id}",  # the key: spread over the partitions
    )


class Fixable:
    """The toy handler with a bug on notes that say "needs-fix", until ``fixed``."""

    def __init__(self) -> None:
        self.fixed = False

    async def apply(self, session: AsyncSession, view: NoteView, event: Envelope) -> None:
        if view.text == "needs-fix" and not self.fixed:
            raise RuntimeError(BROKEN.removeprefix("RuntimeError: "))
        await apply_note(session, view, event)


class Cycle:
    def __init__(self, settings: ToySettings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.topic = settings.topic(TOPIC)
        self.dlq = settings.topic(f"simpul.dlq.{CONSUMER}")
        self.fixable = Fixable()
        self.runner = ConsumerRunner(
            Consumer(CONSUMER, [Subscription(NoteView, self.fixable.apply)]), db, settings
        )

    async def publish(self, events: list[Envelope]) -> None:
        await ensure_topics(self.settings, [self.topic])
        producer = idempotent_producer(self.settings)
        await producer.start()
        try:
            for event in events:
                key, value, headers = event.to_kafka()
                await producer.send_and_wait(self.topic, value=value, key=key, headers=headers)
        finally:
            await producer.stop()

    async def reached(self, *, handled: int, dead_lettered: int = 3) -> bool:
        """The consumer has applied ``handled`` notes and dead-lettered the broken ones."""
        return (self.runner.handled, self.runner.dead_lettered) == (handled, dead_lettered)

    async def effects(self) -> dict[str, int]:
        async with self.db.sessions() as session:
            return await effect_counts(session)

    async def written(self, topic: str) -> int:
        """Records ever written to ``topic``: the sum of its partitions' end offsets."""
        admin = AIOKafkaAdminClient(**connection_options(self.settings))
        await admin.start()
        try:
            described = await admin.describe_topics([topic])
        finally:
            await admin.close()
        partitions = [TopicPartition(topic, p["partition"]) for p in described[0]["partitions"]]
        reader = AIOKafkaConsumer(**connection_options(self.settings))
        await reader.start()
        try:
            return sum((await reader.end_offsets(partitions)).values())
        finally:
            await reader.stop()

    async def progress(self) -> dict[TopicPartition, OffsetAndMetadata]:
        admin = AIOKafkaAdminClient(**connection_options(self.settings))
        await admin.start()
        try:
            group = self.settings.topic(replay_group(CONSUMER))
            return await admin.list_consumer_group_offsets(group)
        finally:
            await admin.close()


async def dlq(capsys: pytest.CaptureFixture[str], settings: ToySettings, *argv: str) -> Any:
    """The command in this process (its event loop is the test's): exit code, stdout, stderr."""
    from simpul_platform.dlq import DlqError, parser, run

    try:
        code = await run(settings, parser().parse_args(list(argv)))
    except DlqError as exc:
        print(str(exc), file=sys.stderr)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def cycle(make_settings: Callable[..., Any], postgres_url: str) -> AsyncIterator[Cycle]:
    settings = make_settings(
        ToySettings, database_url=postgres_url, kafka_topic_partitions=2, consumer_max_attempts=1
    )
    db = Database(postgres_url)
    await db.create_all(toy_metadata)
    running = Cycle(settings, db)
    task = asyncio.create_task(running.runner.run())
    yield running
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await db.dispose()


async def test_dead_letters_go_back_once_each_after_the_fix(cycle, capsys):
    settings = cycle.settings
    events = [note("n1", "fine"), *(note(f"n{i}", "needs-fix") for i in (2, 3, 4))]
    n2, n3, n4 = (e.id for e in events[1:])
    await cycle.publish(events)
    await eventually(lambda: cycle.reached(handled=1))

    code, out, _ = await dlq(capsys, settings, "list", CONSUMER)
    assert code == EXIT_OK
    assert f"{cycle.dlq}: 3 dead letters waiting, oldest failed " in out
    assert f"       3  {BROKEN}" in out and f"       3  {cycle.topic}" in out
    assert all(event_id in out for event_id in (n2, n3, n4))

    code, out, _ = await dlq(capsys, settings, "replay", CONSUMER, "--dry-run")
    assert code == EXIT_OK and out.count("would move ") == 3
    assert "dry run: 3 of 3 waiting would move" in out
    assert await cycle.written(cycle.topic) == 4 and await cycle.progress() == {}

    cycle.fixable.fixed = True
    code, out, _ = await dlq(capsys, settings, "replay", CONSUMER, "--event-id", n3)
    assert (code, out.count("moved "), "moved 1 of 3 waiting" in out) == (EXIT_OK, 2, True)
    await eventually(lambda: cycle.reached(handled=2))
    assert await cycle.effects() == {"n1": 1, "n3": 1}

    code, out, _ = await dlq(capsys, settings, "replay", CONSUMER, "--limit", "1")
    assert code == EXIT_OK and "moved 1 of 2 waiting" in out
    code, out, _ = await dlq(capsys, settings, "replay", CONSUMER)
    assert code == EXIT_OK and "moved 1 of 1 waiting" in out
    await eventually(lambda: cycle.reached(handled=4))
    assert await cycle.effects() == {"n1": 1, "n2": 1, "n3": 1, "n4": 1}

    # Again: nothing waits, nothing is sent; an event id already replayed is named, not resent.
    code, out, _ = await dlq(capsys, settings, "replay", CONSUMER)
    assert code == EXIT_OK and "moved 0 of 0 waiting" in out
    code, out, err = await dlq(capsys, settings, "replay", CONSUMER, "--event-id", n2)
    assert code == EXIT_INCOMPLETE and f"event id {n2} is not waiting" in err
    assert await cycle.written(cycle.topic) == 7 and await cycle.written(cycle.dlq) == 3
    assert (cycle.runner.handled, cycle.runner.duplicates, cycle.runner.dead_lettered) == (4, 0, 3)
    # The progress has no gaps left: each partition's commit is past its last letter.
    progress = (await cycle.progress()).values()
    assert sum(p.offset for p in progress) == 3 and {p.metadata for p in progress} == {"v1:"}

    # Each replayed record is its original (key, value, CloudEvents headers) plus the mark.
    records = await read_topic(settings.kafka_bootstrap_servers, cycle.topic, expected=7)
    originals = {
        dict(r.headers)["ce_id"]: r for r in records if REPLAYED_FROM not in dict(r.headers)
    }
    replayed = [r for r in records if REPLAYED_FROM in dict(r.headers)]
    assert sorted(dict(r.headers)["ce_id"].decode() for r in replayed) == sorted([n2, n3, n4])
    for record in replayed:
        original = originals[dict(record.headers)["ce_id"]]
        assert (record.key, record.value) == (original.key, original.value)
        assert record.headers[:-1] == original.headers
        assert record.headers[-1][1].decode().startswith(f"{cycle.dlq}/")


def test_an_unknown_consumer_and_a_broker_that_is_down_are_told_apart(make_settings, capsys):
    settings = make_settings(ToySettings)
    # How the services reach the broker (address, namespace, and credentials where it asks).
    kafka = settings.model_dump(
        include={name for name in type(settings).model_fields if "kafka" in name}
    )
    env = {**os.environ, **{f"SIMPUL_{k.upper()}": str(v) for k, v in kafka.items() if v}}
    unknown = _command(env, "list", "toy.nobody")
    assert unknown.returncode == EXIT_UNKNOWN
    assert (
        f"no dead-letter topic '{settings.kafka_topic_namespace}simpul.dlq.toy.nobody'"
        in unknown.stderr
    )

    nowhere = settings.model_copy(update={"kafka_bootstrap_servers": "127.0.0.1:1"})
    assert main(["replay", "x"], settings=nowhere) == EXIT_BROKER
    assert "cannot reach the Kafka broker at 127.0.0.1:1" in capsys.readouterr().err


def _command(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m simpul_platform.dlq`` as an operator runs it: settings from the environment."""
    return subprocess.run(
        [sys.executable, "-m", "simpul_platform.dlq", *argv],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


async def test_a_letter_sent_again_after_a_crash_is_applied_once(cycle, capsys):
    """A replay that dies between the broker's ack and its commit sends that letter again on
    the next run: the consumer's inbox skips the repeat."""
    await cycle.publish([note("n1", "needs-fix")])
    await eventually(lambda: cycle.reached(handled=0, dead_lettered=1))
    cycle.fixable.fixed = True
    code, _, _ = await dlq(capsys, cycle.settings, "replay", CONSUMER)
    assert code == EXIT_OK
    await eventually(lambda: cycle.reached(handled=1, dead_lettered=1))

    replayed = (await read_topic(cycle.settings.kafka_bootstrap_servers, cycle.topic, expected=2))[
        1
    ]
    assert REPLAYED_FROM in dict(replayed.headers)
    producer = idempotent_producer(cycle.settings)
    await producer.start()
    try:  # what the next run would send had the commit not happened
        await producer.send_and_wait(
            cycle.topic, key=replayed.key, value=replayed.value, headers=list(replayed.headers)
        )
    finally:
        await producer.stop()
    await eventually(lambda: _counts(cycle, duplicates=1))
    assert await cycle.effects() == {"n1": 1}
    assert (cycle.runner.handled, cycle.runner.dead_lettered) == (1, 1)


async def _counts(cycle: Cycle, *, duplicates: int) -> bool:
    return cycle.runner.duplicates == duplicates
