"""Demo infrastructure: for a share of the posyandu, public facilities and village
infrastructure issues in every state — reported (one overdue), triaged, forwarded, scheduled,
done, declined, a duplicate of an open issue nearby, a facility put out of order by an open
issue and one repaired by a done one — written through the service's own operations, one
transaction per posyandu. A posyandu that has issues already is left as it is, so a second
run adds nothing.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import replica, tallies
from simpul_platform.auth import Principal
from simpul_platform.db import Database
from simpul_platform.geo import distance_m
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_public_works.models import (
    InfrastructureIssue,
    PublicFacility,
    PublicFacilityHistory,
)
from simpul_public_works.ops import issues_steps as steps
from simpul_public_works.ops.facilities import record_facility
from simpul_public_works.ops.issues import report
from simpul_public_works.schemas.facilities import FacilityIn
from simpul_public_works.schemas.issues import (
    CompleteIn,
    DeclineIn,
    ForwardIn,
    IssueIn,
    ScheduleIn,
    TriageIn,
)
from simpul_public_works.settings import PublicWorksSettings

SHARE = 0.4  # of the posyandu get facilities and issues (at least one posyandu does)
# Kutai Kartanegara's middle: a posyandu without coordinates in the replica is placed near it.
KUKAR = (-0.42, 116.99)
M = 0.000009  # ≈ 1 m of latitude in degrees


async def seed_infrastructure(
    db: Database,
    settings: PublicWorksSettings,
    posyandu: Sequence[Mapping[str, Any]],
    principal: Principal,
    today: date,
    rng: random.Random,
) -> Counter[str]:
    """Facilities and issues at a share of ``posyandu`` (replica rows with ``id`` and
    ``desa_code``); counts by kind and state."""
    chosen = [p for p in posyandu if rng.random() < SHARE] or list(posyandu[:1])
    counts: Counter[str] = Counter()
    outbox = Outbox(settings)
    centres: dict[str, list[tuple[float, float]]] = defaultdict(list)  # by desa
    for row in chosen:
        async with db.sessions() as session:
            taken = select(InfrastructureIssue.id).where(
                InfrastructureIssue.posyandu_id == str(row["id"])
            )
            if (await session.exec(taken)).first() is not None:
                continue
            uow = UnitOfWork(session, outbox)
            place = _centre(row, rng, centres[str(row["desa_code"])], settings)
            async with replica.cached(session), tallies.deferred(session):  # once, not per record
                await _posyandu(_Desa(uow, settings, principal, str(row["id"]), place, today, rng))
            await _count(session, str(row["id"]), counts)
            await uow.commit()
    return counts


@dataclass
class _Desa:
    """One posyandu's demo writes: its unit of work, place and dates."""

    uow: UnitOfWork
    settings: PublicWorksSettings
    principal: Principal
    posyandu_id: str
    place: tuple[float, float]
    today: date
    rng: random.Random

    def at(self, north_m: float, east_m: float) -> dict[str, float]:
        return {"latitude": self.place[0] + north_m * M, "longitude": self.place[1] + east_m * M}

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    async def facility(self, kind: str, name: str, where: dict[str, float], served: int) -> str:
        body = FacilityIn.model_validate(
            {
                "posyandu_id": self.posyandu_id,
                "kind": kind,
                "name": name,
                "households_served": served,
                "built_year": self.today.year - self.rng.randint(2, 15),
                "recorded_on": self.ago(150),
                **where,
            }
        )
        return (await record_facility(self.uow, self.principal, body, self.today)).id

    async def issue(
        self, kind: str, severity: str, where: dict[str, float], days: int, **extra: Any
    ) -> InfrastructureIssue:
        body = IssueIn.model_validate(
            {
                "posyandu_id": self.posyandu_id,
                "kind": kind,
                "severity": severity,
                "reported_on": self.ago(days),
                **where,
                **extra,
            }
        )
        made, _ = await report(self.uow, self.principal, self.settings, body, self.today)
        return made

    async def triage(self, issue: InfrastructureIssue, handled_by: str, days: int) -> None:
        body = TriageIn.model_validate({"handled_by": handled_by, "triaged_on": self.ago(days)})
        await steps.triage(self.uow, self.principal, issue, body, self.today)

    async def forward(self, issue: InfrastructureIssue, days: int) -> None:
        body = ForwardIn(forwarded_on=self.ago(days))
        await steps.forward(self.uow, self.principal, issue, body, self.today)

    async def schedule(self, issue: InfrastructureIssue, days: int, source: str) -> None:
        on = self.ago(days)
        body = ScheduleIn.model_validate(
            {"budget_year": on.year, "funding_source": source, "scheduled_on": on}
        )
        await steps.schedule(self.uow, self.principal, issue, body, self.today)


