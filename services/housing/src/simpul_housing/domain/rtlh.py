"""An RTLH case: a house found not livable, taken to a livable one (FIELDS.md §2c).

reported (a kader, the desa, Perkim, a referral) → surveyed (a survey of the house linked) →
verified (sts_verifikasi = Y, a note) → prioritised (jenis kawasan and the household's DTSEN
decile give a priority) → proposed (usulan: a funding source and year) → assigned (the aid:
BSPS, APBD, BAZNAS or CSR, an amount, a year) → in_construction → handled (the after-works
re-survey) → rlh (that survey is livable under the rule set Perkim uses). Or rejected: land
not legal, not MBR, already aided (read from the house's own history, never typed on trust),
or ``not_rtlh`` — the linked survey found the house livable, which ends the case at once.

Pure: no FastAPI, SQL or Kafka. Weights, windows and amounts are the caller's settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from simpul_platform.domain import RuleViolation, Step, Workflow

RtlhStatus = Literal[
    "reported",
    "surveyed",
    "verified",
    "prioritised",
    "proposed",
    "assigned",
    "in_construction",
    "handled",
    "rlh",
    "rejected",
]
RtlhAction = Literal[
    "report",
    "survey",
    "verify",
    "prioritise",
    "propose",
    "assign",
    "start_construction",
    "handle",
    "mark_rlh",
    "reject",
]
# Who reported the house; ``reaction`` (housing's own rules) and ``import`` (an RTLH list)
# are the service's, not a user's.
RtlhSource = Literal["kader", "desa", "opd", "referral", "reaction", "import"]
# Sumber dana of the proposal (usulan).
FundingSource = Literal[
    "apbn_bsps", "apbd_provinsi", "apbd_kabupaten", "baznas", "csr", "swadaya", "lainnya"
]
# The programme the aid was assigned from.
AidProgram = Literal["bsps", "apbd", "baznas", "csr"]
# Why a user rejects a case; ``not_rtlh`` is the survey's finding, never a user's choice.
RejectReason = Literal["land_illegal", "not_mbr", "already_aided"]
RejectionReason = Literal["land_illegal", "not_mbr", "already_aided", "not_rtlh"]
RuleSet = Literal["pupr", "rutilahu"]

_REJECTABLE: tuple[RtlhStatus, ...] = (
    "reported",
    "surveyed",
    "verified",
    "prioritised",
    "proposed",
)

_REJECTIONS: list[Step[RtlhStatus, RtlhAction]] = [
    Step("reject", status, "rejected") for status in _REJECTABLE
]

# Once aid is assigned the recipient is fixed: a case is not rejected after that (a cancelled
# aid is not modelled). ``handle`` again from handled is a further after-works survey, for a
# house the first one still found not livable.
RTLH: Workflow[RtlhStatus, RtlhAction] = Workflow(
    "RTLH case",
    [
        Step("report", None, "reported"),
        Step("survey", "reported", "surveyed"),
        Step("verify", "surveyed", "verified"),
        Step("prioritise", "verified", "prioritised"),
        Step("propose", "prioritised", "proposed"),
        Step("assign", "proposed", "assigned"),
        Step("start_construction", "assigned", "in_construction"),
        Step("handle", "in_construction", "handled"),
        Step("handle", "handled", "handled"),
        Step("mark_rlh", "handled", "rlh"),
        *_REJECTIONS,
    ],
)
OPEN_STATUSES: tuple[RtlhStatus, ...] = tuple(s for s in RTLH.statuses if s not in RTLH.final)

# How a case's end resolves the referral it was opened for (housing's outcome codes).
REFERRAL_OUTCOME: Mapping[str, str] = {
    "rlh": "rehabilitated",
    "land_illegal": "not_eligible",
    "not_mbr": "not_eligible",
    "already_aided": "not_eligible",
    "not_rtlh": "surveyed_rlh",
}


def is_rtlh(rule_set: RuleSet, rtlh_pupr: bool, rtlh_rutilahu: bool) -> bool:
    """A survey's verdict under the rule set the pipeline follows."""
    return rtlh_pupr if rule_set == "pupr" else rtlh_rutilahu


# --- priority -------------------------------------------------------------------------------

