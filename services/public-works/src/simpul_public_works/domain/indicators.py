"""SPM pekerjaan umum (Permen PUPR 29/2018, Lampiran I) and the field's own figures, as counted
per posyandu at a month's end.

**Periods.** A period is ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM`` (``simpul_platform.indicators``).
As housing's, the indicators are yearly: a period is counted at the end of its last month (or
of the current month while it has not ended). Figures of a state (households surveyed, issues
open) are the state at that day; figures of an event (issues done) count the events from
1 January of its year to that day, so a month's or a quarter's answer is its year to date.

**The counts** (numerator, denominator) of a posyandu at the end ``E`` of month ``m``. A
household's survey "as of ``E``" is its latest survey on or before ``E`` (of one date, the
later recorded), so an older month counts the survey then in force; its population is that
survey's occupants.

- ``households``: households known by ``E`` (both parts the same number; also the mark that a
  posyandu's month was counted): the pseudonyms of ``known_household`` known on or before
  ``E`` and of this service's households recorded (or surveyed) by then, each counted once.
- ``public_works.survey_coverage``: households with a survey as of ``E`` ÷ ``households``.
- ``public_works.basic_water`` (SPM air minum): population with basic daily drinking water
  (protected source > 10 m from a waste point, ≥ 60 l/person/day) ÷ population surveyed.
- ``public_works.wastewater`` (SPM air limbah domestik): population with SPALD-S or SPALD-T
  service ÷ population surveyed.
- ``public_works.babs``: households whose sanitation is BABS ÷ households surveyed (target 0).
- ``public_works.safe_water``: households whose drinking water is ``aman`` ÷ households
  surveyed.
- ``public_works.sanitation_layak``: households whose sanitation is ``aman``, ``layak_sendiri``
  or ``layak_bersama`` ÷ households surveyed.
- ``basic_water_households``: households with basic daily water ÷ households surveyed (what
  the rows by desa subtract to give the households without it).
- Infrastructure issues (``duplicate_of IS NULL`` only: a duplicate is counted in its first):
  an issue exists at ``E`` when reported on or before it; it is *open* at ``E`` when neither
  done nor declined on or before ``E``. ``issues_open``: open issues (both parts).
  ``public_works.issues_overdue``: open issues overdue at ``E`` ÷ open issues (target 0).
  ``public_works.issues_done``: issues done from 1 January of ``E``'s year to ``E`` ÷ those
  and the issues open at ``E``.

**Overdue** at a day: the issue workflow's rule (``domain.issues.OverdueThresholds``) applied
to the step the issue stood at on that day: more than ``reported_days`` (14) after its report
and not triaged, ``triaged_days`` (60) after triage and not forwarded or scheduled,
``forwarded_days`` (60) after forwarding and not scheduled; scheduled and not done after
31 December of its budget year. Only the steps taken by the day count.

The functions below are the reference the database's statements are tested against.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from simpul_platform.tallies import Tallies, month_end
from simpul_public_works.domain.issues import OverdueThresholds

HOUSEHOLDS = "households"
COVERAGE = "public_works.survey_coverage"
BASIC_WATER = "public_works.basic_water"
WASTEWATER = "public_works.wastewater"
BABS = "public_works.babs"
SAFE_WATER = "public_works.safe_water"
SANITATION_LAYAK = "public_works.sanitation_layak"
BASIC_WATER_HOUSEHOLDS = "basic_water_households"
ISSUES_OPEN = "issues_open"
ISSUES_OVERDUE = "public_works.issues_overdue"
ISSUES_DONE = "public_works.issues_done"
CODES = (
    HOUSEHOLDS,
    COVERAGE,
    BASIC_WATER,
    WASTEWATER,
    BABS,
    SAFE_WATER,
    SANITATION_LAYAK,
    BASIC_WATER_HOUSEHOLDS,
    ISSUES_OPEN,
    ISSUES_OVERDUE,
    ISSUES_DONE,
)
LAYAK_SANITATION = ("aman", "layak_sendiri", "layak_bersama")
WASTEWATER_SERVICES = ("spald_s", "spald_t")


# The tag of the definitions above (and of the overdue rules they were counted under): change
# it with them, so rows kept under older ones are counted again rather than read.
def basis(rules: OverdueThresholds) -> str:
    days = (rules.reported_days, rules.triaged_days, rules.forwarded_days)
    text = f"v1:{','.join(CODES)}:{days}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- the reference


@dataclass(frozen=True)
class SurveyFact:
    """One survey of a household, as the counts see it."""

    surveyed_on: date
    recorded: int  # the order recorded: of one date, the later recorded wins
    occupants: int
    water_level: str
    sanitation_level: str
    basic_water: bool
    wastewater_service: str | None
    source: str = "kader"  # of one date, a kader's survey wins over housing's


def precedence(s: SurveyFact) -> tuple[date, bool, int]:
    """Which of a household's surveys is its latest: the later date; of one date a kader's
    over housing's (whose facts are partial); then the later recorded."""
    return (s.surveyed_on, s.source == "kader", s.recorded)