async def _posyandu(desa: _Desa) -> None:
    """Three facilities and eight issues: one in each state, a duplicate, a facility out of
    order (the SPAM unit) and one repaired (the communal MCK)."""
    rng, at, ago = desa.rng, desa.at, desa.ago
    await desa.facility("kran_umum", "Kran umum RT 02", at(120, -80), rng.randint(10, 40))
    spam = await desa.facility("spam", "SPAM desa unit 1", at(-300, 250), rng.randint(60, 200))
    mck = await desa.facility("mck_komunal", "MCK komunal RT 05", at(400, 300), rng.randint(8, 25))

    await desa.issue("jalan_desa", "sedang", at(0, 0), 40)  # reported, overdue
    await desa.issue("jalan_desa", "ringan", at(30, 20), 5)  # its duplicate, 36 m away
    drain = await desa.issue("drainase", "sedang", at(-150, -200), 30)
    await desa.triage(drain, "apbdes", 25)
    bridge = await desa.issue("jembatan", "berat", at(600, -500), 70)
    await desa.triage(bridge, "kabupaten", 65)
    await desa.forward(bridge, 60)
    water = await desa.issue("spam_air", "berat", at(-300, 255), 20, facility_id=spam)
    await desa.triage(water, "kabupaten", 18)  # the SPAM unit stays rusak
    pond = await desa.issue("embung", "sedang", at(-700, 650), 90)
    await desa.triage(pond, "kabupaten", 85)
    await desa.forward(pond, 80)
    await desa.schedule(pond, 50, "apbd_kabupaten")
    toilet = await desa.issue("sanitasi_mck", "berat", at(400, 305), 120, facility_id=mck)
    await desa.triage(toilet, "apbdes", 115)
    await desa.schedule(toilet, 100, "apbdes")
    done = CompleteIn(done_on=ago(45))  # the communal MCK works again
    await steps.complete(desa.uow, desa.principal, desa.settings, toilet, done, desa.today)
    well = await desa.issue("sumur", "ringan", at(-500, -600), 35)
    declined = DeclineIn(reason="already_repaired", declined_on=ago(28))
    await steps.decline(desa.uow, desa.principal, desa.settings, well, declined, desa.today)


async def _count(session: AsyncSession, posyandu_id: str, counts: Counter[str]) -> None:
    await session.flush()
    made = select(InfrastructureIssue).where(InfrastructureIssue.posyandu_id == posyandu_id)
    for issue in (await session.exec(made)).all():
        counts.update(["issues", f"issue_{issue.kind}", f"issue_{issue.status}"])
        if issue.duplicate_of is not None:
            counts["issue_duplicates"] += 1
    places = select(PublicFacility).where(PublicFacility.posyandu_id == posyandu_id)
    for place in (await session.exec(places)).all():
        counts.update(["facilities", f"facility_{place.kind}", f"facility_{place.status}"])
    repairs = select(PublicFacilityHistory.id).where(
        PublicFacilityHistory.action == "repair",
        col(PublicFacilityHistory.facility_id).in_(
            select(PublicFacility.id).where(PublicFacility.posyandu_id == posyandu_id)
        ),
    )
    counts["facilities_repaired"] += len((await session.exec(repairs)).all())


def _centre(
    row: Mapping[str, Any],
    rng: random.Random,
    taken: list[tuple[float, float]],
    settings: PublicWorksSettings,
) -> tuple[float, float]:
    """The posyandu's own place when the replica has one, else a point near Kukar's middle
    farther than the duplicate radius from the other posyandu of its desa placed so far
    (``taken``, to which it is added): every posyandu gets the same issues at the same offsets
    from its point, and two points that close would make one's reports duplicates of the
    other's, refused their next steps."""
    latitude, longitude = row.get("latitude"), row.get("longitude")
    if isinstance(latitude, float) and isinstance(longitude, float):
        return latitude, longitude
    while True:
        place = KUKAR[0] + rng.uniform(-0.3, 0.3), KUKAR[1] + rng.uniform(-0.3, 0.3)
        radius = settings.issue_duplicate_radius_m
        if all(distance_m(*place, *other) > radius for other in taken):
            taken.append(place)
            return place
