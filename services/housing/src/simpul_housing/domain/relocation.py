"""Relocation by a Pemda programme (SPM perumahan 2, Permen PUPR 29/2018 Lampiran II): the
households a programme (a dam, a road, a hazard zone) affects, checked against the recipient
criteria, facilitated and housed.

The SPM figure is households facilitated ÷ households affected that meet the criteria. The
criteria are the deployment's data (``HousingSettings.relocation_criteria``): a check answers
each of them, the household is eligible when it meets all, and which were met is kept with
the step. Pure: no FastAPI, SQL or Kafka.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from simpul_platform.domain import RuleViolation, Step, Workflow

RelocationReason = Literal[
    "waduk_bendungan",
    "jalan",
    "rawan_bencana",
    "kawasan_kumuh",
    "sempadan_sungai",
    "fasilitas_umum",
    "lainnya",
]
RelocationStatus = Literal["affected", "eligible", "not_eligible", "facilitated", "housed"]
RelocationAction = Literal["register", "qualify", "disqualify", "facilitate", "house"]
RelocationSource = Literal["report", "referral"]

# The recipient criteria by default: living in the affected area, owning no other livable
# house, and being MBR (masyarakat berpenghasilan rendah).
DEFAULT_CRITERIA: tuple[str, ...] = ("in_affected_area", "no_other_livable_house", "mbr")

RELOCATION: Workflow[RelocationStatus, RelocationAction] = Workflow(
    "relocated household",
    [
        Step("register", None, "affected"),
        Step("qualify", "affected", "eligible"),
        Step("disqualify", "affected", "not_eligible"),
        Step("facilitate", "eligible", "facilitated"),
        Step("house", "facilitated", "housed"),
    ],
)


def check_criteria(
    answers: Mapping[str, bool], criteria: Sequence[str], field: str = "body.criteria"
) -> bool:
    """Every configured criterion answered, no other; True when all are met."""
    for name in answers:
        if name not in criteria:
            raise RuleViolation(
                f"{field}.{name}",
                "unknown_criterion",
                f"Not a recipient criterion; they are: {', '.join(criteria)}.",
            )
    for name in criteria:
        if name not in answers:
            raise RuleViolation(
                f"{field}.{name}", "criterion_missing", f"Answer the criterion {name}."
            )
    return all(answers[name] for name in criteria)


def check_action(meets: bool) -> RelocationAction:
    """The step a check takes: eligible when every criterion is met."""
    return "qualify" if meets else "disqualify"


def unmet(answers: Mapping[str, bool], criteria: Sequence[str]) -> list[str]:
    """The criteria not met, in the configured order."""
    return [name for name in criteria if not answers.get(name, False)]
