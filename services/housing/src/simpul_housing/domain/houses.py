"""A house's place and its households: the checks a route's schema cannot say alone."""

from __future__ import annotations

from collections.abc import Sequence

from simpul_platform.domain import RuleViolation
from simpul_platform.geo import check_coordinates

# A house's place is checked as every place is (inside Indonesia, not swapped): the platform's.
__all__ = ["check_coordinates", "check_households"]


def check_households(kks: Sequence[str], occupants: int, members: Sequence[int | None]) -> None:
    """No KK twice in one house; the households' members (where given) fit the occupants."""
    seen: set[str] = set()
    for index, kk in enumerate(kks):
        if kk in seen:
            raise RuleViolation(
                f"body.households[{index}].kk", "duplicate_kk", "This KK is listed twice."
            )
        seen.add(kk)
    counted = sum(m for m in members if m is not None)
    if counted > occupants:
        raise RuleViolation(
            "body.occupants",
            "fewer_than_members",
            f"{occupants} occupants, but the households list {counted} members.",
        )
