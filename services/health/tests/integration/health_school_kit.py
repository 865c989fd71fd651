"""What the usia pendidikan dasar tests share: education as a producer stand-in (health's own
views of its events, on the real broker), waiting for the replica of its children, a school
screening's body, and the kept rows compared with a recount."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from health_testkit import Health
from sqlalchemy import select

from simpul_health.events import EducationChildRegistered, EducationChildStatusChanged
from simpul_health.models import SchoolAgeChild, SpmKept
from simpul_health.ops import kept
from simpul_platform.events import Envelope, new_id
from simpul_platform.indicators import Period
from simpul_platform.testing.peers import Peer
from simpul_platform.testing.polling import eventually

CODE = "usia_pendidikan_dasar"


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@dataclass
class Education:
    """Education's relay as health's consumer sees it."""

    peer: Peer

    async def register(
        self,
        posyandu_id: str,
        desa: str,
        person_ref: str,
        birth_year: int,
        *,
        child_id: str | None = None,
        at: datetime | None = None,
    ) -> Envelope:
        view = EducationChildRegistered(
            child_id=child_id or new_id(),
            person_ref=person_ref,
            posyandu_id=posyandu_id,
            desa_code=desa,
            birth_year=birth_year,
            registered_on=date(2026, 3, 2),
        )
        # Everything education's event carries, the fields health does not read too.
        return await self.peer.send(view, occurred_at=at, extra={"household_ref": None})

    async def status(
        self,
        child_id: str,
        posyandu_id: str,
        desa: str,
        person_ref: str,
        birth_month: date,
        on: date,
        *,
        status: str = "sd",
        at: datetime | None = None,
    ) -> Envelope:
        view = EducationChildStatusChanged(
            child_id=child_id,
            person_ref=person_ref,
            posyandu_id=posyandu_id,
            desa_code=desa,
            age_months=months_between(birth_month, on),
            status=status,
            on=on,
        )
        extra = {
            "household_ref": None,
            "jenjang": "sd",
            "kelas": 3,
            "source": "kader_census",
            "previous_status": None,
        }
        return await self.peer.send(view, occurred_at=at, extra=extra)


async def child_row(health: Health, child_id: str) -> SchoolAgeChild | None:
    async with health.app.state.db.sessions() as session:
        return await session.get(SchoolAgeChild, child_id)


async def applied(health: Health, child_id: str, event: Envelope) -> SchoolAgeChild:
    """The child's row once the consumer has applied ``event`` (or a later one)."""

    async def check() -> SchoolAgeChild | None:
        row = await child_row(health, child_id)
        return row if row is not None and row.last_event_id == event.id else None

    return await eventually(check)


def screening_body(target_id: str, on: date, **overrides: Any) -> dict[str, Any]:
    """A to-standard screening of kelas 3 (nutrition, vision, hearing and teeth examined)."""
    return {
        "target_id": target_id,
        "screened_on": on.isoformat(),
        "jenjang": "sd",
        "kelas": 3,
        "school_npsn": "30400123",
        "weight_kg": 24.5,
        "height_cm": 128.0,
        "vision": "normal",
        "hearing": "normal",
        "dental": "caries",
        "findings": ["caries"],
        "follow_up": "referred_to_puskesmas",
        **overrides,
    }


async def kept_rows_match_a_recount(health: Health) -> list[SpmKept]:
    """Every kept usia pendidikan dasar row equals a fresh count from the records."""
    async with health.app.state.db.sessions() as session:
        rows = list((await session.execute(select(SpmKept).where(SpmKept.code == CODE))).scalars())
        for row in rows:
            counted = await kept.count(session, CODE, row.posyandu_id, Period.parse(row.period))
            assert (row.numerator, row.denominator) == counted, row
    return rows


async def spm(health: Health, period: str, **area: str) -> tuple[int, int]:
    response = await health.client.get(
        "/v1/indicators/spm", params={"period": period, **area}, headers=health.dpmd
    )
    assert response.status_code == 200, response.text
    (value,) = [i for i in response.json()["indicators"] if i["code"] == f"health.{CODE}"]
    return value["numerator"], value["denominator"]
