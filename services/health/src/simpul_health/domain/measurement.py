"""Checking one balita measurement and working out everything derived from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from simpul_health.domain import RuleViolation, categories
from simpul_health.domain.zscores import (
    MAX_AGE_DAYS,
    STANDING_FROM_DAY,
    Position,
    Sex,
    ZScores,
    zscores,
)

# Which input a WHO plausibility flag points at.
_FLAG_FIELDS = {"haz": "height_cm", "waz": "weight_kg", "whz": "weight_kg", "bmiz": "weight_kg"}


@dataclass(frozen=True)
class Assessed:
    age_days: int
    position: Position | None
    z: ZScores
    height_for_age: categories.HeightForAge | None
    weight_for_age: categories.WeightForAge | None
    weight_for_height: categories.WeightForHeight | None


def assess(
    *,
    sex: Sex,
    birth_date: date,
    measured_on: date,
    today: date,
    weight_kg: float,
    height_cm: float | None,
    position: Position | None,
    confirmed_implausible: bool,
) -> Assessed:
    """Z-scores and categories, or RuleViolation for a date or value WHO's rules refuse."""
    if measured_on > today:
        raise RuleViolation(
            "measured_on", "measured_in_future", "The measurement date is in the future."
        )
    if measured_on < birth_date:
        raise RuleViolation(
            "measured_on",
            "measured_before_birth",
            "The measurement date is before the child's birth.",
        )
    age_days = (measured_on - birth_date).days
    if age_days > MAX_AGE_DAYS:
        raise RuleViolation(
            "measured_on",
            "age_over_60_months",
            f"The child was {age_days} days old: growth standards stop at 60 months "
            f"({MAX_AGE_DAYS} days).",
        )
    if height_cm is not None and position is None:
        position = "recumbent" if age_days < STANDING_FROM_DAY else "standing"
    z = zscores(sex, age_days, weight_kg, height_cm, position or "recumbent")
    flagged = z.implausible()
    if flagged and not confirmed_implausible:
        name = flagged[0]
        raise RuleViolation(
            _FLAG_FIELDS[name],
            f"implausible_{name}",
            f"{name.upper()} {getattr(z, name)} is outside WHO's plausible range; check the "
            "measurement or send confirmed_implausible: true.",
        )
    return Assessed(
        age_days,
        position if height_cm is not None else None,
        z,
        categories.height_for_age(z.haz),
        categories.weight_for_age(z.waz),
        categories.weight_for_height(z.whz),
    )


Severity = Literal["stunted", "severely_stunted"]
Transition = Literal["open", "escalate", "close"]


@dataclass(frozen=True)
class EpisodeState:
    severity: Severity


def severity(haz: float) -> Severity | None:
    if haz < -3:
        return "severely_stunted"
    if haz < -2:
        return "stunted"
    return None


def episode_transition(open_episode: EpisodeState | None, haz: float | None) -> Transition | None:
    """What one measurement does to the child's stunting episode.

    ``open``: first HAZ below −2; ``escalate``: an open "stunted" episode newly below −3;
    ``close``: an open episode back at or above −2. Nothing otherwise (no length measured,
    still stunted, already severe).
    """
    if haz is None:
        return None
    level = severity(haz)
    if open_episode is None:
        return "open" if level else None
    if level is None:
        return "close"
    if level == "severely_stunted" and open_episode.severity == "stunted":
        return "escalate"
    return None
