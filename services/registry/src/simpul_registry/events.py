"""Events the registry publishes on ``simpul.registry.v1``. Key = posyandu id.

Every posyandu event carries the posyandu's current identity (id, name, desa code, status,
fields, registration number, version) so a replica can be rebuilt from any one of them.
People travel only as ``person_ref`` (keyed pseudonym of the NIK): no NIK, no names.
"""

from __future__ import annotations

from datetime import date

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


PUBLISHED: list[type[EventPayload]] = [
    PosyanduRegistered, PosyanduUpdated, PosyanduStatusChanged, PosyanduDeactivated,
    PosyanduFieldsChanged, KaderAssigned, KaderReleased,
]
