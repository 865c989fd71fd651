"""A referral's life, the same in every field (DESIGN.md, "Referrals").

The target field owns the referral: ``requested`` (by the source, or by the target's own
reaction rule) → ``accepted`` (the target opens its own case), ``rejected`` (with a reason
code) or ``resolved`` (with an outcome code; also straight from ``requested`` when the need is
met at once) → an accepted referral is ``resolved``. Overdue: still open after its due date.
Pure: no FastAPI, SQL or Kafka.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from simpul_platform.domain import Step, Workflow

Status = Literal["requested", "accepted", "rejected", "resolved"]
Action = Literal["request", "accept", "reject", "resolve"]

REFERRAL: Workflow[Status, Action] = Workflow(
    "referral",
    [
        Step("request", None, "requested"),
        Step("accept", "requested", "accepted"),
        Step("reject", "requested", "rejected"),
        Step("resolve", "requested", "resolved"),
        Step("resolve", "accepted", "resolved"),
    ],
)
OPEN: frozenset[str] = frozenset({"requested", "accepted"})


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """Still open after the last working day it was due on."""
    return status in OPEN and today > due_on


def resolved_on_time(status: str, due_on: date, resolved_on: date | None) -> bool:
    """Resolved, on or before its due date (the scorecard's "referrals resolved in time")."""
    return status == "resolved" and resolved_on is not None and resolved_on <= due_on
