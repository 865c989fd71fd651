"""The demo's year of fires: ``Demo.fires`` incidents over the last twelve months at the active
posyandu, three times as many a month in the dry season (August–September; twice in July and
October) and more of them land and forest fires then.

Each is reported near its desa's point, its nearest post and WMK verdict computed by the
service; dispatched, out and arrived after a drive that grows with the distance to the post
(inside a WMK: within the 15 minutes), then put out, investigated and closed, which announces
``trantib.fire.attended.v1`` to housing and social. Some go wrong (``FIRE_ROUND``, the first
of each in even the smallest demo): a late arrival inside a WMK, a fire at a far dusun outside
every WMK, one with no Damkar arrival (put out by the residents). Most house fires damaged the
houses of one to three of the population's households at the posyandu (by No. KK, none twice
in the year); casualties now and then. One transaction per fire, dated as typed once the fire
was closed.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from simpul_platform.clock import now
from simpul_platform.uow import UnitOfWork
from simpul_trantib.demo import DAMKAR, Demo, Family, rounds
from simpul_trantib.demo_places import KM
from simpul_trantib.domain.wmk import Coverage, Post, coverage
from simpul_trantib.models import FireIncident
from simpul_trantib.ops import fires
from simpul_trantib.ops.fire_posts import active_posts
from simpul_trantib.schemas.fire import DamagedHousesIn, FireIncidentIn, FireIncidentPatch

FIRE_ROUND = ("normal",) * 17 + ("late",) * 3 + ("outside",) * 3 + ("no_arrival",)
FIRE_FIRST = ("late", "outside", "no_arrival")
DRY_WEIGHT = {7: 2.0, 8: 3.0, 9: 3.0, 10: 2.0}  # East Kalimantan's dry season
OBJECTS = {  # (wet months, dry months)
    "rumah": (45, 30),
    "ruko": (8, 5),
    "gedung_publik": (3, 2),
    "pasar": (2, 2),
    "kendaraan": (10, 6),
    "lahan": (20, 40),
    "hutan": (5, 12),
    "industri": (2, 1),
    "lainnya": (5, 2),
}
BUILDING_CAUSES = {
    "listrik": 40,
    "kompor_gas": 25,
    "puntung_rokok": 5,
    "petir": 2,
    "disengaja": 3,
    "tidak_diketahui": 20,
    "lainnya": 5,
}
LAND_CAUSES = {"pembakaran_sampah": 30, "puntung_rokok": 20, "disengaja": 20, "petir": 5,
               "tidak_diketahui": 25}  # fmt: skip
LOSS = {  # rupiah, low and high
    "rumah": (15_000_000, 350_000_000),
    "ruko": (50_000_000, 900_000_000),
    "gedung_publik": (20_000_000, 500_000_000),
    "pasar": (100_000_000, 2_000_000_000),
    "kendaraan": (5_000_000, 250_000_000),
    "lahan": (0, 25_000_000),
    "hutan": (0, 60_000_000),
    "industri": (100_000_000, 3_000_000_000),
    "lainnya": (0, 20_000_000),
}
LAND = ("lahan", "hutan")
# Fires are more often where people crowd: the desa near a capital, inside its post's WMK.
TOWN_WEIGHT = 4
DAMAGED_SHARE = 0.7  # of house fires damaged households of the population
DAMAGE = {"rr": 30, "rs": 30, "rb": 30, "hilang": 10}


async def seed_fires(demo: Demo) -> None:
    rng = demo.rng("fires")
    async with demo.db.sessions() as session:
        posts = await active_posts(session)
    days = _days(demo.today, demo.fires, rng)
    plans = rounds(FIRE_ROUND, len(days), rng, FIRE_FIRST)
    used: set[str] = set()  # households whose house burnt this year
    weights = [TOWN_WEIGHT if p.desa_code in demo.inside else 1 for p in demo.posyandu]
    for day, plan in zip(days, plans, strict=True):
        place = rng.choices(demo.posyandu, weights)[0]
        dry = day.month in DRY_WEIGHT
        kind = rng.choices(list(OBJECTS), [w[dry] for w in OBJECTS.values()])[0]
        spot = _spot(demo.points[place.desa_code], posts, demo, plan, rng)
        body, closed_at = _report(demo, place.posyandu_id, kind, day, spot, plan, posts, rng)
        damaged = _damaged(demo.families.get(place.posyandu_id, []), kind, used, rng)

        async def write(
            uow: UnitOfWork,
            body: FireIncidentIn = body,
            at: datetime = closed_at,
            damaged: list[Family] = damaged,
        ) -> FireIncident:
            return await _attend(uow, demo, body, at, damaged, rng)

        incident = await demo.write(write)
        _count(demo, incident, len(damaged))


def _days(today: date, n: int, rng: random.Random) -> list[date]:
    """``n`` days of the last year (none today), the dry months' more often, oldest first."""
    year = [today - timedelta(days=back) for back in range(1, 366)]
    weights = [DRY_WEIGHT.get(day.month, 1.0) for day in year]
    return sorted(rng.choices(year, weights, k=n))


def _spot(
    point: tuple[float, float], posts: list[Post], demo: Demo, plan: str, rng: random.Random
) -> tuple[float, float]:
    """Near the desa's point (within 1.5 km); for an ``outside`` fire, the nearest place out
    along a line from it that lies outside every WMK."""
    radius = demo.settings.wmk_radius_km
    angle = rng.uniform(0, 2 * math.pi)
    steps = [rng.uniform(0.1, 1.5)] if plan != "outside" else [1.5 + k for k in range(40)]
    for km in steps:
        spot = (point[0] + km * KM * math.sin(angle), point[1] + km * KM * math.cos(angle))
        if plan != "outside" or not coverage(*spot, posts, radius).inside_wmk:
            return round(spot[0], 5), round(spot[1], 5)
    return point


