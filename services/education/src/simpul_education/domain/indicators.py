"""SPM pendidikan as the field counts it (Permendikbudristek 32/2022; the formulas regional
dashboards use, FIELDS.md §1(a)), and the per-posyandu monthly counts they are summed from.

**What a figure means.** A period is a month (``YYYY-MM``), a quarter or a year (``YYYY``), see
``simpul_platform.indicators.Period``. Every indicator is *as of the period's end*, counted at
a month's end: the end month is the period's last month, or the current month while the period
has not ended. A child counts in a month when it is 0–18 at that month's end; its age group is
its age at the month's end and its status the latest one dated on or before that day (statuses
are never dated in the future, so for the current month that is the latest one so far).

**Ages at a month's end.** A child's age at a month's end is the number of whole years between
its birth month and that month: a child is 5 at the end of the month in which it turns 5, so
an age group at a month's end is fixed by the birth month alone (a child born on 29 February
turns a year older at the end of February in every year). That is what lets a month's counts
be kept per posyandu and reused: nothing in them moves until a write changes the data.

**The counts** (``Count``): children of an age span whose status then is in a set, over the
children of that span (all of them, or those whose status then is in another set), optionally
only children of households in some DTSEN deciles. The indicators:

- ``education.paud_5_6``: children 5–6 in PAUD ÷ children 5–6. Completion of PAUD is not
  recorded, so a 6-year-old already in SD is not in the numerator.
- ``education.dasar_7_15``: children 7–15 in SD/SMP, Paket A/B or past them (SMA, SMK,
  Paket C: they finished SMP) ÷ children 7–15.
- ``education.kesetaraan_7_18``: children 7–18 out of formal school and in kesetaraan ÷
  children 7–18 out of formal school. The formula is not in a primary text (FIELDS.md §1(a),
  [BG]), so both status sets are settings (``EDUCATION_KESETARAAN_NUMERATOR``,
  ``EDUCATION_KESETARAAN_DENOMINATOR``); by default Paket A/B/C ÷ out of school or Paket A/B/C.
- ``education.paud_equity_5_6``: PAUD participation 5–6 in DTSEN deciles 1–2 ÷ the same in
  deciles 9–10 (Pasal 33(4): the lowest income quintile's APS 5–6 ÷ the highest's), by the
  households' latest known decile (a ranking of now, applied to every period). It is a ratio of
  two rates, shown in ``IndicatorValue`` as: numerator = deciles 1–2's participation rate,
  denominator = deciles 9–10's, both per 10,000 (rounded), and percent = 100 × their ratio
  (100 = parity, the target). Null when either group has no child 5–6, or 9–10's rate is 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from simpul_education.domain.status import Status
from simpul_platform.tallies import month_end

PAUD_STATUSES = frozenset({"paud"})
DASAR_STATUSES = frozenset({"sd", "smp", "paket_a", "paket_b", "sma", "smk", "paket_c"})
KESETARAAN_NUMERATOR: tuple[Status, ...] = ("paket_a", "paket_b", "paket_c")
KESETARAAN_DENOMINATOR: tuple[Status, ...] = ("out_of_school", "paket_a", "paket_b", "paket_c")
OUT_OF_SCHOOL = frozenset({"out_of_school"})
RATE_SCALE = 10_000  # the equity indicator's rates, per 10,000 children 5–6
LOW_DECILES, HIGH_DECILES = (1, 2), (9, 10)


# --------------------------------------------------------------------------- months


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def age_at_month_end(birth_date: date, month: date) -> int:
    """Whole years from the birth month to ``month`` (negative when born after it)."""
    months = (month.year - birth_date.year) * 12 + month.month - birth_date.month
    return months // 12


def born_between(youngest: int, oldest: int, month: date) -> tuple[date, date]:
    """The first and last birth dates of a child aged ``youngest``–``oldest`` at ``month``'s
    end (what ``age_at_month_end`` says, as a range an index can read)."""
    first = add_months(month, -12 * oldest - 11)
    last = month_end(add_months(month, -12 * youngest))
    return first, last


# --------------------------------------------------------------------------- counts


@dataclass(frozen=True)
class Count:
    """Children ``youngest``–``oldest`` at a month's end: ``numerator`` those whose status then
    is in ``served``; ``denominator`` those whose status is in ``among`` (None: every one,
    with a status or not); only households in ``deciles`` (inclusive range) when given.
    ``served`` None: every child the denominator counts."""

    code: str
    youngest: int
    oldest: int
    served: frozenset[str] | None
    among: frozenset[str] | None = None
    deciles: tuple[int, int] | None = None

    def counts(
        self, birth_date: date, status: str | None, decile: int | None, month: date
    ) -> tuple[bool, bool]:
        """(in the numerator, in the denominator) for one child at ``month``'s end."""
        if not self.youngest <= age_at_month_end(birth_date, month) <= self.oldest:
            return False, False
        if self.deciles is not None and not (
            decile is not None and self.deciles[0] <= decile <= self.deciles[1]
        ):
            return False, False
        if self.among is not None and status not in self.among:
            return False, False
        return self.served is None or status in self.served, True


