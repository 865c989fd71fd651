"""A house's place and its households: the checks a route's schema cannot say alone."""

from __future__ import annotations

from collections.abc import Sequence

from simpul_platform.domain import RuleViolation

# Indonesia's extent (Sabang–Merauke, Miangas–Rote) with a margin: a point outside it is a
# typing or GPS error, not a house of this deployment.
LATITUDE_RANGE = (-11.5, 6.5)
LONGITUDE_RANGE = (94.5, 141.5)


def check_coordinates(latitude: float | None, longitude: float | None) -> None:
    """Both or neither, inside Indonesia, and not the GPS's empty fix (0, 0)."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise RuleViolation(
            f"body.{missing}", "coordinates_pair", "Give latitude and longitude together."
        )
    if latitude is None or longitude is None:
        return
    if not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
        raise RuleViolation(
            "body.latitude", "coordinates_outside_indonesia", f"{latitude} is not in Indonesia."
        )
    if not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
        raise RuleViolation(
            "body.longitude",
            "coordinates_outside_indonesia",
            f"{longitude} is not in Indonesia (did you swap latitude and longitude?).",
        )


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
