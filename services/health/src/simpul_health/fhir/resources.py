"""FHIR resources built from the service's rows: pure functions, validated on construction.

Every resource has a stable id derived from the row it comes from (a version 5 UUID of the
resource type, the row's kind and id, and the code), so a posyandu day exported twice gives
the same ids and SATUSEHAT can recognise a resource it has seen. References inside a bundle
are by ``urn:uuid:<id>`` (the bundle entries' ``fullUrl``).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.immunization import Immunization
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from simpul_health.domain.categories import LABELS
from simpul_health.fhir import codes
from simpul_health.fhir.codes import Code
from simpul_health.models import AncVisit, Immunisation, Measurement, Screening, Target

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://simpul.example/fhir")
STUNTED_BELOW_HAZ = -2.0  # Permenkes 2/2020: pendek is −3 SD to < −2 SD, sangat pendek < −3 SD


def resource_id(*parts: str) -> str:
    """A stable UUID for the resource named by ``parts`` (type, row kind, row id, code)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def urn(rid: str) -> str:
    return f"urn:uuid:{rid}"


def patient_id(target_id: str) -> str:
    return resource_id("Patient", target_id)


def _ref(rid: str) -> dict[str, str]:
    return {"reference": urn(rid)}


def patient(target: Target) -> Patient:
    """The person, identified by NIK in SATUSEHAT's identifier system."""
    return Patient.model_validate(
        {
            "id": patient_id(target.id),
            "identifier": [{"use": "official", "system": codes.NIK_SYSTEM, "value": target.nik}],
            "name": [{"use": "official", "text": target.name}],
            "gender": codes.GENDER[target.sex],
            "birthDate": target.birth_date.isoformat(),
        }
    )


def observation(
    kind: str, row_id: str, target_id: str, day: date, code: Code, **value: Any
) -> Observation:
    """A final vital-signs Observation of the patient on ``day``: ``value`` is its
    ``valueQuantity`` or its ``component`` list."""
    return Observation.model_validate(
        {
            "id": resource_id("Observation", kind, row_id, code.code),
            "status": "final",
            "category": [codes.VITAL_SIGNS.concept()],
            "code": code.concept(),
            "subject": _ref(patient_id(target_id)),
            "effectiveDateTime": day.isoformat(),
            **value,
        }
    )


def _quantities(
    kind: str,
    row_id: str,
    target_id: str,
    day: date,
    readings: list[tuple[Code, codes.Unit, float | None]],
) -> list[Observation]:
    """One Observation per reading (code, unit, value) that was taken."""
    return [
        observation(kind, row_id, target_id, day, code, valueQuantity=unit.quantity(value))
        for code, unit, value in readings
        if value is not None
    ]


def blood_pressure(
    kind: str, row_id: str, target_id: str, day: date, systolic: int | None, diastolic: int | None
) -> list[Observation]:
    """The blood pressure panel with its systolic and diastolic components (both or none:
    the service records them as a pair)."""
    if systolic is None or diastolic is None:
        return []
    components = [
        {"code": code.concept(), "valueQuantity": codes.MM_HG.quantity(value)}
        for code, value in ((codes.SYSTOLIC, systolic), (codes.DIASTOLIC, diastolic))
    ]
    return [observation(kind, row_id, target_id, day, codes.BLOOD_PRESSURE, component=components)]


def measurement_observations(m: Measurement) -> list[Observation]:
    """A balita's weighing: weight, length or height (by position), head circumference, MUAC."""
    length_code = codes.LENGTH_OR_HEIGHT.get(m.measure_position or "", codes.BODY_HEIGHT)
    return _quantities(
        "measurement",
        m.id,
        m.target_id,
        m.measured_on,
        [
            (codes.BODY_WEIGHT, codes.KG, m.weight_kg),
            (length_code, codes.CM, m.height_cm),
            (codes.HEAD_CIRCUMFERENCE, codes.CM, m.head_circumference_cm),
            (codes.MUAC, codes.CM, m.muac_cm),
        ],
    )


def screening_observations(s: Screening) -> list[Observation]:
    """An adult's (or remaja's) screening: weight, height (standing) and blood pressure."""
    readings = [
        (codes.BODY_WEIGHT, codes.KG, s.weight_kg),
        (codes.BODY_HEIGHT, codes.CM, s.height_cm),
    ]
    return [
        *_quantities("screening", s.id, s.target_id, s.screened_on, readings),
        *blood_pressure("screening", s.id, s.target_id, s.screened_on, s.systolic, s.diastolic),
    ]


def anc_observations(v: AncVisit, mother_id: str) -> list[Observation]:
    """An ANC visit of the pregnant woman ``mother_id``: weight, LiLA and blood pressure."""
    readings = [(codes.BODY_WEIGHT, codes.KG, v.weight_kg), (codes.MUAC, codes.CM, v.lila_cm)]
    return [
        *_quantities("anc", v.id, mother_id, v.visited_on, readings),
        *blood_pressure("anc", v.id, mother_id, v.visited_on, v.systolic, v.diastolic),
    ]


def immunization(i: Immunisation) -> Immunization:
    """A dose given: the antigen (and its KFA product code when mapped) and the dose number."""
    return Immunization.model_validate(
        {
            "id": resource_id("Immunization", i.id),
            "status": "completed",
            "vaccineCode": codes.antigen_concept(i.antigen),
            "patient": _ref(patient_id(i.target_id)),
            "occurrenceDateTime": i.given_on.isoformat(),
            "protocolApplied": [{"doseNumberPositiveInt": i.dose}],
        }
    )


def is_stunted(m: Measurement) -> bool:
    return m.haz is not None and m.haz < STUNTED_BELOW_HAZ


def stunting_condition(m: Measurement, evidence: Observation | None) -> Condition | None:
    """Stunting found at this measurement (HAZ below −2), with the length/height Observation
    as its evidence and the z-score in a note; None when the child is not stunted."""
    if not is_stunted(m) or m.haz is None:
        return None
    label = LABELS["height_for_age"].get(m.height_for_age or "", "pendek")
    day = m.measured_on.isoformat()
    condition: dict[str, Any] = {
        "id": resource_id("Condition", "measurement", m.id, codes.STUNTING.code),
        "clinicalStatus": codes.ACTIVE.concept(),
        "verificationStatus": codes.CONFIRMED.concept(),
        "category": [codes.PROBLEM_LIST_ITEM.concept()],
        "code": codes.STUNTING.concept(f"Stunting ({label})"),
        "subject": _ref(patient_id(m.target_id)),
        "onsetDateTime": day,
        "recordedDate": day,
        "note": [
            {
                "text": f"HAZ {m.haz:.2f} (WHO Child Growth Standards; Permenkes 2/2020: "
                f"{label}) on {day}"
            }
        ],
    }
    if evidence is not None:
        condition["evidence"] = [{"detail": [_ref(str(evidence.id))]}]
    return Condition.model_validate(condition)


def length_observation(observations: list[Observation]) -> Observation | None:
    """The length or height among a measurement's Observations (the stunting evidence)."""
    wanted = {codes.BODY_HEIGHT.code, codes.BODY_LENGTH_LYING.code}
    for o in observations:
        if o.code.coding and o.code.coding[0].code in wanted:
            return o
    return None