CHILDREN = "children_0_18"  # every child 0–18: also the mark that a month was counted
PAUD_5_6 = "education.paud_5_6"
DASAR_7_15 = "education.dasar_7_15"
KESETARAAN_7_18 = "education.kesetaraan_7_18"
OUT_OF_SCHOOL_7_18 = "out_of_school_7_18"
PAUD_5_6_LOW = "paud_5_6.deciles_1_2"
PAUD_5_6_HIGH = "paud_5_6.deciles_9_10"
PAUD_EQUITY_5_6 = "education.paud_equity_5_6"


@dataclass(frozen=True)
class Definitions:
    """The counts kept per posyandu and month, and a tag of them: kept counts made under other
    definitions (a setting changed) are not read, but counted again."""

    counts: tuple[Count, ...]

    @property
    def basis(self) -> str:
        return hashlib.sha256(repr(self.counts).encode()).hexdigest()[:12]

    @property
    def oldest(self) -> int:
        return max(c.oldest for c in self.counts)


def definitions(
    kesetaraan_numerator: Iterable[str] = KESETARAAN_NUMERATOR,
    kesetaraan_denominator: Iterable[str] = KESETARAAN_DENOMINATOR,
) -> Definitions:
    """The field's counts, with the kesetaraan status sets given (settings)."""
    return Definitions(
        (
            Count(CHILDREN, 0, 18, None),
            Count(PAUD_5_6, 5, 6, PAUD_STATUSES),
            Count(DASAR_7_15, 7, 15, DASAR_STATUSES),
            Count(
                KESETARAAN_7_18,
                7,
                18,
                frozenset(kesetaraan_numerator),
                frozenset(kesetaraan_denominator),
            ),
            Count(OUT_OF_SCHOOL_7_18, 7, 18, OUT_OF_SCHOOL),
            Count(PAUD_5_6_LOW, 5, 6, PAUD_STATUSES, deciles=LOW_DECILES),
            Count(PAUD_5_6_HIGH, 5, 6, PAUD_STATUSES, deciles=HIGH_DECILES),
        )
    )


Tallies = dict[str, tuple[int, int]]  # code → (numerator, denominator)


def tally(
    defs: Definitions, children: Iterable[tuple[date, str | None, int | None]], month: date
) -> Tallies:
    """Every count's (numerator, denominator) over (birth date, status at ``month``'s end,
    household decile) triples: the reference the database's statement is tested against."""
    out = {c.code: [0, 0] for c in defs.counts}
    for birth_date, status, decile in children:
        for count in defs.counts:
            served, counted = count.counts(birth_date, status, decile, month)
            out[count.code][0] += served
            out[count.code][1] += counted
    return {code: (n, d) for code, (n, d) in out.items()}


def added(parts: Sequence[Tallies]) -> Tallies:
    """The sum of several tallies (posyandu into a wilayah)."""
    out: dict[str, tuple[int, int]] = {}
    for part in parts:
        for code, (n, d) in part.items():
            before = out.get(code, (0, 0))
            out[code] = (before[0] + n, before[1] + d)
    return out


def equity(low: tuple[int, int], high: tuple[int, int]) -> tuple[int, int]:
    """(deciles 1–2's rate, deciles 9–10's rate) per ``RATE_SCALE``, from each group's
    (in PAUD, children 5–6). The denominator is 0 (so the percent is null) when a ratio cannot
    be made: a group without children 5–6, or none of 9–10's in PAUD."""
    (low_served, low_children), (high_served, high_children) = low, high
    if not low_children:
        return 0, 0
    low_rate = round(RATE_SCALE * low_served / low_children)
    high_rate = round(RATE_SCALE * high_served / high_children) if high_children else 0
    return low_rate, high_rate
