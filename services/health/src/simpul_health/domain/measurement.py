"""Checking one balita measurement and working out everything derived from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from simpul_health.domain import categories
from simpul_health.domain.zscores import (
    MAX_AGE_DAYS,
    STANDING_FROM_DAY,
    Position,
    Sex,
    ZScores,
    zscores,
    zscores_many,
)
from simpul_platform.domain import RuleViolation, not_in_future

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


class AssessInput(NamedTuple):
    """One measurement to ``assess_many``: ``assess``'s arguments but ``today``."""

    sex: Sex
    birth_date: date
    measured_on: date
    weight_kg: float
    height_cm: float | None
    position: Position | None
    confirmed_implausible: bool


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
    age_days, position = _age_and_position(birth_date, measured_on, today, height_cm, position)
    z = zscores(sex, age_days, weight_kg, height_cm, position or "recumbent")
    return _assessed(age_days, position, height_cm, z, confirmed_implausible)


def assess_many(items: Sequence[AssessInput], today: date) -> list[Assessed | RuleViolation]:
    """``assess`` of each item, the same results (the RuleViolation it would raise in place
    of a refused item), with the z-scores of the whole batch computed together."""
    results: dict[int, Assessed | RuleViolation] = {}
    checked: list[tuple[int, int, Position | None]] = []  # (item, age in days, position)
    for i, item in enumerate(items):
        try:
            age_days, position = _age_and_position(
                item.birth_date, item.measured_on, today, item.height_cm, item.position
            )
        except RuleViolation as violation:
            results[i] = violation
        else:
            checked.append((i, age_days, position))
    zs = zscores_many(
        [items[i].sex for i, _, _ in checked],
        [age_days for _, age_days, _ in checked],
        [items[i].weight_kg for i, _, _ in checked],
        [items[i].height_cm for i, _, _ in checked],
        [position or "recumbent" for _, _, position in checked],
    )
    for (i, age_days, position), z in zip(checked, zs, strict=True):
        item = items[i]
        try:
            results[i] = _assessed(
                age_days, position, item.height_cm, z, item.confirmed_implausible
            )
        except RuleViolation as violation:
            results[i] = violation
    return [results[i] for i in range(len(items))]


def _age_and_position(
    birth_date: date,
    measured_on: date,
    today: date,
    height_cm: float | None,
    position: Position | None,
) -> tuple[int, Position | None]:
    """The age in days and the position (WHO's default for the age when not given), or
    RuleViolation for a date the growth standards cannot take."""
    not_in_future(measured_on, today, "measured_on", "The measurement date")
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
    return age_days, position


def _assessed(
    age_days: int,
    position: Position | None,
    height_cm: float | None,
    z: ZScores,
    confirmed_implausible: bool,
) -> Assessed:
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
