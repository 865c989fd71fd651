"""The replay command's pure pieces: reading a dead letter, the replayed record, progress with
gaps and its commit metadata, choosing and summarising letters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simpul_platform.dead_letters import (
    MAX_PROGRESS_CHARS,
    REPLAYED_FROM,
    DeadLetter,
    Progress,
    choose,
    in_failure_order,
    summarize,
)
from simpul_platform.dlq import DlqSettings, Queue, parser, refusals

pytestmark = pytest.mark.unit

ORIGINAL = (("ce_id", b"e-1"), ("ce_type", b"toy.note.created.v1"), ("ce_source", b"/toy"))


def letter(
    offset: int,
    *,
    partition: int = 0,
    at: int = 0,
    event_id: str | None = None,
    error: str = "ValueError: no",
    source: str | None = "simpul.toy.v1",
) -> DeadLetter:
    ce = (("ce_id", (event_id or f"e-{partition}-{offset}").encode()), *ORIGINAL[1:])
    dlq = [("dlq_error", error.encode()), ("dlq_consumer", b"toy.effects")]
    if source:
        dlq += [(f"dlq_source_{k}", v.encode()) for k, v in [("topic", source)]]
        dlq += [("dlq_source_partition", b"2"), ("dlq_source_offset", b"41")]
    return DeadLetter(partition, offset, at, b"pos-1", b'{"note_id": "n1"}', (*ce, *dlq))


def test_a_dead_letter_names_its_event_source_and_error():
    dead = letter(7, partition=1, at=1_780_000_000_000, event_id="e-9")
    assert (dead.event_id, dead.event_type, dead.error) == (
        "e-9",
        "toy.note.created.v1",
        "ValueError: no",
    )
    assert dead.source == "simpul.toy.v1/2@41"
    assert dead.failed_at == datetime.fromtimestamp(1_780_000_000, UTC)
    assert dead.unreplayable() is None


def test_the_replayed_record_is_the_original_with_a_mark_instead_of_the_dlq_headers():
    dead = letter(7, partition=1, event_id="e-1")
    # A letter dead-lettered before and replayed carries an old mark: replaced, not doubled.
    dead = DeadLetter(1, 7, 0, dead.key, dead.value, (*dead.headers, (REPLAYED_FROM, b"old")))
    assert dead.replay_headers("simpul.dlq.toy.effects") == [
        *ORIGINAL,
        (REPLAYED_FROM, b"simpul.dlq.toy.effects/1@7"),
    ]


def test_letters_that_cannot_go_back_say_why():
    assert "no dlq_source_topic" in str(letter(1, source=None).unreplayable())
    unreadable = DeadLetter(0, 1, 0, None, b"{}", (("dlq_source_topic", b"simpul.toy.v1"),))
    assert "not a CloudEvent" in str(unreadable.unreplayable())
    assert unreadable.error == "(no error recorded)" and unreadable.source == "simpul.toy.v1/?@?"


def test_progress_moves_over_replayed_letters_and_keeps_gaps_in_its_metadata():
    progress = Progress.parse(None, None)
    assert progress == Progress(0, frozenset())
    progress = progress.mark(2).mark(3).mark(5)  # 0, 1 and 4 still wait
    assert (progress.next, progress.metadata()) == (0, "v1:2-3,5")
    assert [o for o in range(7) if not progress.replayed(o)] == [0, 1, 4, 6]
    progress = progress.mark(0).mark(1)
    assert (progress.next, progress.metadata()) == (4, "v1:5")
    assert Progress.parse(4, "v1:5") == progress
    assert progress.mark(4) == Progress(6, frozenset()) == Progress.parse(6, "v1:")


def test_progress_parse_tolerates_no_commit_and_foreign_metadata():
    assert Progress.parse(-1, "") == Progress(0, frozenset())
    assert Progress.parse(3, "written by something else") == Progress(3, frozenset())
    assert Progress.parse(3, "v1:1-2,4,6-7") == Progress(3, frozenset({4, 6, 7}))
    assert Progress.parse(3, "v1:3-4,6") == Progress(5, frozenset({6}))
    # Garbled: the gaps' letters may go again, which the consumers' inbox tolerates.
    assert Progress.parse(3, "v1:x-,6") == Progress(3, frozenset())


def test_letters_removed_by_retention_are_not_waited_for():
    assert Progress(2, frozenset({9})).from_log_start(5) == Progress(5, frozenset({9}))
    assert Progress(2, frozenset({5, 6})).from_log_start(5) == Progress(7, frozenset())
    assert Progress(8, frozenset()).from_log_start(5) == Progress(8, frozenset())


def test_progress_too_scattered_for_a_commit_is_refused_before_anything_is_sent():
    scattered = Progress(0, frozenset(range(1, 4 * MAX_PROGRESS_CHARS, 2)))
    with pytest.raises(ValueError, match="replay the letters before them first"):
        scattered.metadata()


def test_letters_go_oldest_first_but_each_partition_in_offset_order():
    a0, a1 = letter(0, partition=0, at=10), letter(1, partition=0, at=5)  # clock went back
    b0, b1 = letter(0, partition=1, at=7), letter(1, partition=1, at=30)
    assert in_failure_order([b1, a1, b0, a0]) == [b0, a0, a1, b1]


def test_choose_by_event_id_and_limit():
    letters = [letter(i, at=i, event_id=f"e{i}") for i in range(5)]
    assert choose(letters, limit=2, event_ids=()) == letters[:2]
    assert choose(letters, limit=None, event_ids=["e3", "e1", "nope"]) == [letters[1], letters[3]]
    assert choose(letters, limit=1, event_ids=["e3", "e4"]) == [letters[3]]


def test_a_summary_counts_errors_by_their_first_line_and_sources():
    letters = [
        letter(0, at=2_000, error="ValueError: no\nTraceback ..."),
        letter(1, at=1_000, error="ValueError: no"),
        letter(2, at=3_000, error="KeyError: 'x'", source="simpul.health.v1"),
    ]
    summary = summarize(letters)
    assert summary.count == 3 and summary.oldest == datetime.fromtimestamp(1, UTC)
    assert summary.errors == [("ValueError: no", 2), ("KeyError: 'x'", 1)]
    assert summary.sources == [("simpul.toy.v1", 2), ("simpul.health.v1", 1)]
    assert summarize([]).oldest is None


def test_the_command_reads_the_services_settings_without_needing_their_secrets(monkeypatch):
    monkeypatch.setenv("SIMPUL_ENVIRONMENT", "production")
    monkeypatch.setenv("SIMPUL_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("SIMPUL_KAFKA_TOPIC_NAMESPACE", "kab.")
    settings = DlqSettings()
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.topic("simpul.dlq.toy") == "kab.simpul.dlq.toy"
    args = parser().parse_args(["replay", "toy", "--event-id", "a", "--event-id", "b"])
    assert (args.dry_run, args.limit, args.event_id) == (False, None, ["a", "b"])
    with pytest.raises(SystemExit) as usage:
        parser().parse_args(["replay", "toy", "--limit", "0"])
    assert usage.value.code == 2


def test_letters_whose_source_is_unknown_or_gone_are_refused_with_the_reason():
    queue = Queue("toy", "simpul.dlq.toy", "simpul.dlq-replay.toy", {}, [], {"simpul.toy.v1"})
    fine, gone, unknown = letter(0), letter(1, source="simpul.gone.v1"), letter(2, source=None)
    assert refusals(queue, [fine, gone, unknown]) == {
        gone: "its source topic 'simpul.gone.v1' does not exist",
        unknown: "no dlq_source_topic header: where it came from is unknown",
    }
