"""A village infrastructure issue: damage to a desa's road, drain, bridge, water or sanitation
works, well or embung, taken from a report to its repair.

reported (a kader, the OPD, or a referral) → triaged by the desa (handled from its APBDes, or
by the kabupaten) → forwarded to the OPD (kabupaten issues only) → scheduled (a budget year and
a funding source; an APBDes issue is scheduled by the desa straight from triage) → done. Or
declined (a reason code) from any open step.

A report of the same kind near an open issue at the same desa is that issue's duplicate: it
takes no step of its own and closes with its primary (``resolve_with_primary`` /
``decline_with_primary``), so the same damage is counted once.

Pure: no FastAPI, SQL or Kafka. Day counts are the caller's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol

from simpul_platform.domain import RuleViolation, Step, TransitionRefused, Workflow

IssueStatus = Literal["reported", "triaged", "forwarded", "scheduled", "done", "declined"]
IssueAction = Literal[
    "report",
    "triage",
    "forward",
    "schedule",
    "complete",
    "decline",
    "resolve_with_primary",
    "decline_with_primary",
]
# The referral catalogue's ``infrastructure_issue`` kinds (``kind`` detail): the same codes.
IssueKind = Literal[
    "jalan_desa", "drainase", "jembatan", "spam_air", "sanitasi_mck", "sumur", "embung"
]
Severity = Literal["ringan", "sedang", "berat"]
IssueSource = Literal["kader", "opd", "referral"]
HandledBy = Literal["apbdes", "kabupaten"]
FundingSource = Literal[
    "apbdes", "dak", "apbd_kabupaten", "apbd_provinsi", "apbn", "csr", "swadaya"
]
DeclineReason = Literal[
    "not_found",  # nothing damaged where the report says
    "not_public_asset",  # private property, not the desa's or the kabupaten's
    "already_repaired",  # repaired before the step (by residents, another programme)
    "other_authority",  # a provincial or national asset: not the kabupaten's to handle
    "not_feasible",  # cannot be handled (land, access, cost out of proportion)
]

OPEN_STATUSES: tuple[IssueStatus, ...] = ("reported", "triaged", "forwarded", "scheduled")

ISSUES: Workflow[IssueStatus, IssueAction] = Workflow(
    "infrastructure issue",
    [
        Step("report", None, "reported"),
        Step("triage", "reported", "triaged"),
        Step("forward", "triaged", "forwarded"),
        Step("schedule", "triaged", "scheduled"),  # APBDes: the desa schedules its own works
        Step("schedule", "forwarded", "scheduled"),
        Step("complete", "scheduled", "done"),
        *(Step[IssueStatus, IssueAction]("decline", s, "declined") for s in OPEN_STATUSES),
        *(Step[IssueStatus, IssueAction]("resolve_with_primary", s, "done") for s in OPEN_STATUSES),
        *(
            Step[IssueStatus, IssueAction]("decline_with_primary", s, "declined")
            for s in OPEN_STATUSES
        ),
    ],
)

# How an issue's end resolves the referral it was opened for (public works' outcome codes).
REFERRAL_OUTCOME: Mapping[IssueStatus, str] = {
    "done": "issue_resolved",
    "declined": "issue_declined",
}

BUDGET_YEARS_AHEAD = 2  # works are scheduled for this year's budget or one of the next two


def _fits(step: Step[IssueStatus, IssueAction], handled_by: str | None) -> bool:
    """An APBDes issue is the desa's to schedule, never forwarded; a kabupaten issue is
    forwarded to the OPD before it is scheduled."""
    if step.action == "forward":
        return handled_by == "kabupaten"
    if step.action == "schedule" and step.source == "triaged":
        return handled_by == "apbdes"
    return True


# Steps the service takes itself (a duplicate closed with its primary), never a user.
FOLLOWING: tuple[IssueAction, ...] = ("resolve_with_primary", "decline_with_primary")


def allowed(status: str, handled_by: str | None) -> list[Step[IssueStatus, IssueAction]]:
    """The steps a user may take on an issue in ``status`` handled by ``handled_by``."""
    steps = ISSUES.allowed(status)  # type: ignore[arg-type]
    return [s for s in steps if s.action not in FOLLOWING and _fits(s, handled_by)]


def next_status(status: str | None, handled_by: str | None, action: IssueAction) -> IssueStatus:
    """The status ``action`` takes the issue to, or TransitionRefused (a 409 naming the current
    status and the steps allowed from it, the handling taken into account)."""
    try:
        step = ISSUES.step(status, action)  # type: ignore[arg-type]
    except TransitionRefused:
        step = None
    if step is None or not _fits(step, handled_by):
        raise TransitionRefused(ISSUES.name, status, action, allowed(status or "", handled_by))
    return step.target


def check_budget_year(year: int, on: date, field: str = "body.budget_year") -> None:
    if not on.year <= year <= on.year + BUDGET_YEARS_AHEAD:
        raise RuleViolation(
            field,
            "budget_year_out_of_range",
            f"Works scheduled on {on} are for {on.year}–{on.year + BUDGET_YEARS_AHEAD}.",
        )


# --- overdue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueThresholds:
    """Days an open issue may stay in a step; a scheduled one has until 31 December of its
    budget year."""

    reported_days: int = 14
    triaged_days: int = 60
    forwarded_days: int = 60


class IssueDates(Protocol):
    """What the overdue rule reads of an issue (a row, or a replica of one)."""

    @property
    def status(self) -> str: ...
    @property
    def duplicate_of(self) -> str | None: ...
    @property
    def reported_on(self) -> date: ...
    @property
    def triaged_on(self) -> date | None: ...
    @property
    def forwarded_on(self) -> date | None: ...
    @property
    def budget_year(self) -> int | None: ...


def due_on(issue: IssueDates, thresholds: OverdueThresholds) -> date | None:
    """The last day the issue may stay in its current step; None when it has no deadline (a
    closed issue, or a duplicate: it follows its primary and is not counted)."""
    if issue.duplicate_of is not None:
        return None
    if issue.status == "reported":
        return issue.reported_on + timedelta(days=thresholds.reported_days)
    if issue.status == "triaged" and issue.triaged_on is not None:
        return issue.triaged_on + timedelta(days=thresholds.triaged_days)
    if issue.status == "forwarded" and issue.forwarded_on is not None:
        return issue.forwarded_on + timedelta(days=thresholds.forwarded_days)
    if issue.status == "scheduled" and issue.budget_year is not None:
        return date(issue.budget_year, 12, 31)
    return None


def is_overdue(issue: IssueDates, on: date, thresholds: OverdueThresholds) -> bool:
    """True when the open issue has stayed in its step past its deadline by ``on`` (the
    deadline day itself is not overdue)."""
    deadline = due_on(issue, thresholds)
    return deadline is not None and on > deadline
