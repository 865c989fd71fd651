"""Both paths of a field's stunting reaction over the same detections, for tests: one by one
(as the consumer applies a chunk record by record: one transaction, each record's writes
flushed and forgotten before the next) and the batch path (``on_detected_batch``). Each runs
in a transaction rolled back after what it wrote is read, so both start from the same rows.

What a path wrote is every new row of the decision table, the stunted households, the
referrals, their steps and the outbox, with the ids it generated named after the detection
they belong to (a decision and its referral by the event id, an outbox event by its subject
and type) and its clock readings masked: equal for two paths that decided the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.db import Database
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import outbox_table
from simpul_platform.referrals import tables
from simpul_platform.stunting import StuntingReaction
from simpul_platform.subscription import handling

Run = Sequence[tuple[Any, Envelope]]
MASKED_KEYS = {"seq", "traceparent"}


def received(view: Any) -> tuple[Any, Envelope]:
    """A consumer's view of ``health.stunting.detected.v1`` with its event, as received."""
    event = Envelope(
        id=new_id(),
        type="health.stunting.detected.v1",
        source="health",
        time=datetime.now(UTC),
        data=view.model_dump(mode="json"),
        posyandu_id=view.posyandu_id,
    )
    return view, event


async def both_paths(
    db: Database,
    reaction: StuntingReaction[Any],
    run: Run,
    *,
    decided_before: Run = (),
    stunted: Table | None = None,
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """What the one-by-one path and the batch path write for ``run``, after
    ``decided_before`` was decided one by one (a replay past the inbox)."""
    written: list[dict[str, list[Any]]] = []
    for batch in (False, True):
        async with db.sessions() as session:
            await session.begin()
            before = await _rows(session, reaction, stunted)
            await _one_by_one(session, reaction, decided_before)
            if batch:
                await reaction.on_detected_batch(session, run)
                await session.flush()
            else:
                await _one_by_one(session, reaction, run)
            after = await _rows(session, reaction, stunted)
            await session.rollback()
        written.append(_named({k: _new(k, before[k], rows) for k, rows in after.items()}))
    return written[0], written[1]


async def _one_by_one(session: AsyncSession, reaction: StuntingReaction[Any], run: Run) -> None:
    for data, event in run:
        with handling(event):
            await reaction.on_detected(session, data, event)
        await session.flush()
        session.expunge_all()


async def _rows(
    session: AsyncSession, reaction: StuntingReaction[Any], stunted: Table | None
) -> dict[str, list[dict[str, Any]]]:
    decisions: Table = reaction.decisions.__table__  # type: ignore[attr-defined]
    read = {
        "decisions": decisions,
        "referrals": tables.referral,
        "steps": tables.referral_history,
        "outbox": outbox_table,
    }
    if stunted is not None:
        read["stunted"] = stunted
    found: dict[str, list[dict[str, Any]]] = {}
    for name, table in read.items():
        found[name] = [dict(r) for r in (await session.execute(select(table))).mappings()]
    return found


def _new(
    name: str, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows added or changed; the outbox's by event (the relay marks older ones sent)."""
    if name == "outbox":
        sent = {row["event_id"] for row in before}
        return [r for r in after if r["event_id"] not in sent]
    seen = {json.dumps(row, default=str, sort_keys=True) for row in before}
    return [r for r in after if json.dumps(r, default=str, sort_keys=True) not in seen]


def _named(written: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """The rows with generated ids named after their detection, sorted."""
    names: dict[str, str] = {}
    for row in written["decisions"]:
        names[row["id"]] = f"decision:{row['event_id']}"
        if row["referral_id"] is not None:
            names[row["referral_id"]] = f"referral:{row['event_id']}"
    for row in written["outbox"]:
        subject = names.get(row["subject"], row["subject"])
        names[row["event_id"]] = f"event:{subject}:{row['event_type']}"
    for row in written["steps"]:
        row["id"] = names.get(row["referral_id"], row["referral_id"])
    return {
        name: sorted(
            (_masked(row, names) for row in rows), key=lambda r: json.dumps(r, sort_keys=True)
        )
        for name, rows in written.items()
    }


def _masked(value: Any, names: dict[str, str], key: str = "") -> Any:
    if key in MASKED_KEYS or isinstance(value, datetime):
        return "<masked>"
    if isinstance(value, dict):
        return {k: _masked(v, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, names) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        if key == "data" and value.startswith("{"):
            return _masked(json.loads(value), names)
        if "T" in value and _is_moment(value):
            return "<masked>"
        for generated, name in names.items():  # ids inside keys, e.g. a referral's need key
            value = value.replace(generated, name)
    return value


def _is_moment(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
