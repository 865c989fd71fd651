"""Taking a step of a workflow (``domain/usulan.py``, ``domain/ppks.py``) on a stored record:
the platform's refusal, the attribution, and the row in the record's history table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar, cast

from simpul_platform.clock import now
from simpul_platform.domain import StatusHistory, TransitionRefused, Workflow
from simpul_platform.errors import transition_refused
from simpul_platform.uow import UnitOfWork

S = TypeVar("S", bound=str)
A = TypeVar("A", bound=str)
# A history row of one record: its model with the record's foreign key already given.
History = Callable[..., StatusHistory]


class Tracked(Protocol):
    """A record a workflow moves: its status and who changed it last."""

    status: str
    updated_by: str
    updated_at: datetime


def step(workflow: Workflow[S, A], current: str | None, action: A) -> S:
    """The status after ``action``, or the platform's 409 naming the current status and the
    allowed steps. The problem also keeps ``allowed_actions``, the name social's clients read
    before the platform had workflows."""
    try:
        return workflow.next(cast(S | None, current), action)
    except TransitionRefused as refused:
        problem = transition_refused(refused)
        problem.extra["allowed_actions"] = [s.action for s in refused.allowed]
        raise problem from refused


def log(
    uow: UnitOfWork,
    history: History,
    action: str,
    source: str | None,
    target: str,
    note: str | None,
    actor: str,
) -> None:
    """Keep one step in the record's history table."""
    row = history(
        action=action, from_status=source, to_status=target, note=note, actor=actor, at=now()
    )
    uow.session.add(row)


def advance(
    uow: UnitOfWork,
    workflow: Workflow[S, A],
    record: Tracked,
    action: A,
    actor: str,
    note: str | None,
    history: History,
) -> str:
    """Move ``record`` by ``action`` (409 if its status does not allow it), attributed and
    kept in its history; returns the status it left."""
    source = record.status
    record.status = step(workflow, source, action)
    record.updated_by, record.updated_at = actor, now()
    uow.session.add(record)
    log(uow, history, action, source, record.status, note, actor)
    return source
