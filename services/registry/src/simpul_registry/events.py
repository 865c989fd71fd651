"""Events the registry publishes on ``simpul.registry.v1``. Key = posyandu id.

Every posyandu event carries the posyandu's current identity (id, name, desa code, status,
fields, registration number, version) so a replica can be rebuilt from any one of them.
People travel only as ``person_ref`` (keyed pseudonym of the NIK): no NIK, no names.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from simpul_platform.events import EventPayload

TOPIC = "simpul.registry.v1"
_POSYANDU = {  # the identity every posyandu event carries, for the catalogue's examples
    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
    "name": "Posyandu Mawar",
    "desa_code": "64.02.06.2012",
    "status": "registered",
    "fields": ["health", "social"],
    "registration_number": "64.02.06.2012.001",
    "version": 4,
}


class PosyanduSnapshot(EventPayload):
    topic = TOPIC

    posyandu_id: str
    name: str
    desa_code: str
    status: str
    fields: list[str]
    registration_number: str | None = None
    version: int


class PosyanduRegistered(PosyanduSnapshot):
    """A posyandu entered the registry (as a draft, or by import)."""

    event_type = "registry.posyandu.registered.v1"
    example = _POSYANDU | {"status": "draft", "registration_number": None, "version": 1}


class PosyanduUpdated(PosyanduSnapshot):
    """Name, desa, address or coordinates changed."""

    event_type = "registry.posyandu.updated.v1"
    example = _POSYANDU | {"changed": ["name"]}

    changed: list[str]


class PosyanduStatusChanged(PosyanduSnapshot):
    """A lifecycle transition (submit, verify, return, register, deactivate, reactivate)."""

    event_type = "registry.posyandu.status_changed.v1"
    example = _POSYANDU | {
        "action": "register",
        "from_status": "verified",
        "to_status": "registered",
    }

    action: str
    from_status: str
    to_status: str


class PosyanduDeactivated(PosyanduSnapshot):
    """The posyandu stopped operating (published beside its status change)."""

    event_type = "registry.posyandu.deactivated.v1"
    example = _POSYANDU | {"status": "inactive", "version": 5}


class PosyanduFieldsChanged(PosyanduSnapshot):
    """The set of SPM fields the posyandu runs changed."""

    event_type = "registry.posyandu.fields_changed.v1"
    example = _POSYANDU | {"added": ["social"], "removed": []}

    added: list[str]
    removed: list[str]


class KaderEvent(EventPayload):
    """A person's role at a posyandu. No desa code on the wire: the publisher names the
    posyandu's as the envelope's wilayah."""

    topic = TOPIC
    wilayah_field = None

    posyandu_id: str
    person_ref: str
    role: str
    field: str | None


class KaderAssigned(KaderEvent):
    """A kader or pengurus took up a role at a posyandu."""

    event_type = "registry.kader.assigned.v1"

    start_date: date


class KaderReleased(KaderEvent):
    """A kader or pengurus left a role at a posyandu."""

    event_type = "registry.kader.released.v1"

    end_date: date


_KADER = {  # a kader as activity events name them
    "posyandu_id": _POSYANDU["posyandu_id"], "field": "health",
    "person_ref": "5d0c9a8e7f7b4e0f2a61c3b8d94e1f7a6b2c0d3e4f5a69788796a5b4c3d2e1f0",
}


class PosyanduDayHeld(EventPayload):
    """A posyandu day's record says it was held: the fields served, how many kader came."""

    topic = TOPIC
    event_type = "registry.posyandu_day.held.v1"
    example = {"posyandu_id": _POSYANDU["posyandu_id"]} | {
        "desa_code": "64.02.06.2012", "day": "2026-03-10", "fields": ["health", "education"],
        "kader_present": 9, "serentak": True}

    posyandu_id: str
    desa_code: str
    day: date
    fields: list[str]
    kader_present: int
    serentak: bool


class KaderActivityEvent(EventPayload):
    """A kader's attendance state changed (``kader_inactive_months`` without a present day).
    No desa code on the wire: the publisher names the posyandu's as the envelope's wilayah."""

    topic = TOPIC
    wilayah_field = None

    posyandu_id: str
    person_ref: str
    field: str | None
    last_present_on: date | None


class KaderInactive(KaderActivityEvent):
    """A kader went ``kader_inactive_months`` without attending: flagged, never removed."""

    event_type = "registry.kader.inactive.v1"
    example = _KADER | {"last_present_on": "2026-01-15", "inactive_since": "2026-04-15"}

    inactive_since: date


class KaderActiveAgain(KaderActivityEvent):
    """A kader flagged inactive attended again."""

    event_type = "registry.kader.active_again.v1"
    example = _KADER | {"last_present_on": "2026-05-12"}


class IncentiveRosterApproved(EventPayload):
    """DPMD approved a kabupaten's kader incentive roster for a month: counts and the total
    only (who is on it stays in the registry)."""

    topic = TOPIC
    event_type = "registry.incentive_roster.approved.v1"
    key_field = None
    wilayah_field = "kabupaten_code"
    example: ClassVar[dict[str, Any] | None] = {
        "roster_id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "kabupaten_code": "64.02",
        "month": "2026-05", "included": 5210,
        "excluded": {"inactive": 120, "too_few_days": 310}, "total_amount": 1302500000,
    }

    roster_id: str
    kabupaten_code: str
    month: str
    included: int
    excluded: dict[str, int]
    total_amount: int


PUBLISHED: list[type[EventPayload]] = [
    PosyanduRegistered, PosyanduUpdated, PosyanduStatusChanged, PosyanduDeactivated,
    PosyanduFieldsChanged, KaderAssigned, KaderReleased,
    PosyanduDayHeld, KaderInactive, KaderActiveAgain, IncentiveRosterApproved,
]
