"""Date rules a workflow step shares: a step is not dated before the step it follows.

"Not in the future" is the platform's (``simpul_platform.domain.not_in_future``), in the
deployment's time zone.
"""

from __future__ import annotations

from datetime import date

from simpul_platform.domain import RuleViolation

BEFORE_PREVIOUS_STEP = "before_previous_step"


def not_before(day: date, earlier: date | None, field: str, what: str) -> None:
    """``day`` is on or after ``earlier`` (``what`` names that step); no earlier step, no rule."""
    if earlier is not None and day < earlier:
        raise RuleViolation(field, BEFORE_PREVIOUS_STEP, f"{day} is before {what} {earlier}.")
