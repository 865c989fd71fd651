"""Risiko HIV (SPM kesehatan no. 12): a person at risk of HIV, and the test offered.

The groups at risk are the definition's (``SPM["risiko_hiv"].parameters["risk_groups"]``:
ibu hamil, TB patients, STI patients, sex workers, men who have sex with men (LSL),
transgender people (waria), people who inject drugs, prisoners). Tested to standard: an HIV
test with a result — the rapid tests of the national three-test algorithm, or an ELISA.
"""

from __future__ import annotations

from typing import Literal

from simpul_health.domain.indicators import SPM
from simpul_platform.domain import RuleViolation

RISK_GROUPS: tuple[str, ...] = tuple(SPM["risiko_hiv"].parameters["risk_groups"])
HivTest = Literal["rapid", "elisa"]
HivResult = Literal["reactive", "non_reactive", "indeterminate"]
# Groups that name a sex: a record contradicting the person's sex is a mistake.
GROUP_SEX = {"pregnant": "F", "msm": "M"}
# Who reads the group and the result: the Dinas Kesehatan only. A kader sees that a test
# was done (so as to follow up), never what it found or why the person is at risk.
SENSITIVE_READERS = ("opd:health",)


def check_risk_group(risk_group: str, sex: str) -> None:
    """A known group (``unknown_risk_group``), consistent with the sex (``risk_group_sex``)."""
    if risk_group not in RISK_GROUPS:
        raise RuleViolation(
            "risk_group", "unknown_risk_group", f"Risk groups: {', '.join(RISK_GROUPS)}."
        )
    wanted = GROUP_SEX.get(risk_group)
    if wanted is not None and sex != wanted:
        raise RuleViolation(
            "risk_group",
            "risk_group_sex",
            f"The group {risk_group} is only for people of sex {wanted}.",
        )


def tested_to_standard(test: str | None, result: str | None) -> bool:
    """A test with a result (a sample awaiting its result is not yet tested)."""
    return test is not None and result is not None
