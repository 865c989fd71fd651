"""Rows the indicator tests insert directly (as the routes that record them would leave them),
so the counts can be checked against hand counts whatever the write routes do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from simpul_platform.events import new_id
from simpul_trantib.models import (
    DesaPoint,
    Disaster,
    FireIncident,
    HazardZone,
    OrderReport,
    RiskOutreach,
)

MOMENT = datetime(2020, 1, 1, tzinfo=UTC)
WHO: dict[str, Any] = {
    "created_by": "t",
    "created_at": MOMENT,
    "updated_by": "t",
    "updated_at": MOMENT,
}


def fire(posyandu: str, desa: str, at: datetime, inside: bool, seconds: int | None) -> FireIncident:
    """A fire reported at ``at``; arrived ``seconds`` later (None: not yet), met when ≤ 900."""
    return FireIncident(
        id=new_id(), posyandu_id=posyandu, desa_code=desa, place="pasar", latitude=-0.42,
        longitude=117.0, status="arrived" if seconds is not None else "reported",
        report_received_at=at, inside_wmk=inside, object_kind="rumah",
        arrived_at=at + timedelta(seconds=seconds) if seconds is not None else None,
        response_seconds=seconds, response_met=None if seconds is None else seconds <= 900, **WHO,
    )  # fmt: skip


def report(
    posyandu: str, desa: str, reported: date, closed: date | None, affected: int | None,
    served: int | None,
) -> OrderReport:  # fmt: skip
    return OrderReport(
        id=new_id(), posyandu_id=posyandu, desa_code=desa, category="keributan", place="pasar",
        occurred_at=MOMENT, reported_on=reported, source="warga",
        status="closed" if closed else "reported", closed_on=closed,
        affected_citizens=affected, citizens_served=served, **WHO,
    )  # fmt: skip


def disaster(on: date, wilayah: str, desa: list[str], needing: int, evacuated: int) -> Disaster:
    return Disaster(
        id=new_id(), kind="banjir", name="banjir", occurred_on=on, wilayah_code=wilayah,
        affected_desa=desa, status="declared", needing_evacuation=needing, evacuated=evacuated,
        **WHO,
    )  # fmt: skip


def outreach(posyandu: str, desa: str, hazard: str, on: date, people: int) -> RiskOutreach:
    return RiskOutreach(
        id=new_id(), posyandu_id=posyandu, desa_code=desa, hazard=hazard, held_on=on,
        method="sosialisasi", people_reached=people, created_by="t", created_at=MOMENT,
    )  # fmt: skip


def zone(desa: str, hazard: str, population: int, year: int) -> HazardZone:
    return HazardZone(
        id=new_id(), desa_code=desa, hazard=hazard, population=population, year=year, **WHO
    )


def point(desa: str, inside: bool) -> DesaPoint:
    return DesaPoint(
        desa_code=desa, latitude=-0.42, longitude=117.0, inside_wmk=inside, updated_by="t",
        updated_at=MOMENT,
    )  # fmt: skip


def wita(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A local (WITA, UTC+8) time as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)
