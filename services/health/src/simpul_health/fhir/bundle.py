"""A posyandu day as one FHIR ``Bundle`` of type collection: the people seen, then their
Observations, Immunizations and Conditions, in a fixed order (so two exports of an unchanged
day differ only in the bundle's own id and timestamp)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from simpul_health.fhir import resources as r
from simpul_health.models import AncVisit, Immunisation, Measurement, Screening, Target


@dataclass
class DayRecords:
    """What a posyandu recorded on one day, and the people it concerns."""

    targets: dict[str, Target] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)
    immunisations: list[Immunisation] = field(default_factory=list)
    screenings: list[Screening] = field(default_factory=list)
    # An ANC visit with the target id of the pregnant woman (the visit row names her pregnancy).
    anc_visits: list[tuple[AncVisit, str]] = field(default_factory=list)


def day_resources(records: DayRecords) -> list[Resource]:
    """Every resource of the day: Patients first, then each kind of record by row id."""
    observations: list[Resource] = []
    conditions: list[Resource] = []
    for m in sorted(records.measurements, key=lambda m: m.id):
        found = r.measurement_observations(m)
        observations.extend(found)
        stunting = r.stunting_condition(m, r.length_observation(found))
        if stunting is not None:
            conditions.append(stunting)
    for s in sorted(records.screenings, key=lambda s: s.id):
        observations.extend(r.screening_observations(s))
    for visit, mother_id in sorted(records.anc_visits, key=lambda v: v[0].id):
        observations.extend(r.anc_observations(visit, mother_id))
    immunizations = [r.immunization(i) for i in sorted(records.immunisations, key=lambda i: i.id)]
    patients = [r.patient(records.targets[t]) for t in sorted(records.targets)]
    return [*patients, *observations, *immunizations, *conditions]


def collection(bundle_id: str, assembled_at: datetime, resources: Sequence[Resource]) -> Bundle:
    """A collection Bundle of ``resources``, each entry's fullUrl its ``urn:uuid``."""
    body: dict[str, Any] = {
        "id": bundle_id,
        "type": "collection",
        "timestamp": assembled_at.isoformat(),
    }
    if resources:  # an empty day is a Bundle with no entry at all (FHIR forbids empty lists)
        body["entry"] = [{"fullUrl": r.urn(str(x.id)), "resource": x} for x in resources]
    return Bundle.model_validate(body)


def patients_in(resources: Sequence[Resource]) -> int:
    return sum(x.get_resource_type() == "Patient" for x in resources)
