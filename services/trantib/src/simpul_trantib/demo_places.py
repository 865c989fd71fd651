"""The demo's fire posts and desa points: a Damkar post at fourteen of Kukar's twenty kecamatan
capitals (approximate real places; the six others have none) and a reference point for every
desa with an active posyandu, drawn around its kecamatan's capital (deterministic per desa):
most within a few kilometres, some far enough up the river or into the hills to lie outside
every WMK. The posts come first, so each point is computed against all of them.
"""

from __future__ import annotations

import math
import random

from simpul_platform.uow import UnitOfWork
from simpul_trantib.demo import DAMKAR, TRANTIB_SEED, Demo
from simpul_trantib.ops.fire_posts import create_post, put_point
from simpul_trantib.schemas.fire import DesaPointIn, FirePostIn

KM = 1 / 111.0  # ≈ a kilometre in degrees near the equator
# Kukar's kecamatan and their capitals (latitude, longitude), roughly where the town is.
CAPITALS: dict[str, tuple[str, float, float]] = {
    "64.02.01": ("Muara Muntai", -0.3967, 116.4233),
    "64.02.02": ("Loa Kulu", -0.5126, 116.9622),
    "64.02.03": ("Loa Janan", -0.5833, 117.0950),
    "64.02.04": ("Anggana", -0.5667, 117.2833),
    "64.02.05": ("Muara Badak", -0.3183, 117.4283),
    "64.02.06": ("Tenggarong", -0.4203, 116.9871),
    "64.02.07": ("Sebulu", -0.2700, 116.9700),
    "64.02.08": ("Kota Bangun", -0.2667, 116.5833),
    "64.02.09": ("Kenohan", -0.3550, 116.3967),
    "64.02.10": ("Kembang Janggut", 0.0300, 116.4300),
    "64.02.11": ("Muara Kaman", -0.1783, 116.7217),
    "64.02.12": ("Tabang", 0.5833, 116.0333),
    "64.02.13": ("Samboja", -1.0333, 117.1000),
    "64.02.14": ("Muara Jawa", -0.8300, 117.2200),
    "64.02.15": ("Sanga-Sanga", -0.6367, 117.2617),
    "64.02.16": ("Tenggarong Seberang", -0.3833, 117.0667),
    "64.02.17": ("Marang Kayu", -0.0800, 117.4300),
    "64.02.18": ("Muara Wis", -0.2350, 116.3050),
    "64.02.19": ("Kota Bangun Darat", -0.2100, 116.6400),
    "64.02.20": ("Samboja Barat", -0.9700, 117.0000),
}
# The kecamatan whose capital has a post (the others are served from a neighbour's, or not).
POSTED = (
    "64.02.06",
    "64.02.16",
    "64.02.02",
    "64.02.03",
    "64.02.15",
    "64.02.14",
    "64.02.13",
    "64.02.05",
    "64.02.04",
    "64.02.08",
    "64.02.11",
    "64.02.09",
    "64.02.10",
    "64.02.12",
)
FAR_SHARE = 0.15  # of the desa lie 12–25 km from their capital; the rest within 9 km
NEAR_KM, FAR_KM = (0.3, 9.0), (12.0, 25.0)


def capital(desa: str) -> tuple[float, float]:
    """The desa's kecamatan capital (Tenggarong for a kecamatan not listed)."""
    _, latitude, longitude = CAPITALS.get(desa[:8], CAPITALS["64.02.06"])
    return latitude, longitude


def desa_point(desa: str) -> tuple[float, float]:
    """The desa's kantor desa: a direction and distance from its capital drawn from the desa's
    own code, so a desa is always at the same place whatever else the replica holds."""
    rng = random.Random(f"{TRANTIB_SEED}:desa:{desa}")
    far = rng.random() < FAR_SHARE
    km = rng.uniform(*(FAR_KM if far else NEAR_KM))
    angle = rng.uniform(0, 2 * math.pi)
    latitude, longitude = capital(desa)
    return round(latitude + km * KM * math.sin(angle), 5), round(
        longitude + km * KM * math.cos(angle), 5
    )


async def seed_places(demo: Demo) -> None:
    """The posts, then every desa's point (one transaction)."""

    async def write(uow: UnitOfWork) -> None:
        for code in POSTED:
            name, latitude, longitude = CAPITALS[code]
            body = FirePostIn(
                name=f"Pos Damkar {name}", wilayah_code=code, latitude=latitude, longitude=longitude
            )
            await create_post(uow, DAMKAR, demo.settings, body)
        for desa in demo.desa:
            latitude, longitude = desa_point(desa)
            body_point = DesaPointIn(latitude=latitude, longitude=longitude)
            point = await put_point(uow, DAMKAR, demo.settings, desa, body_point)
            demo.points[desa] = (latitude, longitude)
            if point.inside_wmk:
                demo.inside.add(desa)
            demo.counts["desa_inside_wmk" if point.inside_wmk else "desa_outside_wmk"] += 1

    await demo.write(write)
    demo.counts.update({"fire_posts": len(POSTED), "desa_points": len(demo.desa)})
