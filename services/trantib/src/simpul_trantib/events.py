"""Events trantib publishes on ``simpul.trantib.v1`` (the platform's ``field_topic("trantib")``;
key = posyandu id, wilayah = desa code, unless a type says otherwise). Households travel as
``household_ref``; a reporter, a NIK, a KK, a name or a household's place never do.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from simpul_platform.events import EventPayload
from simpul_platform.referrals.events import field_topic, published_by

TOPIC = field_topic("trantib")

_POSYANDU = "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44"
_REF = "c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57"


class DamagedHousehold(BaseModel):
    """A household whose house a fire or a disaster damaged, by pseudonym, with the damage
    class (rr / rs / rb / hilang; ``none`` for a disaster household whose house stood)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    household_ref: str
    posyandu_id: str
    desa_code: str
    damage: str
    displaced: bool
    members: int | None


# --- public order ---------------------------------------------------------------------------


class OrderReportOpened(EventPayload):
    """A public-order report was opened: its category and desa only."""

    event_type = "trantib.order_report.opened.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "report_id": "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        "posyandu_id": _POSYANDU,
        "desa_code": "64.02.06.2012",
        "category": "keributan",
        "source": "linmas",
        "reported_on": "2026-03-02",
    }

    report_id: str
    posyandu_id: str
    desa_code: str
    category: str
    source: str
    reported_on: date


class OrderReportClosed(EventPayload):
    """A public-order report was closed: its category, desa, handling and how many affected
    citizens were served."""

    event_type = "trantib.order_report.closed.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "report_id": "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        "posyandu_id": _POSYANDU,
        "desa_code": "64.02.06.2012",
        "category": "keributan",
        "handling": "mediasi",
        "affected_citizens": 12,
        "citizens_served": 12,
        "close_reason": "selesai",
        "closed_on": "2026-03-09",
    }

    report_id: str
    posyandu_id: str
    desa_code: str
    category: str
    handling: str | None
    affected_citizens: int | None
    citizens_served: int | None
    close_reason: str
    closed_on: date


# --- Satlinmas ------------------------------------------------------------------------------


class LinmasStrengthChanged(EventPayload):
    """A desa's Satlinmas changed: its members per squad and the flags (under the minimum
    strength, empty squads). Keyed by the desa code."""

    event_type = "trantib.linmas.strength_changed.v1"
    topic = TOPIC
    key_field = "desa_code"
    example: ClassVar[dict[str, Any]] = {
        "desa_code": "64.02.06.2012",
        "members": 9,
        "by_squad": {
            "peringatan_dini": 2,
            "keamanan": 3,
            "pertolongan_pertama": 2,
            "penyelamatan_evakuasi": 2,
            "dapur_umum": 0,
        },
        "under_strength": True,
        "empty_squads": ["dapur_umum"],
        "on": "2026-03-02",
    }

    desa_code: str
    members: int
    by_squad: dict[str, int]
    under_strength: bool
    empty_squads: list[str]
    on: date


# --- fire -----------------------------------------------------------------------------------


class FireReported(EventPayload):
    """A fire was reported to Damkar: where by desa, the nearest post and whether the place
    is inside its WMK (a household's place does not travel)."""

    event_type = "trantib.fire.reported.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "incident_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "posyandu_id": _POSYANDU,
        "desa_code": "64.02.06.2012",
        "object_kind": "rumah",
        "report_received_at": "2026-03-02T13:05:00+08:00",
        "fire_post_id": "2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f",
        "distance_km": 3.2,
        "inside_wmk": True,
    }

    incident_id: str
    posyandu_id: str
    desa_code: str
    object_kind: str
    report_received_at: datetime
    fire_post_id: str | None
    distance_km: float | None
    inside_wmk: bool