def _report(
    demo: Demo,
    posyandu_id: str,
    kind: str,
    day: date,
    spot: tuple[float, float],
    plan: str,
    posts: list[Post],
    rng: random.Random,
) -> tuple[FireIncidentIn, datetime]:
    """The report with every time known once the fire was out, and when it was closed."""
    hour = rng.choices(range(24), [1] * 6 + [3] * 16 + [2] * 2)[0]
    received = datetime.combine(day, time(hour, rng.randint(0, 59)), demo.settings.zone)
    cover = coverage(*spot, posts, demo.settings.wmk_radius_km)
    dispatched = received + _minutes(rng, 0.5, 3)
    turnout = dispatched + _minutes(rng, 0.5, 2.5)
    arrived: datetime | None = max(  # never before the crew left the post
        received + timedelta(minutes=_response_minutes(cover, plan, rng)),
        turnout + _minutes(rng, 1, 2),
    )
    action: datetime | None = None
    land = kind in LAND
    if plan == "no_arrival":  # the residents put it out
        arrived, started = None, received + _minutes(rng, 25, 90)
    else:
        assert arrived is not None
        action = started = arrived + _minutes(rng, 0.5, 4)
    controlled = started + _minutes(rng, 10, 300 if land else 90)
    extinguished = controlled + _minutes(rng, 5, 120)
    closed = min(now(), extinguished + _minutes(rng, 60, 48 * 60))
    times = {
        "dispatched_at": dispatched,
        "turnout_at": turnout,
        "arrived_at": arrived,
        "action_started_at": action,
        "controlled_at": controlled,
        "extinguished_at": extinguished,
    }
    place = f"RT {rng.randint(1, 20):02d}, Dusun {rng.randint(1, 5)}"
    body = FireIncidentIn.model_validate(
        {
            "posyandu_id": posyandu_id,
            "place": place if not land else f"Lahan warga, {place}",
            "latitude": spot[0],
            "longitude": spot[1],
            "report_received_at": received,
            "object_kind": kind,
            **times,
        }
    )
    return body, closed


def _response_minutes(cover: Coverage, plan: str, rng: random.Random) -> float:
    """Call to arrival: inside a WMK within the limit (unless ``late``); further out, the
    turn-out and a drive at about 40 km/h on Kukar's roads."""
    if plan == "late":
        return rng.uniform(15.5, 40)
    drive = 4 + (cover.distance_km or 30) * 1.5 + rng.uniform(0, 6)
    return min(drive, rng.uniform(6, 15)) if cover.inside_wmk else drive


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def _damaged(families: list[Family], kind: str, used: set[str], rng: random.Random) -> list[Family]:
    """One to three of the posyandu's households whose house burnt, for most house fires."""
    if kind != "rumah" or rng.random() >= DAMAGED_SHARE:
        return []
    free = [f for f in families if f.kk not in used]
    chosen = rng.sample(free, min(len(free), rng.choice([1, 1, 1, 2, 3])))
    used.update(f.kk for f in chosen)
    return chosen


async def _attend(
    uow: UnitOfWork,
    demo: Demo,
    body: FireIncidentIn,
    at: datetime,
    damaged: list[Family],
    rng: random.Random,
) -> FireIncident:
    """Report, amend, record the damaged houses and close: as Damkar types it afterwards."""
    settings = demo.settings
    incident = await fires.report(uow, DAMKAR, settings, body, at)
    await fires.amend(uow, DAMKAR, settings, incident, _aftermath(body.object_kind, rng), at)
    if damaged:
        items = [
            {
                "kk": family.kk,
                "posyandu_id": family.posyandu_id,
                "damage": rng.choices(list(DAMAGE), list(DAMAGE.values()))[0],
                "members": rng.randint(2, 6),
            }
            for family in damaged
        ]
        houses = DamagedHousesIn.model_validate({"items": items})
        await fires.add_damaged_houses(uow, DAMKAR, settings, incident, houses, at)
    await fires.close(uow, DAMKAR, settings, incident, at)
    return incident


def _aftermath(kind: str, rng: random.Random) -> FireIncidentPatch:
    """Cause, loss, units and crew; casualties now and then."""
    causes = LAND_CAUSES if kind in LAND else BUILDING_CAUSES
    low, high = LOSS[kind]
    values: dict[str, Any] = {
        "cause": rng.choices(list(causes), list(causes.values()))[0],
        "loss_rupiah": int(round(rng.uniform(low, high), -5)),
        "units": rng.randint(1, 4),
        "crew": rng.randint(5, 20),
    }
    if rng.random() < 0.1:
        values["direct_injured"] = rng.randint(1, 2)
    if rng.random() < 0.02:
        values["direct_dead"] = 1
    if kind == "rumah" and rng.random() < 0.3:
        values["affected_trauma"] = rng.randint(1, 6)
    if rng.random() < 0.3:
        values["investigation"] = "Olah TKP bersama Polsek; sumber api diduga dari " + (
            "korsleting listrik." if values["cause"] == "listrik" else "sekitar titik awal."
        )
    return FireIncidentPatch.model_validate(values)


def _count(demo: Demo, incident: FireIncident, households: int) -> None:
    counts = demo.counts
    counts["fires"] += 1
    counts["fires_inside_wmk" if incident.inside_wmk else "fires_outside_wmk"] += 1
    if incident.response_met is None:
        counts["fires_no_arrival"] += 1
    else:
        counts["fires_met" if incident.response_met else "fires_late"] += 1
    counts["fire_damaged_households"] += households