@dataclass(frozen=True)
class HouseholdFact:
    household_ref: str
    known_on: date  # recorded here, or made known by another field
    surveys: tuple[SurveyFact, ...] = ()


@dataclass(frozen=True)
class IssueFact:
    reported_on: date
    triaged_on: date | None = None
    forwarded_on: date | None = None
    scheduled_on: date | None = None
    budget_year: int | None = None
    done_on: date | None = None
    declined_on: date | None = None
    duplicate_of: str | None = None


def latest_survey(surveys: Iterable[SurveyFact], day: date) -> SurveyFact | None:
    """A household's survey in force on ``day``: its latest on or before it."""
    known = [s for s in surveys if s.surveyed_on <= day]
    return max(known, key=precedence, default=None)


def household_counts(households: Iterable[HouseholdFact], month: date) -> Tallies:
    """Every household count at ``month``'s end; households of one pseudonym count once."""
    end = month_end(month)
    known: set[str] = set()
    surveyed = population = basic = wastewater = babs = safe = layak = basic_hh = 0
    for household in households:
        latest = latest_survey(household.surveys, end)
        if household.known_on <= end or latest is not None:
            known.add(household.household_ref)
        if latest is None:
            continue
        surveyed += 1
        population += latest.occupants
        basic += latest.occupants if latest.basic_water else 0
        wastewater += latest.occupants if latest.wastewater_service in WASTEWATER_SERVICES else 0
        babs += latest.sanitation_level == "babs"
        safe += latest.water_level == "aman"
        layak += latest.sanitation_level in LAYAK_SANITATION
        basic_hh += latest.basic_water
    return {
        HOUSEHOLDS: (len(known), len(known)),
        COVERAGE: (surveyed, len(known)),
        BASIC_WATER: (basic, population),
        WASTEWATER: (wastewater, population),
        BABS: (babs, surveyed),
        SAFE_WATER: (safe, surveyed),
        SANITATION_LAYAK: (layak, surveyed),
        BASIC_WATER_HOUSEHOLDS: (basic_hh, surveyed),
    }


def _by(day: date | None, end: date) -> bool:
    return day is not None and day <= end


def is_open(issue: IssueFact, end: date) -> bool:
    return (
        issue.reported_on <= end and not _by(issue.done_on, end) and not _by(issue.declined_on, end)
    )


def overdue_on(issue: IssueFact, day: date, rules: OverdueThresholds) -> bool:
    """An open issue late at its step on ``day`` (only the steps taken by then count)."""
    if not is_open(issue, day):
        return False
    if _by(issue.scheduled_on, day):
        return issue.budget_year is not None and day > date(issue.budget_year, 12, 31)
    if issue.forwarded_on is not None and _by(issue.forwarded_on, day):
        return day > issue.forwarded_on + timedelta(days=rules.forwarded_days)
    if issue.triaged_on is not None and _by(issue.triaged_on, day):
        return day > issue.triaged_on + timedelta(days=rules.triaged_days)
    return day > issue.reported_on + timedelta(days=rules.reported_days)


def issue_counts(issues: Iterable[IssueFact], month: date, rules: OverdueThresholds) -> Tallies:
    end = month_end(month)
    first = date(end.year, 1, 1)
    counted = [i for i in issues if i.duplicate_of is None]
    open_ = sum(is_open(i, end) for i in counted)
    overdue = sum(overdue_on(i, end, rules) for i in counted)
    done = sum(1 for i in counted if i.done_on is not None and first <= i.done_on <= end)
    return {
        ISSUES_OPEN: (open_, open_),
        ISSUES_OVERDUE: (overdue, open_),
        ISSUES_DONE: (done, done + open_),
    }
