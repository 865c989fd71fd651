"""The FHIR builders on hand-made rows: codes, units, references and resource shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from simpul_health.fhir import codes
from simpul_health.fhir import resources as r
from simpul_health.fhir.bundle import DayRecords, collection, day_resources, patients_in
from simpul_health.models import AncVisit, Immunisation, Measurement, Screening, Target

pytestmark = pytest.mark.unit

DAY = date(2025, 8, 5)
NOW = datetime(2025, 8, 5, 9, 0, tzinfo=UTC)


def target(tid: str = "t-1", sex: str = "M", nik: str = "6402060508230001") -> Target:
    return Target(
        id=tid,
        nik=nik,
        name="Budi",
        sex=sex,
        birth_date=date(2023, 8, 5),
        posyandu_id="p",
        desa_code="64.02.06.2012",
        kecamatan_code="64.02.06",
        kabupaten_code="64.02",
        person_ref="ref",
        created_by="t",
        created_at=NOW,
        updated_by="t",
        updated_at=NOW,
    )


def measurement(mid: str = "m-1", **values: Any) -> Measurement:
    row: dict[str, Any] = {
        "id": mid,
        "target_id": "t-1",
        "posyandu_id": "p",
        "desa_code": "64.02.06.2012",
        "kecamatan_code": "64.02.06",
        "kabupaten_code": "64.02",
        "measured_on": DAY,
        "age_days": 731,
        "sex": "M",
        "weight_kg": 11.0,
        "created_by": "t",
        "created_at": NOW,
    }
    return Measurement(**{**row, **values})


def codings(resource: Any) -> list[tuple[str, str]]:
    return [(c.system, c.code) for c in resource.code.coding]


def test_a_patient_carries_the_nik_in_satusehat_s_system_and_fhir_gender() -> None:
    p = r.patient(target(sex="F"))
    assert p.identifier[0].system == "https://fhir.kemkes.go.id/id/nik"
    assert p.identifier[0].value == "6402060508230001"
    assert (p.gender, p.birthDate, p.name[0].text) == ("female", date(2023, 8, 5), "Budi")
    assert r.patient(target(sex="M")).gender == "male"
    assert p.id == r.patient_id("t-1") == r.patient(target(sex="F")).id  # stable


@pytest.mark.parametrize(
    ("position", "code"), [("recumbent", "8306-3"), ("standing", "8302-2"), (None, "8302-2")]
)
def test_length_or_height_is_coded_by_the_measuring_position(
    position: str | None, code: str
) -> None:
    found = r.measurement_observations(measurement(height_cm=80.0, measure_position=position))
    assert [codings(o)[0] for o in found] == [
        ("http://loinc.org", "29463-7"),
        ("http://loinc.org", code),
    ]
    weight, length = found
    assert (weight.valueQuantity.value, weight.valueQuantity.code) == (11.0, "kg")
    assert (length.valueQuantity.value, length.valueQuantity.code) == (80.0, "cm")
    assert {o.valueQuantity.system for o in found} == {"http://unitsofmeasure.org"}


def test_a_weighing_s_observations_are_final_vital_signs_of_the_child_on_the_day() -> None:
    found = r.measurement_observations(
        measurement(height_cm=80.0, head_circumference_cm=47.5, muac_cm=14.1)
    )
    assert [codings(o)[0] for o in found] == [
        (codes.LOINC, "29463-7"),
        (codes.LOINC, "8302-2"),
        (codes.LOINC, "9843-4"),
        ("http://snomed.info/sct", "284473002"),
    ]
    for o in found:
        assert o.status == "final"
        assert o.category[0].coding[0].code == "vital-signs"
        assert o.subject.reference == f"urn:uuid:{r.patient_id('t-1')}"
        assert o.effectiveDateTime == DAY
    assert len({o.id for o in found}) == 4  # one id per row and code
    again = r.measurement_observations(
        measurement(height_cm=80.0, head_circumference_cm=47.5, muac_cm=14.1)
    )
    assert [o.id for o in again] == [o.id for o in found]


def test_blood_pressure_is_a_panel_with_systolic_and_diastolic_components_in_mm_hg() -> None:
    [bp] = r.blood_pressure("screening", "s-1", "t-1", DAY, 150, 95)
    assert codings(bp) == [(codes.LOINC, "85354-9")]
    assert bp.valueQuantity is None
    assert [
        (c.code.coding[0].code, c.valueQuantity.value, c.valueQuantity.code, c.valueQuantity.unit)
        for c in bp.component
    ] == [("8480-6", 150, "mm[Hg]", "mmHg"), ("8462-4", 95, "mm[Hg]", "mmHg")]
    assert r.blood_pressure("screening", "s-1", "t-1", DAY, None, None) == []


def test_screening_and_anc_give_weight_height_lila_and_blood_pressure() -> None:
    screening = Screening(
        id="s-1", target_id="t-2", screened_on=DAY, weight_kg=70.0, height_cm=158.0,
        systolic=150, diastolic=95,
    )  # fmt: skip
    assert [codings(o)[0][1] for o in r.screening_observations(screening)] == [
        "29463-7",
        "8302-2",
        "85354-9",
    ]
    visit = AncVisit(id="a-1", pregnancy_id="preg", visit_number=2, visited_on=DAY,
                     lila_cm=23.0, systolic=120, diastolic=80)  # fmt: skip
    found = r.anc_observations(visit, "mother")
    assert [codings(o)[0][1] for o in found] == ["284473002", "85354-9"]
    assert {o.subject.reference for o in found} == {f"urn:uuid:{r.patient_id('mother')}"}


def test_an_immunisation_is_completed_with_its_antigen_and_dose_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dose = Immunisation(id="i-1", target_id="t-1", antigen="DPT-HB-Hib", dose=2, given_on=DAY)
    imm = r.immunization(dose)
    assert (imm.status, imm.occurrenceDateTime, imm.protocolApplied[0].doseNumberPositiveInt) == (
        "completed",
        DAY,
        2,
    )
    assert [(c.system, c.code) for c in imm.vaccineCode.coding] == [
        ("https://simpul.example/fhir/CodeSystem/antigen", "DPT-HB-Hib")
    ]
    assert imm.vaccineCode.text == "Pentavalen DPT-HB-Hib"
    assert imm.patient.reference == f"urn:uuid:{r.patient_id('t-1')}"
    # A deployment that maps the antigen to its KFA product sends that coding too.
    monkeypatch.setitem(codes.KFA_VACCINES, "DPT-HB-Hib", ("00000000", "Some product"))
    mapped = r.immunization(dose).vaccineCode.coding
    assert [(c.system, c.code) for c in mapped][1] == (
        "http://sys-ids.kemkes.go.id/kfa",
        "00000000",
    )
    # An antigen outside the national schedule keeps its own code as text.
    other = r.immunization(
        Immunisation(id="i-2", target_id="t-1", antigen="JE", dose=1, given_on=DAY)
    )
    assert other.vaccineCode.text == "JE"


@pytest.mark.parametrize(
    ("haz", "category", "stunted"),
    [(-2.33, "stunted", True), (-3.4, "severely_stunted", True), (-2.0, "normal", False),
     (None, None, False)],
)  # fmt: skip
def test_stunting_is_a_condition_below_minus_two_haz(
    haz: float | None, category: str | None, stunted: bool
) -> None:
    m = measurement(height_cm=80.0, measure_position="standing", haz=haz, height_for_age=category)
    evidence = r.length_observation(r.measurement_observations(m))
    condition = r.stunting_condition(m, evidence)
    assert (condition is not None) is stunted
    if condition is None:
        return
    assert codings(condition) == [("http://hl7.org/fhir/sid/icd-10", "E45")]
    assert condition.clinicalStatus.coding[0].code == "active"
    assert condition.verificationStatus.coding[0].code == "confirmed"
    assert condition.onsetDateTime == DAY
    assert condition.subject.reference == f"urn:uuid:{r.patient_id('t-1')}"
    assert evidence is not None
    assert condition.evidence[0].detail[0].reference == f"urn:uuid:{evidence.id}"
    assert f"HAZ {haz:.2f}" in condition.note[0].text
    label = "sangat pendek" if category == "severely_stunted" else "pendek"
    assert condition.code.text == f"Stunting ({label})"


def test_a_day_bundle_is_a_collection_whose_references_resolve_and_round_trips() -> None:
    records = DayRecords(
        targets={"t-1": target()},
        measurements=[measurement(height_cm=80.0, measure_position="standing", haz=-2.33)],
        immunisations=[Immunisation(id="i-1", target_id="t-1", antigen="MR", dose=1, given_on=DAY)],
    )
    resources = day_resources(records)
    assert [x.get_resource_type() for x in resources] == [
        "Patient", "Observation", "Observation", "Immunization", "Condition",
    ]  # fmt: skip
    assert patients_in(resources) == 1
    bundle = collection("b-1", NOW, resources)
    body = bundle.model_dump_json()
    parsed = Bundle.model_validate_json(body)
    assert parsed == Bundle.model_validate_json(parsed.model_dump_json())
    assert parsed.type == "collection"
    urls = {e.fullUrl for e in parsed.entry}
    assert urls == {f"urn:uuid:{x.id}" for x in resources}
    assert '"reference":"urn:uuid:' in body
    for ref in _references(bundle.model_dump(mode="json")):
        assert ref in urls


def test_an_empty_day_is_a_collection_without_entries() -> None:
    bundle = collection("b-2", NOW, day_resources(DayRecords()))
    parsed = Bundle.model_validate_json(bundle.model_dump_json())
    assert parsed.type == "collection" and parsed.entry is None


def _references(node: Any) -> list[str]:
    """Every ``reference`` in a JSON tree."""
    if isinstance(node, dict):
        own = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return own + [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _references(item)]
    return []