class FireAttended(EventPayload):
    """A fire's record was closed: its times, the response time and whether it met the SPM,
    the WMK, casualties, loss, and the damaged houses' households as pseudonyms."""

    event_type = "trantib.fire.attended.v1"
    topic = TOPIC
    example: ClassVar[dict[str, Any]] = {
        "incident_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "posyandu_id": _POSYANDU,
        "desa_code": "64.02.06.2012",
        "object_kind": "rumah",
        "cause": "listrik",
        "occurred_on": "2026-03-02",
        "report_received_at": "2026-03-02T13:05:00+08:00",
        "arrived_at": "2026-03-02T13:17:30+08:00",
        "extinguished_at": "2026-03-02T14:02:00+08:00",
        "response_seconds": 750,
        "response_met": True,
        "fire_post_id": "2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f",
        "inside_wmk": True,
        "casualties": {"direct_injured": 1, "direct_dead": 0, "affected_trauma": 3},
        "loss_rupiah": 250000000,
        "damaged_households": [
            {
                "household_ref": _REF,
                "posyandu_id": _POSYANDU,
                "desa_code": "64.02.06.2012",
                "damage": "rb",
                "displaced": True,
                "members": 4,
            }
        ],
    }

    incident_id: str
    posyandu_id: str
    desa_code: str
    object_kind: str
    cause: str | None
    occurred_on: date
    report_received_at: datetime
    arrived_at: datetime | None
    extinguished_at: datetime | None
    response_seconds: int | None
    response_met: bool | None
    fire_post_id: str | None
    inside_wmk: bool
    casualties: dict[str, int]
    loss_rupiah: int | None
    damaged_households: list[DamagedHousehold]


# --- disasters (keyed by the disaster; wilayah the smallest area holding its desa) ----------


class DisasterDeclared(EventPayload):
    """A disaster was declared: what struck (BNPB's vocabulary), when, which desa, the status
    SK."""

    event_type = "trantib.disaster.declared.v1"
    topic = TOPIC
    key_field = "disaster_id"
    wilayah_field = "wilayah_code"
    example: ClassVar[dict[str, Any]] = {
        "disaster_id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        "kind": "banjir",
        "name": "Banjir Tenggarong Februari 2026",
        "occurred_on": "2026-02-08",
        "wilayah_code": "64.02.06",
        "affected_desa": ["64.02.06.2012", "64.02.06.2001"],
        "status_sk_number": "360/123/BPBD/2026",
        "status_sk_date": "2026-02-09",
        "emergency_level": "tanggap_darurat",
    }

    disaster_id: str
    kind: str
    name: str
    occurred_on: date
    wilayah_code: str
    affected_desa: list[str]
    status_sk_number: str | None
    status_sk_date: date | None
    emergency_level: str | None


class DisasterAssessed(EventPayload):
    """A disaster's rapid assessment, in whole (``counts``, ``houses``, ``facilities``: the
    latest totals) and, for the households this assessment step recorded, each household as a
    pseudonym with its damage class and whether it was displaced. A large assessment arrives
    in several of these (``households`` holds that part's)."""

    event_type = "trantib.disaster.assessed.v1"
    topic = TOPIC
    key_field = "disaster_id"
    wilayah_field = "wilayah_code"
    example: ClassVar[dict[str, Any]] = {
        "disaster_id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        "kind": "banjir",
        "name": "Banjir Tenggarong Februari 2026",
        "occurred_on": "2026-02-08",
        "wilayah_code": "64.02.06",
        "assessed_on": "2026-02-10",
        "counts": {"dead": 0, "missing": 0, "injured": 3, "displaced": 120, "affected": 850},
        "houses": {"rr": 40, "rs": 12, "rb": 3},
        "facilities": {"pendidikan": 2, "peribadatan": 1},
        "households": [
            {
                "household_ref": _REF,
                "posyandu_id": _POSYANDU,
                "desa_code": "64.02.06.2012",
                "damage": "rs",
                "displaced": True,
                "members": 5,
            }
        ],
    }

    disaster_id: str
    kind: str
    name: str
    occurred_on: date
    wilayah_code: str
    assessed_on: date
    counts: dict[str, int]
    houses: dict[str, int]
    facilities: dict[str, int]
    households: list[DamagedHousehold]


class DisasterStatusChanged(EventPayload):
    """A disaster took a step: evacuation, emergency response, recovery, closed."""

    event_type = "trantib.disaster.status_changed.v1"
    topic = TOPIC
    key_field = "disaster_id"
    wilayah_field = "wilayah_code"
    example: ClassVar[dict[str, Any]] = {
        "disaster_id": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        "kind": "banjir",
        "wilayah_code": "64.02.06",
        "action": "recover",
        "from_status": "emergency_response",
        "to_status": "recovery",
        "on": "2026-02-20",
    }

    disaster_id: str
    kind: str
    wilayah_code: str
    action: str
    from_status: str | None
    to_status: str
    on: date


PUBLISHED: list[type[EventPayload]] = [
    OrderReportOpened,
    OrderReportClosed,
    LinmasStrengthChanged,
    FireReported,
    FireAttended,
    DisasterDeclared,
    DisasterAssessed,
    DisasterStatusChanged,
    *published_by("trantib").all(),  # the referral routes publish them
]
