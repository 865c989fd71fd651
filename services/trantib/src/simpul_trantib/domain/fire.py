"""A fire incident's rules (Permendagri 114/2018; FIELDS.md §4): its times in order, its
status from the latest time recorded, and the response time against the SPM.

**Response time = arrival − report received** (from receiving the citizen's information to
arriving at the scene); the SPM is met when it is at most ``fire_response_minutes`` (15): an
arrival exactly 15:00 after the call meets it, 15:01 does not. A part second counts as a
whole one, so ``response_seconds ≤ limit`` says the same as the comparison of instants.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from math import ceil
from typing import Literal, get_args

from simpul_platform.domain import RuleViolation

ObjectKind = Literal[
    "rumah",
    "ruko",
    "gedung_publik",
    "pasar",
    "kendaraan",
    "lahan",
    "hutan",
    "industri",
    "lainnya",
]
Cause = Literal[
    "listrik",
    "kompor_gas",
    "puntung_rokok",
    "pembakaran_sampah",
    "petir",
    "disengaja",
    "tidak_diketahui",
    "lainnya",
]
# PUPR's classes (rusak ringan / sedang / berat) and a house gone altogether.
Damage = Literal["rr", "rs", "rb", "hilang"]
DISPLACING: frozenset[str] = frozenset({"rb", "hilang"})  # the household cannot live there
FireStatus = Literal[
    "received",
    "dispatched",
    "en_route",
    "on_scene",
    "action",
    "controlled",
    "extinguished",
    "closed",
]
FIRE_STATUSES: tuple[str, ...] = get_args(FireStatus)

StepTime = Literal[
    "dispatched_at",
    "turnout_at",
    "arrived_at",
    "action_started_at",
    "controlled_at",
    "extinguished_at",
]
STEP_TIMES: tuple[StepTime, ...] = get_args(StepTime)
# Every time in the order it must hold, with the status it leads to (turn-out: the crew left
# the post, so the unit is en route; RISPK's components).
SEQUENCE: tuple[tuple[str, FireStatus], ...] = (
    ("report_received_at", "received"),
    ("dispatched_at", "dispatched"),
    ("turnout_at", "en_route"),
    ("arrived_at", "on_scene"),
    ("action_started_at", "action"),
    ("controlled_at", "controlled"),
    ("extinguished_at", "extinguished"),
)
CASUALTIES: tuple[str, ...] = (
    "direct_injured",
    "direct_dead",
    "direct_trauma",
    "affected_injured",
    "affected_dead",
    "affected_trauma",
)

OUT_OF_ORDER = "out_of_order"
IN_FUTURE = "in_future"
TOO_EARLY = "too_early"
# Records start in this century: an earlier time is a typing error (and an instant a day
# from year 1 cannot be told in every zone).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def check_times(
    times: Mapping[str, datetime | None],
    given: set[str],
    now: datetime,
    prefix: str = "body",
) -> None:
    """The times ``given`` in this request are not in the future, and every recorded time
    (given or kept) keeps the sequence received ≤ dispatched ≤ … ≤ extinguished. A broken
    order names the given time of the pair (the later one when both were given)."""
    for name in (n for n, _ in SEQUENCE if n in given):
        moment = times.get(name)
        if moment is not None and moment > now:
            raise RuleViolation(
                f"{prefix}.{name}", IN_FUTURE, f"{name} ({moment.isoformat()}) is in the future."
            )
        if moment is not None and moment < EARLIEST:
            raise RuleViolation(
                f"{prefix}.{name}", TOO_EARLY, f"{name} ({moment.isoformat()}) is before 2000."
            )
    recorded: list[tuple[str, datetime]] = []
    for name, _ in SEQUENCE:
        moment = times.get(name)
        if moment is not None:
            recorded.append((name, moment))
    for (before, earlier), (after, later) in pairwise(recorded):
        if later < earlier:
            named = after if after in given or before not in given else before
            raise RuleViolation(
                f"{prefix}.{named}",
                OUT_OF_ORDER,
                f"{after} ({later.isoformat()}) is before {before} ({earlier.isoformat()}): "
                "the times go received ≤ dispatched ≤ turnout ≤ arrived ≤ action started ≤ "
                "controlled ≤ extinguished.",
            )


def status_of(times: Mapping[str, datetime | None], closed: bool = False) -> FireStatus:
    """The status the latest recorded time leads to (closed once the record is closed)."""
    if closed:
        return "closed"
    status: FireStatus = "received"
    for name, leads_to in SEQUENCE:
        if times.get(name) is not None:
            status = leads_to
    return status


def response_seconds(received: datetime, arrived: datetime | None) -> int | None:
    """Arrival − report received, in whole seconds (a part second counts); None before arrival."""
    if arrived is None:
        return None
    return ceil((arrived - received).total_seconds())


def response_met(seconds: int | None, limit_minutes: int) -> bool | None:
    """Met when the response is at most the limit; None before arrival."""
    return None if seconds is None else seconds <= limit_minutes * 60


def missed(
    received: datetime,
    arrived: datetime | None,
    met: bool | None,
    now: datetime,
    limit_minutes: int,
) -> bool:
    """The SPM was missed: arrival after the limit, or no arrival recorded and the limit past."""
    if arrived is not None:
        return met is False
    return now - received > timedelta(minutes=limit_minutes)


def displaced(damage: str) -> bool:
    """A household whose house is heavily damaged or gone cannot live there."""
    return damage in DISPLACING
