"""A batch's items, results and rows: each item judged on its own with its fields named
``body.items[i]…``, a key twice refused from its second item on, the answer in item order, and
the rows written and updated in one statement each (over SQLite here; PostgreSQL's COPY and
UPDATE from arrays are the services' integration tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, cast

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import JSON, Boolean, Column, Date, MetaData, String, Table, select

from simpul_platform.auth import Principal
from simpul_platform.batches.items import Batch, BatchItem, FirstItems
from simpul_platform.batches.rows import ArrayUpdate, insert_rows, rows_of_days, same_fields
from simpul_platform.db import Database
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import FieldError
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.unit
MOMENT = datetime(2025, 8, 1, 8, tzinfo=UTC)


class Toy(BaseModel):
    name: str = Field(min_length=1)
    size: int = Field(ge=0)


TOY = Toy(name="ball", size=1)


class ToyResult(BaseModel):
    index: int
    status: Literal["made", "kept", "error"]
    name: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ToyOut(BaseModel):
    made: int
    kept: int
    errors: int
    results: list[ToyResult]


@dataclass(kw_only=True)
class ToyBatch(Batch[ToyResult]):
    result_type = ToyResult


def batch(*wilayah: str) -> ToyBatch:
    principal = Principal("kader-1", frozenset({"kader:toy"}), wilayah)
    return ToyBatch(uow=cast(UnitOfWork, None), principal=principal, moment=MOMENT)


def test_each_item_is_judged_on_its_own_and_answered_in_order() -> None:
    toys = batch("64.02")
    names: FirstItems[str] = FirstItems()

    def check(index: int, where: str, given: Toy) -> BatchItem[Toy]:
        names.check(given.name, f"{where}.name", "This name is in item {item} already.")
        if given.size > 9:
            raise RuleViolation(f"{where}.size", "too_big", "Too big for a toy.")
        names.take([given.name], index)
        return BatchItem(index, where, given)

    raw: list[dict[str, Any]] = [
        {"name": "ball", "size": 1},
        {"name": ""},
        {"name": "ball", "size": 2},
    ]
    raw += [{"name": "kite", "size": 12}, {"name": "kite", "size": 3}]
    good = toys.checked(raw, Toy, check)
    for item in good:
        toys.results.add(item.index, "made" if item.index else "kept", name=item.given.name)
    answer = toys.results.answer(ToyOut, ("made", "kept"))

    assert [(item.index, item.where) for item in good] == [
        (0, "body.items[0]"),
        (4, "body.items[4]"),
    ]
    assert (answer.made, answer.kept, answer.errors) == (1, 1, 3)
    assert [r.index for r in answer.results] == [0, 1, 2, 3, 4]
    refused = {r.index: [(e.field, e.rule) for e in r.errors] for r in answer.results}
    assert refused[1] == [
        ("body.items[1].name", "string_too_short"),
        ("body.items[1].size", "missing"),
    ]
    assert refused[2] == [("body.items[2].name", "duplicate_in_batch")]
    assert answer.results[2].errors[0].message == "This name is in item 0 already."
    assert refused[3] == [("body.items[3].size", "too_big")]  # a refused item takes no name


@dataclass
class Placed(BatchItem[Toy]):
    posyandu_id: str


def test_an_item_breaking_a_rule_against_the_database_gets_its_error() -> None:
    toys = batch("64.02.06")
    posyandu: dict[str, Any] = {
        "active": {"status": "registered", "desa_code": "64.02.06.2012"},
        "inactive": {"status": "inactive", "desa_code": "64.02.06.2012"},
        "far": {"status": "registered", "desa_code": "64.03.01.2001"},
        "unknown": FieldError(field="", rule="unknown_posyandu", message="No such posyandu."),
    }

    def take(item: Placed) -> None:
        where = f"body.items[{item.index}].posyandu_id"
        toys.require_posyandu(posyandu, item.posyandu_id, where)
        toys.results.add(item.index, "made")

    toys.take_each(
        [Placed(i, "", TOY, posyandu_id) for i, posyandu_id in enumerate(posyandu)], take
    )

    rules = [r.errors[0].rule if r.errors else r.status for r in toys.results.decided]
    assert rules == ["made", "posyandu_inactive", "outside_wilayah", "unknown_posyandu"]
    assert toys.seen == {"64.02.06.2012": True, "64.03.01.2001": False}


def test_same_fields_compares_the_named_fields_and_unordered_lists_in_any_order() -> None:
    recorded = {"a": 1, "marks": ["x", "y"], "other": "ignored"}
    assert same_fields(
        recorded, {"a": 1, "marks": ["y", "x"]}, ("a", "marks"), unordered=("marks",)
    )
    assert not same_fields(recorded, {"a": 1, "marks": ["y", "x"]}, ("a", "marks"))
    assert not same_fields(recorded, {"a": 2, "marks": ["x", "y"]}, ("a", "marks"))


metadata = MetaData()
thing = Table(
    "thing",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(16), nullable=True),
    Column("seen_on", Date, nullable=True),
    Column("ok", Boolean, nullable=True),
    Column("marks", JSON, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("recorded_at", String(40), nullable=False),
)
CHANGE = ArrayUpdate(thing, key="thing_id", columns=("seen_on", "ok"), keep=("code",))


def test_the_update_from_arrays_is_one_statement_typed_from_the_columns() -> None:
    sql = CHANGE.from_arrays.text
    assert "code = COALESCE(thing.code, given.code)" in sql
    assert "seen_on = given.seen_on" in sql and "updated_at = :updated_at" in sql
    assert "CAST(:id AS VARCHAR[]), CAST(:code AS VARCHAR[]), CAST(:seen_on AS DATE[])" in sql
    assert "CAST(:ok AS BOOLEAN[])) AS given(row_id, code, seen_on, ok)" in sql
    assert sql.endswith("WHERE thing.id = given.row_id")


async def test_rows_are_inserted_and_updated_by_the_batch_off_postgresql(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'batch.db'}")
    await db.create_all(metadata)
    common = {"updated_by": "kader-1", "updated_at": "t0", "recorded_at": "t0"}
    rows: list[dict[str, Any]] = [
        {"id": "a", "code": None, "seen_on": None, "ok": None, "marks": ["x"], **common},
        {"id": "b", "code": "B", "seen_on": None, "ok": None, "marks": [], **common},
    ]
    changes = [
        {"thing_id": "a", "code": "A", "seen_on": date(2025, 7, 1), "ok": True},
        {"thing_id": "b", "code": "other", "seen_on": date(2025, 7, 2), "ok": False},
    ]
    try:
        async with db.sessions() as session:
            await insert_rows(session, thing, rows)
            await CHANGE.run(
                session, [{**c, "updated_by": "kader-2", "updated_at": "t1"} for c in changes]
            )
            await session.commit()
            found = (await session.execute(select(thing).order_by(thing.c.id))).mappings().all()
            by_day = await rows_of_days(
                session, thing, "id", ["a"], [date(2025, 7, 1)], day="seen_on"
            )
    finally:
        await db.dispose()

    assert [(r["code"], r["seen_on"], r["ok"], r["marks"]) for r in found] == [
        ("A", date(2025, 7, 1), True, ["x"]),
        ("B", date(2025, 7, 2), False, []),  # a code it had is kept
    ]
    assert {r["updated_by"] for r in found} == {"kader-2"}
    assert list(by_day) == [("a", date(2025, 7, 1))]
