"""A public-order disturbance (gangguan trantibum) worked by Satpol PP (Permendagri 121/2018;
FIELDS.md §4(c)): reported → verified (a handler assigned) → handled (``penegakan``: a Perda or
Perkada enforced, or ``mediasi``) → served (the citizens the disturbance affected, served) →
closed. A report that needs no handling is rejected (closed with a reason) while it is reported
or verified.

Deteksi dini notes (a Linmas member's or a kader's early warning) are levelled and may be
escalated into a report (source ``deteksi_dini``).

Pure: no FastAPI, SQL or Kafka. Dates are the deployment's (the caller passes "today" and the
local day of an instant).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Literal, Protocol

from simpul_platform.domain import NOT_IN_FUTURE, RuleViolation, Step, Workflow, not_in_future

OrderStatus = Literal["reported", "verified", "handled", "served", "closed"]
OrderAction = Literal["report", "verify", "handle", "serve", "close", "reject"]
# The referral catalogue's ``disturbance_report`` categories (``category`` detail): the same codes.
Category = Literal[
    "keributan",
    "perkelahian",
    "miras_narkoba",
    "pkl_bangunan_liar",
    "asusila",
    "konflik_sosial",
    "orang_terlantar",
    "lainnya",
]
CATEGORIES: tuple[Category, ...] = Category.__args__  # type: ignore[attr-defined]
# Who brought the report: a kader, a Linmas member or a citizen (recorded by any recorder),
# an escalated deteksi dini note, or another field's referral (the last two set by the service).
Source = Literal["kader", "linmas", "warga", "deteksi_dini", "referral"]
TypedSource = Literal["kader", "linmas", "warga"]
Handling = Literal["penegakan", "mediasi"]
RejectReason = Literal[
    "tidak_terbukti",  # nothing found that disturbs public order
    "bukan_kewenangan",  # not Satpol PP's (a crime for the police, a private dispute)
    "dilimpahkan",  # handed to the authority it belongs to
    "laporan_ganda",  # the same disturbance as another report
]
Level = Literal["rendah", "sedang", "tinggi"]

CLOSED_DONE = "selesai"  # a report closed after its citizens were served

ORDER: Workflow[OrderStatus, OrderAction] = Workflow(
    "public-order report",
    [
        Step("report", None, "reported"),
        Step("verify", "reported", "verified"),
        Step("handle", "verified", "handled"),
        Step("serve", "handled", "served"),
        Step("close", "served", "closed"),
        Step("reject", "reported", "closed"),
        Step("reject", "verified", "closed"),
    ],
)

# How a report's end resolves the ``disturbance_report`` referral it was opened for (trantib's
# outcome codes): closed after handling → handled; rejected → not_found (nothing for Satpol PP
# to handle there).
REFERRAL_OUTCOME: Mapping[OrderAction, str] = {"close": "handled", "reject": "not_found"}


def allowed(status: str) -> list[str]:
    """The steps a user may take on a report in ``status``."""
    return [str(a) for a in ORDER.allowed_actions(status)]  # type: ignore[arg-type]


def next_status(status: str | None, action: OrderAction) -> OrderStatus:
    """The status ``action`` takes the report to, or TransitionRefused (a 409 naming the
    current status and the steps allowed from it)."""
    return ORDER.next(status, action)  # type: ignore[arg-type]


class StepDates(Protocol):
    """What a report's date rules read of it (a row, or anything shaped like one)."""

    @property
    def reported_on(self) -> date: ...
    @property
    def verified_on(self) -> date | None: ...
    @property
    def handled_on(self) -> date | None: ...
    @property
    def served_on(self) -> date | None: ...


def last_step_on(report: StepDates) -> date:
    """The day of the report's latest step (its steps are dated in order)."""
    days = [report.reported_on, report.verified_on, report.handled_on, report.served_on]
    return max(d for d in days if d is not None)


def check_occurrence(
    occurred_at: datetime,
    occurred_day: date,
    reported_on: date,
    now: datetime,
    today: date,
    prefix: str = "body",
) -> None:
    """A disturbance has happened (not after ``now``), and was reported on or after the day it
    happened (``occurred_day``: ``occurred_at``'s date in the deployment's time zone), never
    after today."""
    if occurred_at > now:
        raise RuleViolation(
            f"{prefix}.occurred_at",
            NOT_IN_FUTURE,
            f"The disturbance ({occurred_at.isoformat()}) cannot have happened yet.",
        )
    not_in_future(reported_on, today, f"{prefix}.reported_on", "The report date")
    if reported_on < occurred_day:
        raise RuleViolation(
            f"{prefix}.reported_on",
            "before_occurrence",
            f"Reported on {reported_on}, before the disturbance happened ({occurred_day}).",
        )


def check_step_date(on: date, today: date, previous: date, field: str) -> None:
    """A step's date: not in the future, not before the report's previous step."""
    not_in_future(on, today, field)
    if on < previous:
        raise RuleViolation(
            field, "before_previous_step", f"Not before the report's previous step, on {previous}."
        )


def check_handling(handling: str, regulation: str | None) -> None:
    """Enforcement (penegakan) enforces a regulation: it names the Perda or Perkada."""
    if handling == "penegakan" and not (regulation or "").strip():
        raise RuleViolation(
            "body.regulation",
            "regulation_required",
            "Penegakan enforces a Perda or Perkada: name it (e.g. Perda Kukar 6/2019).",
        )


def served_counts(
    affected: int | None, served: int, recorded_affected: int | None
) -> tuple[int, int]:
    """The affected citizens (given now, or recorded when the report was handled) and those
    served, never more served than affected."""
    total = affected if affected is not None else recorded_affected
    if total is None:
        raise RuleViolation(
            "body.affected_citizens",
            "affected_citizens_required",
            "Say how many citizens the disturbance affected.",
        )
    if served > total:
        raise RuleViolation(
            "body.citizens_served",
            "served_exceeds_affected",
            f"{served} served is more than the {total} citizens affected.",
        )
    return total, served
