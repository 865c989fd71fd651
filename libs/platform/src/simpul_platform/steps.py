"""A workflow step taken on a stored record: its status moved by the ``Workflow`` (a 409 naming
the allowed steps otherwise), attributed, and the step kept as a row of the record's history
table (``domain.StatusHistory``'s columns plus the day it was taken and its codes). Every
field's cases (education's ATS cases, housing's disaster houses and relocations) step this way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from simpul_platform.clock import now
from simpul_platform.domain import Workflow


class Stepped(Protocol):
    """A record a workflow moves: its status and who changed it last."""

    status: str
    updated_by: str
    updated_at: datetime


def advance(workflow: Workflow[Any, Any], record: Stepped, action: str, actor: str) -> str:
    """Take ``action`` on the record, attributed to ``actor``; returns the status it left."""
    previous = record.status
    record.status = workflow.next(previous, action)
    record.updated_by, record.updated_at = actor, now()
    return previous


def step_row(
    key: str,
    record_id: str,
    action: str,
    previous: str | None,
    status: str,
    codes: Mapping[str, Any],
    on: date,
    actor: str,
    moment: datetime | None = None,
) -> dict[str, Any]:
    """A history row's columns (``key`` names the column holding the record's id; codes
    without their empty values)."""
    return {
        key: record_id,
        "action": action,
        "from_status": previous,
        "to_status": status,
        "codes": {k: v for k, v in codes.items() if v is not None},
        "step_on": on,
        "actor": actor,
        "at": moment or now(),
    }
