"""Points on the ground: a coordinate pair checked plausible for this deployment (inside
Indonesia, not swapped, not the GPS's empty fix) and the great-circle distance between two.

Pure: raises ``RuleViolation`` naming the body field; every field that records where
something is (a house, a village road, a public tap) checks it the same way.
"""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

from simpul_platform.domain import RuleViolation

# Indonesia's extent (Sabang–Merauke, Miangas–Rote) with a margin: a point outside it is a
# typing or GPS error, not a place of this deployment.
LATITUDE_RANGE = (-11.5, 6.5)
LONGITUDE_RANGE = (94.5, 141.5)
EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)


def inside_indonesia(latitude: float, longitude: float) -> bool:
    return (
        LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
        and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
    )


def check_coordinates(
    latitude: float | None, longitude: float | None, *, prefix: str = "body"
) -> None:
    """Both or neither, inside Indonesia: a pair that is inside once swapped is named as
    swapped (``coordinates_swapped``), any other outside pair ``coordinates_outside_indonesia``."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise RuleViolation(
            f"{prefix}.{missing}", "coordinates_pair", "Give latitude and longitude together."
        )
    if latitude is None or longitude is None:
        return
    if not inside_indonesia(latitude, longitude) and inside_indonesia(longitude, latitude):
        raise RuleViolation(
            f"{prefix}.latitude",
            "coordinates_swapped",
            f"Latitude {latitude} and longitude {longitude} are swapped: the place is at "
            f"latitude {longitude}, longitude {latitude}.",
        )
    if not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
        raise RuleViolation(
            f"{prefix}.latitude",
            "coordinates_outside_indonesia",
            f"{latitude} is not in Indonesia.",
        )
    if not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
        raise RuleViolation(
            f"{prefix}.longitude",
            "coordinates_outside_indonesia",
            f"{longitude} is not in Indonesia (did you swap latitude and longitude?).",
        )


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance in metres between two points on a sphere of the
    Earth's mean radius: within 0.5 % of the ellipsoid's, plenty for "the same place nearby"."""
    phi1, phi2 = radians(lat1), radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, radians(lon2 - lon1) / 2
    h = sin(half_dphi) ** 2 + cos(phi1) * cos(phi2) * sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(h)))