# Points per jenis kawasan (each counted once) and per DTSEN decile; the sum is the priority,
# higher handled sooner. Defaults, overridden by settings: stunting and extreme poverty loci
# first (FIELDS.md §5: stunting + poverty loci → BSPS priority), the poorest deciles most.
DEFAULT_KAWASAN_WEIGHTS: Mapping[str, int] = {
    "stunting": 30,
    "kemiskinan_ekstrim": 30,
    "prioritas": 20,
    "kumuh_kabupaten": 15,
    "3t": 15,
    "transmigrasi": 10,
    "strategis": 10,
    "pariwisata": 5,
}
DEFAULT_DECILE_POINTS: Mapping[int, int] = {1: 50, 2: 40, 3: 30, 4: 20, 5: 10}


@dataclass(frozen=True)
class PriorityWeights:
    kawasan: Mapping[str, int]
    decile: Mapping[int, int]
    unknown_decile: int = 0  # a household social has not assessed


def priority(kawasan: Iterable[str], decile: int | None, weights: PriorityWeights) -> int:
    """The case's priority from its jenis kawasan and the household's DTSEN decile."""
    area = sum(weights.kawasan.get(k, 0) for k in set(kawasan))
    poverty = weights.unknown_decile if decile is None else weights.decile.get(decile, 0)
    return area + poverty


# --- proposal and aid -----------------------------------------------------------------------

# Land a house may not be rebuilt on with aid: such a household is helped by relocation or
# rental access instead (FIELDS.md §5).
DEFAULT_REFUSED_LAND: tuple[str, ...] = ("tanah_ilegal", "tanah_negara")
PROPOSAL_YEARS_AHEAD = 2  # an usulan is for this year's budget or one of the next two


def check_land(land_status: str, refused: Iterable[str]) -> None:
    if land_status in set(refused):
        raise RuleViolation(
            "house.land_status",
            "land_not_eligible",
            f"The house stands on {land_status}: no housing aid on it; the household is "
            "helped by relocation or rental access instead.",
        )


def check_proposal_year(year: int, on: date, field: str = "body.proposal_year") -> None:
    if not on.year <= year <= on.year + PROPOSAL_YEARS_AHEAD:
        raise RuleViolation(
            field,
            "proposal_year_out_of_range",
            f"A proposal made on {on} is for {on.year}–{on.year + PROPOSAL_YEARS_AHEAD}.",
        )


# Plausible aid per programme in rupiah (inclusive): BSPS PK is Rp20 juta (Rp17.5 juta
# materials + Rp2.5 juta wages), PB Rp35 juta; older rounds gave less. A figure outside is a
# typing error (a missing or extra zero), not an aid. Defaults, overridden by settings.
DEFAULT_AID_AMOUNTS: Mapping[str, tuple[int, int]] = {
    "bsps": (10_000_000, 40_000_000),
    "apbd": (5_000_000, 75_000_000),
    "baznas": (1_000_000, 50_000_000),
    "csr": (1_000_000, 100_000_000),
}


def check_amount(program: str, amount: int, ranges: Mapping[str, tuple[int, int]]) -> None:
    low, high = ranges.get(program, DEFAULT_AID_AMOUNTS[program])
    if not low <= amount <= high:
        raise RuleViolation(
            "body.amount",
            "amount_implausible",
            f"{program.upper()} aid is Rp{low:,}–Rp{high:,}; Rp{amount:,} is not plausible.",
        )


def check_aid_year(year: int, on: date, field: str = "body.year") -> None:
    """The aid's fiscal year is the assignment's, or next to it."""
    if abs(year - on.year) > 1:
        raise RuleViolation(
            field,
            "aid_year_out_of_range",
            f"Aid assigned on {on} is for {on.year - 1}–{on.year + 1}.",
        )


# --- already aided --------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousAid:
    """Aid the household or the house received before: a recorded aid, or a survey's word."""

    year: int
    program: str | None
    aid_id: str | None = None
    case_id: str | None = None
    assessment_id: str | None = None

    def describe(self) -> str:
        what = (
            f"{self.program.upper()} aid" if self.program else "housing aid (declared in a survey)"
        )
        which = f" {self.aid_id}" if self.aid_id else ""
        return f"{what}{which} in {self.year}"


def within_window(previous_year: int, year: int, window_years: int) -> bool:
    """Aid in ``previous_year`` bars aid in ``year``: fewer than ``window_years`` apart (an
    aid recorded for a later year bars an earlier one the same way)."""
    return abs(year - previous_year) < window_years


def blocking_aid(
    history: Iterable[PreviousAid], year: int, window_years: int
) -> PreviousAid | None:
    """The most recent previous aid inside the window, if any."""
    inside = [a for a in history if within_window(a.year, year, window_years)]
    return max(inside, key=lambda a: (a.year, a.aid_id is not None), default=None)
