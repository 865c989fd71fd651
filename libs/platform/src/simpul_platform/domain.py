"""What every field's domain layer shares: a broken rule, a workflow, its history table.

Pure on purpose (no FastAPI, SQL sessions or Kafka): a service's ``domain/`` raises these, and
the platform's problem handlers answer them — ``RuleViolation`` as a 422 naming the field and
the rule, ``TransitionRefused`` as a 409 naming the current status and the steps allowed from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlmodel import Field, SQLModel

S = TypeVar("S", bound=str)
A = TypeVar("A", bound=str)


class RuleViolation(ValueError):
    """An input broke a domain rule: ``field`` (where), ``rule`` (a stable code), ``message``."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message


NOT_IN_FUTURE = "not_in_future"


def not_in_future(day: date | datetime, today: date, field: str, what: str = "The date") -> None:
    """One rule code for every "cannot have happened yet" check. ``today`` is the deployment's
    date (``simpul_platform.clock.today``), never the server's: a kader in WITA recording at
    07:00 is on a date UTC has not reached."""
    on = day.date() if isinstance(day, datetime) else day
    if on > today:
        raise RuleViolation(field, NOT_IN_FUTURE, f"{what} ({on.isoformat()}) is in the future.")


@dataclass(frozen=True)
class Step(Generic[S, A]):
    """One allowed move: ``action`` takes ``source`` (None: a new record) to ``target``."""

    action: A
    source: S | None
    target: S
    # Roles that may take this step; empty when the route's own authorisation decides.
    roles: frozenset[str] = field(default_factory=frozenset)


class TransitionRefused(Exception):
    """``action`` is not a step from ``current``; ``allowed`` are the steps that are."""

    def __init__(
        self, workflow: str, current: str | None, action: str, allowed: Sequence[Step[Any, Any]]
    ) -> None:
        self.workflow = workflow
        self.current = current
        self.action = action
        self.allowed = list(allowed)
        names = ", ".join(f"{s.action} (→ {s.target})" for s in self.allowed)
        state = current if current is not None else "new"
        super().__init__(
            f"Cannot {action} this {workflow}: it is {state}; allowed: {names or 'nothing'}."
        )

    def details(self) -> dict[str, Any]:
        """The problem's extension members: what a client needs to choose a valid step."""
        return {
            "current_status": self.current,
            "allowed": [s.action for s in self.allowed],
            "allowed_transitions": [{"action": s.action, "to": s.target} for s in self.allowed],
        }


class Workflow(Generic[S, A]):
    """A transition table: which action moves a record from which status to which."""

    def __init__(self, name: str, steps: Iterable[Step[S, A]]) -> None:
        self.name = name
        self.steps: tuple[Step[S, A], ...] = tuple(steps)
        seen: set[tuple[S | None, A]] = set()
        for step in self.steps:
            key = (step.source, step.action)
            if key in seen:
                raise ValueError(f"{name}: two steps for {step.action} from {step.source}")
            seen.add(key)

    def allowed(self, current: S | None) -> list[Step[S, A]]:
        """The steps open from ``current``, in table order."""
        return [s for s in self.steps if s.source == current]

    def allowed_actions(self, current: S | None) -> list[A]:
        return [s.action for s in self.allowed(current)]

    def step(self, current: S | None, action: A) -> Step[S, A]:
        """The step ``action`` takes from ``current``, or TransitionRefused."""
        for candidate in self.steps:
            if candidate.source == current and candidate.action == action:
                return candidate
        raise TransitionRefused(self.name, current, action, self.allowed(current))

    def next(self, current: S | None, action: A) -> S:
        """The status after ``action``, or TransitionRefused."""
        return self.step(current, action).target

    @property
    def statuses(self) -> tuple[S, ...]:
        found: dict[S, None] = {}
        for s in self.steps:
            if s.source is not None:
                found[s.source] = None
            found[s.target] = None
        return tuple(found)

    @property
    def final(self) -> tuple[S, ...]:
        """Statuses no step leaves."""
        sources = {s.source for s in self.steps}
        return tuple(status for status in self.statuses if status not in sources)


class StatusHistory(SQLModel):
    """Columns of a workflow's history table: one row per step taken, attributed.

    A service declares ``class XHistory(StatusHistory, <its base>, table=True)`` with its
    ``__tablename__`` and the foreign key to the record it tracks.
    """

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=24)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str = Field(max_length=24)
    note: str | None = Field(default=None, max_length=500)
    actor: str = Field(max_length=200)
    at: datetime
