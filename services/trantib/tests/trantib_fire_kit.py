"""Shortcuts the fire tests share: places at a given distance from a post, a post added."""

from __future__ import annotations

from typing import Any

from trantib_testkit import Trantib

from simpul_platform.geo import distance_m

POST_AT = (-0.42, 116.98)  # near Tenggarong


def south_of(origin: tuple[float, float], metres: float) -> tuple[float, float]:
    """The point due south of ``origin`` farthest from it without being over ``metres`` away
    (by the platform's distance, which the WMK is judged by)."""
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if distance_m(origin[0], origin[1], origin[0] - middle, origin[1]) <= metres:
            low = middle
        else:
            high = middle
    return origin[0] - low, origin[1]


def north_of(origin: tuple[float, float], metres: float) -> tuple[float, float]:
    south = south_of(origin, metres)
    return origin[0] + (origin[0] - south[0]), origin[1]


def spot(point: tuple[float, float]) -> dict[str, float]:
    return {"latitude": point[0], "longitude": point[1]}


async def add_post(tr: Trantib, name: str, point: tuple[float, float]) -> dict[str, Any]:
    body = {"name": name, "wilayah_code": "64.02.06", **spot(point)}
    made = await tr.client.post("/v1/fire-posts", json=body, headers=tr.damkar)
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result
