"""The code systems, codes and units of the FHIR export, as data.

Certainty, code by code (from the code systems themselves and the FHIR R4 vital-signs profile;
none of them looked up in SATUSEHAT's own guide at the time of writing):

- Patient identifier: SATUSEHAT identifies a person by NIK in the system
  ``https://fhir.kemkes.go.id/id/nik`` (SATUSEHAT's Patient guide).
- LOINC 29463-7 body weight, 8302-2 body height, 8306-3 body height lying (a length, for
  children measured recumbent), 9843-4 head occipital-frontal circumference, 85354-9 blood
  pressure panel with 8480-6 systolic and 8462-4 diastolic: the codes of the FHIR R4
  vital-signs profile (certain). Some SATUSEHAT integrations send head circumference as
  8287-5 ("... by tape measure") instead; 9843-4 is the vital-signs profile's.
- Mid upper arm circumference (LiLA): SNOMED CT 284473002 "Mid upper arm circumference"
  (fairly certain; not checked against a SNOMED browser here): SATUSEHAT codes LiLA with
  SNOMED CT rather than LOINC.
- Stunting: ICD-10 E45 "Retarded development following protein-energy malnutrition", whose
  inclusion terms in WHO's ICD-10 are "nutritional short stature" and "nutritional
  stunting" (the code's meaning is certain; that every Kemenkes integration reports stunting
  as E45 is not verified). No SNOMED CT concept is sent: none could be verified here.
- Vaccines: SATUSEHAT expects KFA product codes (``http://sys-ids.kemkes.go.id/kfa``), which
  this service does not hold (it records the antigen, not the product). Each Immunization
  carries the antigen in a local code system; ``KFA_VACCINES`` maps an antigen to a KFA code
  and display when a deployment fills it (empty here: no KFA code is known for certain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
KFA = "http://sys-ids.kemkes.go.id/kfa"
ANTIGEN_SYSTEM = "https://simpul.example/fhir/CodeSystem/antigen"

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


@dataclass(frozen=True)
class Code:
    """One coding: a code in a system, with the system's display."""

    system: str
    code: str
    display: str

    def coding(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}

    def concept(self, text: str | None = None) -> dict[str, Any]:
        """A CodeableConcept of this one coding (and a text, when given)."""
        concept: dict[str, Any] = {"coding": [self.coding()]}
        if text:
            concept["text"] = text
        return concept


@dataclass(frozen=True)
class Unit:
    """A UCUM unit: its code, and the human-readable unit FHIR shows beside it."""

    code: str
    unit: str

    def quantity(self, value: float) -> dict[str, Any]:
        return {"value": value, "unit": self.unit, "system": UCUM, "code": self.code}


KG = Unit("kg", "kg")
CM = Unit("cm", "cm")
MM_HG = Unit("mm[Hg]", "mmHg")

VITAL_SIGNS = Code(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")

BODY_WEIGHT = Code(LOINC, "29463-7", "Body weight")
BODY_HEIGHT = Code(LOINC, "8302-2", "Body height")
BODY_LENGTH_LYING = Code(LOINC, "8306-3", "Body height --lying")
HEAD_CIRCUMFERENCE = Code(LOINC, "9843-4", "Head Occipital-frontal circumference")
MUAC = Code(SNOMED, "284473002", "Mid upper arm circumference")
BLOOD_PRESSURE = Code(LOINC, "85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = Code(LOINC, "8480-6", "Systolic blood pressure")
DIASTOLIC = Code(LOINC, "8462-4", "Diastolic blood pressure")

STUNTING = Code(ICD10, "E45", "Retarded development following protein-energy malnutrition")
PROBLEM_LIST_ITEM = Code(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")
ACTIVE = Code(CONDITION_CLINICAL, "active", "Active")
CONFIRMED = Code(CONDITION_VERIFICATION, "confirmed", "Confirmed")

# The measurement's position names the length/height code: a child measured lying down has a
# length (8306-3), one standing a height (8302-2). Adults (screening) are measured standing.
LENGTH_OR_HEIGHT = {"recumbent": BODY_LENGTH_LYING, "standing": BODY_HEIGHT}

# Patient.gender from the service's sex codes.
GENDER = {"M": "male", "F": "female"}

# The antigens of the national schedule (domain.immunisation) with their Indonesian names.
ANTIGENS: dict[str, str] = {
    "HB0": "Hepatitis B dosis lahir (HB0)",
    "BCG": "BCG",
    "OPV": "Polio tetes (OPV)",
    "IPV": "Polio suntik (IPV)",
    "DPT-HB-Hib": "Pentavalen DPT-HB-Hib",
    "PCV": "Pneumokokus konjugasi (PCV)",
    "RV": "Rotavirus (RV)",
    "MR": "Campak-Rubela (MR)",
}

# Antigen → (KFA code, display), filled by a deployment that knows the products it gives.
KFA_VACCINES: dict[str, tuple[str, str]] = {}


def antigen_concept(antigen: str) -> dict[str, Any]:
    """Immunization.vaccineCode: the antigen in the local system, its KFA code when mapped."""
    name = ANTIGENS.get(antigen, antigen)
    codings = [Code(ANTIGEN_SYSTEM, antigen, name).coding()]
    if antigen in KFA_VACCINES:
        code, display = KFA_VACCINES[antigen]
        codings.append(Code(KFA, code, display).coding())
    return {"coding": codings, "text": name}
