"""DPMD's emergencies view, composed: trantib's emergencies with their households, housing's
disaster houses and social's protection cases for the same households (by pseudonym and the
emergency's id as ``source_event_id``), counted per emergency and per desa. Pure: the route
(``views.emergencies``) asks the services.

A damaged household (rr, rs, rb, hilang) is without a habitable house until housing's case
for it is ``completed``; with no case at all it is also ``awaiting_housing_case`` (housing has
not opened one yet). Any affected household is without social protection until social has a
case for it that is ``protected``. A count a service did not answer for is null, never 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, TypeAdapter

from simpul_gateway.upstream import Answer, Status

DAMAGED = frozenset({"rr", "rs", "rb", "hilang"})
HABITABLE_AGAIN = "completed"  # housing's disaster house handled to the end


# --- what the services answer (other keys are ignored) ---------------------------------------


class MissedFire(BaseModel):
    """A fire whose crew arrived after the response time, or not at all once it had passed
    (trantib)."""

    incident_id: str
    posyandu_id: str
    desa_code: str
    object_kind: str = Field(examples=["rumah"])
    fire_post_id: str | None = None
    fire_post_name: str | None = Field(default=None, examples=["Pos Damkar Tenggarong"])
    inside_wmk: bool
    distance_km: float | None = None
    report_received_at: datetime
    arrived_at: datetime | None = Field(default=None, description="null: no arrival recorded")
    response_seconds: int | None = Field(default=None, description="arrival − report received")


class AffectedHousehold(BaseModel):
    household_ref: str
    desa_code: str
    damage: str
    displaced: bool | None = None


class TrantibEmergency(BaseModel):
    kind: Literal["fire", "disaster"]
    id: str
    name: str
    hazard: str
    occurred_on: date
    wilayah_code: str
    households: list[AffectedHousehold]


class TrantibEmergencies(BaseModel):
    wilayah: str
    period: str
    response_minutes: int
    missed_fires: list[MissedFire]
    emergencies: list[TrantibEmergency]


class HousingCase(BaseModel):
    """Housing's disaster house opened from an emergency's damaged household."""

    source_event_id: str
    household_ref: str | None = None
    desa_code: str
    damage: str | None = None
    status: str
    completed_on: date | None = None


class ProtectionCase(BaseModel):
    """Social's disaster protection case of an emergency's household."""

    source_event_id: str
    household_ref: str | None = None
    desa_code: str
    status: str
    protected: bool


HOUSING_CASES = TypeAdapter(list[HousingCase])
PROTECTION_CASES = TypeAdapter(list[ProtectionCase])


# --- what the view answers -------------------------------------------------------------------


class SourceStatus(BaseModel):
    """Whether one service answered its part of the view."""

    status: Status = Field(examples=["ok"])
    detail: str | None = Field(default=None, examples=["housing did not answer in 2.0s"])


class EmergencyCounts(BaseModel):
    households: int = Field(description="affected households in the wilayah")
    damaged: int = Field(description="their houses rusak ringan, sedang, berat or lost")
    without_habitable_house: int | None = Field(
        description="damaged, and housing's case not completed or not opened yet; null when "
        "housing did not answer"
    )
    awaiting_housing_case: int | None = Field(
        description="damaged, and housing has no case for it yet (part of the above)"
    )
    without_social_protection: int | None = Field(
        description="affected, and social has no case or its case is not protected; null "
        "when social did not answer"
    )


class EmergencyDesa(EmergencyCounts):
    desa_code: str


class EmergencyRow(EmergencyCounts):
    kind: Literal["fire", "disaster"]
    id: str = Field(description="trantib's fire incident or disaster id")
    name: str = Field(examples=["Banjir Tenggarong 2026"])
    hazard: str = Field(examples=["banjir"])
    occurred_on: date
    wilayah_code: str
    by_desa: list[EmergencyDesa]


class EmergencyView(BaseModel):
    """Which fires missed the response time, and which victims of each disaster or fire still
    lack a habitable house or social protection, in a wilayah and period."""

    wilayah: str
    period: str
    response_minutes: int | None = Field(
        description="trantib's response time; null unless it answered"
    )
    complete: bool = Field(description="false when trantib, housing or social did not answer")
    trantib: SourceStatus
    housing: SourceStatus
    social: SourceStatus
    totals: EmergencyCounts = Field(description="over the emergencies listed")
    missed_fires: list[MissedFire] = Field(description="earliest reported first")
    emergencies: list[EmergencyRow] = Field(description="earliest first")


# --- composing -------------------------------------------------------------------------------

Key = tuple[str, str]  # (source_event_id, household_ref)
C = TypeVar("C", HousingCase, ProtectionCase)


def source(answer: Answer) -> SourceStatus:
    return SourceStatus(status=answer.status, detail=answer.detail)


def asked_ids(trantib: Answer) -> list[str]:
    """The emergencies housing and social are asked about: those with households."""
    if not trantib.ok:
        return []
    found: TrantibEmergencies = trantib.data
    return [e.id for e in found.emergencies if e.households]


def compose(
    wilayah: str, period: str, trantib: Answer, housing: Answer, social: Answer
) -> EmergencyView:
    found: TrantibEmergencies | None = trantib.data if trantib.ok else None
    houses = _by_household(housing.data) if housing.ok else None
    protection = _by_household(social.data) if social.ok else None
    rows = [_row(e, houses, protection) for e in (found.emergencies if found else [])]
    return EmergencyView(
        wilayah=wilayah,
        period=period,
        response_minutes=found.response_minutes if found else None,
        complete=all(a.status is Status.OK for a in (trantib, housing, social)),
        trantib=source(trantib),
        housing=source(housing),
        social=source(social),
        totals=_sum(rows, houses is not None, protection is not None),
        missed_fires=found.missed_fires if found else [],
        emergencies=rows,
    )


def _by_household(cases: Iterable[C]) -> dict[Key, list[C]]:
    keyed: dict[Key, list[C]] = defaultdict(list)
    for case in cases:
        if case.household_ref is not None:  # a case no household names cannot be matched
            keyed[(case.source_event_id, case.household_ref)].append(case)
    return keyed


def _counts(
    emergency_id: str,
    households: list[AffectedHousehold],
    houses: Mapping[Key, list[HousingCase]] | None,
    protection: Mapping[Key, list[ProtectionCase]] | None,
) -> EmergencyCounts:
    damaged = [h for h in households if h.damage in DAMAGED]
    without = awaiting = unprotected = None
    if houses is not None:
        cases = [houses.get((emergency_id, h.household_ref), []) for h in damaged]
        awaiting = sum(1 for c in cases if not c)
        without = sum(1 for c in cases if not any(x.status == HABITABLE_AGAIN for x in c))
    if protection is not None:
        unprotected = sum(
            1
            for h in households
            if not any(x.protected for x in protection.get((emergency_id, h.household_ref), []))
        )
    return EmergencyCounts(
        households=len(households),
        damaged=len(damaged),
        without_habitable_house=without,
        awaiting_housing_case=awaiting,
        without_social_protection=unprotected,
    )


def _row(
    emergency: TrantibEmergency,
    houses: Mapping[Key, list[HousingCase]] | None,
    protection: Mapping[Key, list[ProtectionCase]] | None,
) -> EmergencyRow:
    per_desa: dict[str, list[AffectedHousehold]] = defaultdict(list)
    for household in emergency.households:
        per_desa[household.desa_code].append(household)
    by_desa = [
        EmergencyDesa(
            desa_code=desa,
            **_counts(emergency.id, per_desa[desa], houses, protection).model_dump(),
        )
        for desa in sorted(per_desa)
    ]
    whole = _counts(emergency.id, emergency.households, houses, protection)
    return EmergencyRow(
        kind=emergency.kind,
        id=emergency.id,
        name=emergency.name,
        hazard=emergency.hazard,
        occurred_on=emergency.occurred_on,
        wilayah_code=emergency.wilayah_code,
        by_desa=by_desa,
        **whole.model_dump(),
    )


def _sum(rows: list[EmergencyRow], housing: bool, social: bool) -> EmergencyCounts:
    def total(name: str) -> int:
        return sum(getattr(row, name) for row in rows)

    return EmergencyCounts(
        households=total("households"),
        damaged=total("damaged"),
        without_habitable_house=total("without_habitable_house") if housing else None,
        awaiting_housing_case=total("awaiting_housing_case") if housing else None,
        without_social_protection=total("without_social_protection") if social else None,
    )
