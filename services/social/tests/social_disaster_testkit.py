"""Helpers the disaster-protection tests share: trantib as social sees it (its disaster and
fire events through the platform's test peer), struck households, and the cases social holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from social_testkit import RAPAK_LAMBUR, TENGGARONG, Social
from sqlalchemy import func, select

from simpul_platform.clock import local_today
from simpul_platform.consumer import ConsumerRunner
from simpul_platform.events import Envelope, new_id
from simpul_platform.testing.peers import Peer
from simpul_platform.testing.polling import eventually
from simpul_social.consumers import DISASTER_CONSUMER
from simpul_social.events import DisasterAssessed, FireAttended, StruckHousehold
from simpul_social.models import DisasterProtectionCase, DisasterProtectionHistory

CASES = "/v1/disaster-protection"


@dataclass
class Trantib:
    """Trantib as social sees it: its disaster and fire events, with the fields trantib sends
    that social's views do not read."""

    peer: Peer

    async def disaster(
        self,
        disaster_id: str,
        households: list[dict[str, Any]],
        *,
        assessed_on: date,
        kind: str = "banjir",
    ) -> Envelope:
        view = DisasterAssessed(
            disaster_id=disaster_id,
            kind=kind,
            name=f"Banjir Tenggarong {disaster_id[:4]}",
            occurred_on=assessed_on - timedelta(days=2),
            assessed_on=assessed_on,
            households=[StruckHousehold(**h) for h in households],
        )
        extra = {
            "wilayah_code": TENGGARONG,
            "counts": {"displaced": sum(h["displaced"] for h in households)},
            "houses": {"rb": sum(h["damage"] == "rb" for h in households)},
            "facilities": {},
        }
        return await self.peer.send(view, posyandu_id=disaster_id, wilayah=TENGGARONG, extra=extra)

    async def fire(
        self, incident_id: str, desa: str, households: list[dict[str, Any]], occurred_on: date
    ) -> Envelope:
        view = FireAttended(
            incident_id=incident_id,
            posyandu_id=households[0]["posyandu_id"],
            desa_code=desa,
            occurred_on=occurred_on,
            damaged_households=[StruckHousehold(**h) for h in households],
        )
        extra = {
            "object_kind": "rumah",
            "cause": "listrik",
            "response_seconds": 750,
            "response_met": True,
            "inside_wmk": True,
            "casualties": {"direct_injured": 0},
            "loss_rupiah": 25_000_000,
        }
        return await self.peer.send(view, extra=extra)


def struck(
    ref: str, posyandu_id: str, desa: str = RAPAK_LAMBUR, damage: str = "rb"
) -> dict[str, Any]:
    return {
        "household_ref": ref,
        "posyandu_id": posyandu_id,
        "desa_code": desa,
        "damage": damage,
        "displaced": damage in ("rb", "hilang"),
        "members": 4,
    }


async def cases_of(social: Social, count: int | None = None) -> list[DisasterProtectionCase]:
    async with social.app.state.db.sessions() as session:
        query = select(DisasterProtectionCase).order_by(DisasterProtectionCase.created_at)
        found = list((await session.execute(query)).scalars())
    return found if count is None or len(found) == count else []


async def opened_steps(social: Social) -> int:
    async with social.app.state.db.sessions() as session:
        query = select(func.count()).where(DisasterProtectionHistory.action == "open")
        return int((await session.execute(query)).scalar_one())


def runner(social: Social) -> ConsumerRunner:
    runners: list[ConsumerRunner] = social.app.state.runners
    return next(r for r in runners if r.consumer.name == DISASTER_CONSUMER)


async def open_disaster(social: Social, trantib: Trantib, households: list[dict[str, Any]]) -> str:
    """A disaster naming ``households``, once its cases are in social; its id."""
    disaster = new_id()
    await trantib.disaster(disaster, households, assessed_on=local_today(social.settings))
    await eventually(lambda: cases_of(social, len(households)))
    return disaster


async def case_of(social: Social, source_event_id: str, ref: str) -> str:
    """The id of the case of ``ref`` in that disaster or fire."""
    cases = await cases_of(social)
    return next(
        c.id for c in cases if c.source_event_id == source_event_id and c.household_ref == ref
    )
