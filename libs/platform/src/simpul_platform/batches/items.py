"""A batch's items and results: each item checked on its own, its result or the rules it broke
(named ``body.items[i]…``, as a problem's ``errors`` name a single route's fields), a key twice
in one batch refused from its second item on, the answer's counts in item order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import Conflict, FieldError, validation_errors
from simpul_platform.replica import INACTIVE
from simpul_platform.uow import UnitOfWork

DUPLICATE = "duplicate_in_batch"
ERROR = "error"

R = TypeVar("R")  # a service's item result
Out = TypeVar("Out", bound=BaseModel)
Model = TypeVar("Model", bound=BaseModel)
Given = TypeVar("Given", bound=BaseModel)
Key = TypeVar("Key", bound=Hashable)


@dataclass
class BatchItem(Generic[Given]):
    """An item that kept its schema and the rules that need no database: its place in the
    batch, where its fields are (``body.items[i]``), what it gave."""

    index: int
    where: str
    given: Given


Item = TypeVar("Item", bound=BatchItem[Any])


def item_path(index: int) -> str:
    """Where an item's fields are, in a problem's terms."""
    return f"body.items[{index}]"


def schema_errors(exc: ValidationError, index: int) -> list[FieldError]:
    """The schema's refusal of an item, its fields named under ``body.items[index]``."""
    prefixed = [{**e, "loc": ("body", "items", index, *e["loc"])} for e in exc.errors()]
    return validation_errors(prefixed)


def rule_errors(rule: RuleViolation) -> list[FieldError]:
    return [FieldError(field=rule.field, rule=rule.rule, message=rule.message)]


class Results(Generic[R]):
    """Each item's result as it is decided, answered in item order with the counts."""

    def __init__(self, result_type: Callable[..., R]) -> None:
        self._make = result_type
        self._decided: list[tuple[int, str, R]] = []

    def add(self, index: int, status: str, **fields: Any) -> None:
        result = self._make(index=index, status=status, **fields)
        self._decided.append((index, status, result))

    def refuse(self, index: int, errors: list[FieldError]) -> None:
        """An error result: nothing written for the item, ``errors`` say why."""
        self.add(index, ERROR, errors=errors)

    @property
    def decided(self) -> list[R]:
        """The results so far, in the order decided."""
        return [result for _, _, result in self._decided]

    def answer(self, out_type: Callable[..., Out], counted: Sequence[str]) -> Out:
        """The results in item order, how many of each ``counted`` status, and the errors."""
        ordered = sorted(self._decided, key=lambda decided: decided[0])
        statuses = [status for _, status, _ in ordered]
        count = {status: statuses.count(status) for status in counted}
        results = [result for _, _, result in ordered]
        return out_type(**count, errors=statuses.count(ERROR), results=results)


class FirstItems(Generic[Key]):
    """The item each key (a No. KK, a house) first came in: a second is ``duplicate_in_batch``."""

    def __init__(self) -> None:
        self._first: dict[Key, int] = {}

    def check(self, key: Key, where: str, message: str) -> None:
        """Refuse a key an earlier item has; ``{item}`` in the message names that item."""
        first = self._first.get(key)
        if first is not None:
            raise RuleViolation(where, DUPLICATE, message.replace("{item}", str(first)))

    def take(self, keys: Iterable[Key], index: int) -> None:
        self._first.update((key, index) for key in keys)


@dataclass(kw_only=True)
class Batch(Generic[R]):
    """What every item of one batch shares: its transaction, the caller, the moment, the
    results so far."""

    result_type: ClassVar[Callable[..., Any]]  # a service's item result model

    uow: UnitOfWork
    principal: Principal
    moment: datetime = field(default_factory=now)
    results: Results[R] = field(init=False)
    seen: dict[str, bool] = field(default_factory=dict)
    stamps: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.results = Results(self.result_type)

    @property
    def actor(self) -> str:
        return self.principal.subject

    def stamp(self, *verbs: str) -> dict[str, Any]:
        """Who wrote a row and when: ``<verb>_by`` and ``<verb>_at`` per verb (``recorded``,
        ``created``, ``updated``), the caller and the batch's moment. Made once per batch and
        shared: spread it into a row, never change it."""
        columns = self.stamps.get(verbs)
        if columns is None:
            who = (("by", self.actor), ("at", self.moment))
            columns = {f"{verb}_{part}": value for verb in verbs for part, value in who}
            self.stamps[verbs] = columns
        return columns

    def can_see(self, desa_code: str) -> bool:
        """The caller's wilayah covers the desa (judged once per desa in a batch)."""
        if desa_code not in self.seen:
            self.seen[desa_code] = self.principal.can_see(desa_code)
        return self.seen[desa_code]

    def checked(
        self,
        raw: Sequence[Mapping[str, Any]],
        model: type[Model],
        check: Callable[[int, str, Model], Item],
    ) -> list[Item]:
        """Items that keep ``model`` and pass ``check`` (index, path, item: the rules that need
        no database); each other item gets its error result."""
        good: list[Item] = []
        for index, data in enumerate(raw):
            try:
                given = model.model_validate(data)
            except ValidationError as exc:
                self.results.refuse(index, schema_errors(exc, index))
                continue
            try:
                good.append(check(index, item_path(index), given))
            except RuleViolation as rule:
                self.results.refuse(index, rule_errors(rule))
        return good

    def take_each(self, items: Iterable[Item], take: Callable[[Item], None]) -> None:
        """``take`` each item against what the batch read; one breaking a rule gets its error."""
        for item in items:
            try:
                take(item)
            except RuleViolation as rule:
                self.results.refuse(item.index, rule_errors(rule))

    def require_posyandu(
        self, posyandu: Mapping[str, RowMapping | FieldError], posyandu_id: str, where: str
    ) -> RowMapping:
        """The posyandu an item is written at (``rows.posyandu_rows``): active, inside the
        caller's wilayah."""
        row = posyandu[posyandu_id]
        if isinstance(row, FieldError):
            raise RuleViolation(where, row.rule, row.message)
        if row["status"] == INACTIVE:
            raise RuleViolation(
                where, "posyandu_inactive", f"Posyandu {posyandu_id} is {row['status']}."
            )
        if not self.can_see(row["desa_code"]):
            raise RuleViolation(
                where, "outside_wilayah", f"Posyandu {posyandu_id} is outside your wilayah."
            )
        return row


async def written(write: Awaitable[None], conflict: str) -> None:
    """The batch's writes; a row a concurrent request wrote first is a 409 saying ``conflict``."""
    try:
        await write
    except IntegrityError as exc:
        raise Conflict(conflict) from exc
