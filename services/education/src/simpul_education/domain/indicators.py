"""SPM pendidikan counted from statuses (FIELDS.md §1(a), the 2018-style formulas regional
dashboards still use), per child, as of the period's end:

- PAUD 5–6: children aged 5–6 whose status is ``paud`` ÷ children aged 5–6. Completion of
  PAUD is not recorded, so a 6-year-old already in SD is not counted in the numerator.
- Dasar 7–15: children aged 7–15 in SD/SMP, Paket A/B, or past them (SMA, SMK, Paket C:
  they finished SMP) ÷ children aged 7–15.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from simpul_education.domain.children import age_years

PAUD_STATUSES = frozenset({"paud"})
DASAR_STATUSES = frozenset({"sd", "smp", "paket_a", "paket_b", "sma", "smk", "paket_c"})


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    youngest: int
    oldest: int
    served: frozenset[str]
    definition: str


PAUD_5_6 = Group(
    "education.paud_5_6",
    "Anak usia 5–6 tahun mengikuti PAUD",
    5,
    6,
    PAUD_STATUSES,
    "Children aged 5–6 at the period's end whose status then is paud ÷ children aged 5–6 "
    "known to the field",
)
DASAR_7_15 = Group(
    "education.dasar_7_15",
    "Anak usia 7–15 tahun mengikuti pendidikan dasar",
    7,
    15,
    DASAR_STATUSES,
    "Children aged 7–15 at the period's end in SD/SMP, Paket A/B or past them (SMA, SMK, "
    "Paket C) ÷ children aged 7–15 known to the field",
)
GROUPS = (PAUD_5_6, DASAR_7_15)


def tally(group: Group, children: list[tuple[date, str | None]], end: date) -> tuple[int, int]:
    """(numerator, denominator) of ``group`` over (birth date, status as of ``end``) pairs."""
    numerator = denominator = 0
    for birth_date, status in children:
        if birth_date > end or not group.youngest <= age_years(birth_date, end) <= group.oldest:
            continue
        denominator += 1
        numerator += status in group.served
    return numerator, denominator
