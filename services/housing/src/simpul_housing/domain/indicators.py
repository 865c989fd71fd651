"""SPM perumahan (Permen PUPR 29/2018, Lampiran II) and the field's own figures, as counted per
posyandu at a month's end.

**Periods.** A period is ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM`` (``simpul_platform.indicators``).
The indicators are yearly: a period is counted at the end of its last month (or of the current
month while it has not ended), and a month's or a quarter's answer is its year to date.

**The counts** (numerator, denominator) of a posyandu at the end of month ``m`` of year ``t``:

- ``houses``: houses recorded by then or surveyed by then (both parts the same number; also
  the mark that a posyandu's month was counted).
- ``housing.rlh_pupr`` / ``housing.rlh_rutilahu``: houses livable (RLH) under Permen PUPR
  29/2018 / Permensos 20/2017 by their latest survey on or before the day ÷ houses surveyed
  by then. RTLH houses are the difference.
- ``rtlh_handled``: RTLH cases handled (``rtlh_case.handled_on``) from 1 January of ``t`` to
  the day (both parts the same number).
- ``housing.disaster_victims`` (SPM 1): disaster-damaged units planned for year ``t`` (the SK's
  year) completed from 1 January of ``t`` to the day ÷ units planned for ``t``.
- ``housing.relocation`` (SPM 2): households of year ``t``'s relocation programmes meeting the
  criteria and facilitated by the day ÷ those meeting the criteria.
- ``housing.stunted_in_rtlh``: households with a child found stunted by the day whose current
  house is RTLH under Permen PUPR 29/2018 by its latest survey on or before the day ÷ those
  households (by the posyandu health reported them at).

The functions below are the reference the database's statements are tested against.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from simpul_platform.tallies import Tallies, month_end

HOUSES = "houses"
RLH_PUPR = "housing.rlh_pupr"
RLH_RUTILAHU = "housing.rlh_rutilahu"
RTLH_HANDLED = "rtlh_handled"
DISASTER_VICTIMS = "housing.disaster_victims"
RELOCATION = "housing.relocation"
STUNTED_IN_RTLH = "housing.stunted_in_rtlh"
CODES = (
    HOUSES,
    RLH_PUPR,
    RLH_RUTILAHU,
    RTLH_HANDLED,
    DISASTER_VICTIMS,
    RELOCATION,
    STUNTED_IN_RTLH,
)
# The tag of the definitions above: change it with them, so rows kept under older ones are
# counted again rather than read.
BASIS = hashlib.sha256(("v1:" + ",".join(CODES)).encode()).hexdigest()[:12]


def year_to_date(month: date) -> tuple[date, date]:
    """1 January of ``month``'s year and ``month``'s last day."""
    return date(month.year, 1, 1), month_end(month)


# --------------------------------------------------------------------------- the reference


@dataclass(frozen=True)
class SurveyFact:
    """One survey of a house, as the counts see it."""

    surveyed_on: date
    recorded: int  # the order recorded: of one date, the later recorded wins
    rtlh_pupr: bool
    rtlh_rutilahu: bool


def latest_survey(surveys: Iterable[SurveyFact], day: date) -> SurveyFact | None:
    """A house's classification on ``day``: its latest survey on or before it."""
    known = [s for s in surveys if s.surveyed_on <= day]
    return max(known, key=lambda s: (s.surveyed_on, s.recorded), default=None)


def house_counts(houses: Iterable[tuple[date, list[SurveyFact]]], month: date) -> Tallies:
    """``houses``, ``rlh_pupr`` and ``rlh_rutilahu`` over (recorded on, surveys) of houses."""
    end = month_end(month)
    recorded = surveyed = rlh_pupr = rlh_rutilahu = 0
    for recorded_on, surveys in houses:
        latest = latest_survey(surveys, end)
        recorded += recorded_on <= end or latest is not None
        if latest is not None:
            surveyed += 1
            rlh_pupr += not latest.rtlh_pupr
            rlh_rutilahu += not latest.rtlh_rutilahu
    return {
        HOUSES: (recorded, recorded),
        RLH_PUPR: (rlh_pupr, surveyed),
        RLH_RUTILAHU: (rlh_rutilahu, surveyed),
    }


def handled_count(handled_on: Iterable[date | None], month: date) -> tuple[int, int]:
    first, end = year_to_date(month)
    handled = sum(1 for day in handled_on if day is not None and first <= day <= end)
    return handled, handled


def disaster_count(units: Iterable[tuple[int | None, date | None]], month: date) -> tuple[int, int]:
    """Over (planned year, completed on) of damaged units."""
    first, end = year_to_date(month)
    planned = [done for year, done in units if year == month.year]
    return sum(1 for done in planned if done is not None and first <= done <= end), len(planned)


def relocation_count(
    households: Iterable[tuple[int, bool | None, date | None]], month: date
) -> tuple[int, int]:
    """Over (programme year, meets the criteria, facilitated on) of relocated households."""
    end = month_end(month)
    eligible = [done for year, meets, done in households if year == month.year and meets]
    return sum(1 for done in eligible if done is not None and done <= end), len(eligible)


def stunted_count(
    households: Iterable[tuple[date, list[SurveyFact] | None]], month: date
) -> tuple[int, int]:
    """Over (first found stunted on, its current house's surveys or None: no known house)."""
    end = month_end(month)
    stunted = [surveys for found, surveys in households if found <= end]
    in_rtlh = 0
    for surveys in stunted:
        latest = latest_survey(surveys or [], end)
        in_rtlh += latest is not None and latest.rtlh_pupr
    return in_rtlh, len(stunted)
