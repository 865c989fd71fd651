"""The WMK (wilayah manajemen kebakaran, Kepmen PU 11/KPTS/2000): the area a fire post
serves within the 15-minute response, a radius of 7.5 km around it by default
(``wmk_radius_km``). A place is inside when its nearest active post is at most the radius
away: a place exactly at the radius is inside. With no active post, every place is outside.

Pure: the distance is the platform's great-circle one; the comparison is made in metres on
the unrounded distance, so the rounding of ``distance_km`` never moves a place across the
edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from simpul_platform.geo import distance_m

KM_DECIMALS = 3  # a metre: what a distance is shown and stored to


@dataclass(frozen=True)
class Post:
    """An active fire post's centre."""

    id: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Coverage:
    """A place's nearest active post, its distance, and whether the place is inside the WMK."""

    post_id: str | None
    distance_km: float | None
    inside_wmk: bool


OUTSIDE = Coverage(None, None, False)


def coverage(
    latitude: float, longitude: float, posts: Iterable[Post], radius_km: float
) -> Coverage:
    """The nearest post (the first listed of equally near ones) and the WMK verdict."""
    best: tuple[float, Post] | None = None
    for post in posts:
        apart = distance_m(latitude, longitude, post.latitude, post.longitude)
        if best is None or apart < best[0]:
            best = (apart, post)
    if best is None:
        return OUTSIDE
    apart, post = best
    return Coverage(post.id, round(apart / 1000, KM_DECIMALS), apart <= radius_km * 1000)


def coverages(
    points: Mapping[str, tuple[float, float]], posts: Iterable[Post], radius_km: float
) -> dict[str, Coverage]:
    """``coverage`` for each point by its key (a desa code): every desa against every post,
    which for a kabupaten (~240 desa, ~30 posts) is a few thousand distances."""
    listed = list(posts)
    return {
        key: coverage(latitude, longitude, listed, radius_km)
        for key, (latitude, longitude) in points.items()
    }
