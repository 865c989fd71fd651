"""RLH or RTLH, derived from a survey's fields under each rule set, never typed.

Two rule sets, because Perkim and Dinsos judge by different ones (FIELDS.md §2b):

- **Permen PUPR 29/2018** (rumah layak huni): structural safety (foundation; columns and beams;
  roof frame; roof, wall and floor in a sound condition), the occupants' health (a window for
  light, ventilation, a latrine that is goose-neck into a septic tank or IPAL, a protected
  drinking-water source far enough from the faeces disposal point) and enough floor area per
  person (9 m²).
- **Permensos 20/2017** (Rutilahu): roof or wall damaged or of a rot-prone material; a floor of
  earth, wood or bamboo, or a hard floor that is damaged; no bathroom/latrine (MCK); less
  floor area per person (7.2 m²).

A house is RTLH under a rule set when any of its criteria fails; the codes of the failed ones
are kept with the survey so the judgement can be audited and recomputed. The numeric
thresholds are settings (``Thresholds``); the sets of materials and conditions below are data.
"""

from __future__ import annotations

from dataclasses import dataclass

from simpul_platform.domain import RuleViolation

# Conditions that fail "in a sound condition" (the census's five-step scale).
POOR_CONDITIONS = frozenset({"kurang_layak", "tidak_layak"})
# Sources that are safe only far enough from a faeces disposal point.
GROUND_SOURCES = frozenset(
    {
        "sumur_bor",
        "sumur_terlindung",
        "sumur_tidak_terlindung",
        "mata_air_terlindung",
        "mata_air_tidak_terlindung",
    }
)
UNPROTECTED_SOURCES = frozenset(
    {"sumur_tidak_terlindung", "mata_air_tidak_terlindung", "air_permukaan", "lainnya"}
)
SAFE_TOILETS = frozenset({"leher_angsa"})
SAFE_DISPOSAL = frozenset({"tangki_septik", "ipal"})
ROT_PRONE_ROOFS = frozenset({"ijuk", "jerami", "rumbia", "daun", "bambu"})
ROT_PRONE_WALLS = frozenset({"bambu"})
SOFT_FLOORS = frozenset({"tanah", "kayu", "bambu"})

PUPR_CRITERIA = (
    "pondasi",
    "kolom_balok",
    "rangka_atap",
    "kondisi_atap",
    "kondisi_dinding",
    "kondisi_lantai",
    "pencahayaan",
    "ventilasi",
    "sanitasi",
    "air_minum",
    "jarak_sumber_air",
    "luas_per_orang",
)
RUTILAHU_CRITERIA = ("atap", "dinding", "lantai", "mck", "luas_per_orang")


@dataclass(frozen=True)
class Thresholds:
    pupr_min_m2_per_person: float = 9.0
    rutilahu_min_m2_per_person: float = 7.2
    min_water_to_faeces_m: float = 10.0


@dataclass(frozen=True)
class Survey:
    """The survey fields the classification reads."""

    pondasi: str
    kolom: str
    balok: str
    rangka_atap: str
    atap: str
    atap_condition: str
    dinding: str
    dinding_condition: str
    lantai: str
    lantai_condition: str
    jendela: bool
    ventilasi: bool
    floor_area_m2: float
    occupants: int
    water_source: str
    water_to_faeces_m: float | None
    bathroom: str
    toilet_type: str
    faeces_disposal: str


@dataclass(frozen=True)
class Classification:
    rtlh_pupr: bool
    failed_pupr: list[str]
    rtlh_rutilahu: bool
    failed_rutilahu: list[str]


def check_survey(survey: Survey, field: str = "body") -> None:
    """What the classification needs that a schema cannot say: a distance for a ground
    source, and a latrine type that agrees with having no bathroom."""
    if survey.water_source in GROUND_SOURCES and survey.water_to_faeces_m is None:
        raise RuleViolation(
            f"{field}.water_to_faeces_m",
            "distance_required",
            f"A {survey.water_source} source needs its distance to the faeces disposal point.",
        )
    if survey.bathroom == "tidak_ada" and survey.toilet_type != "tidak_ada":
        raise RuleViolation(
            f"{field}.toilet_type",
            "no_bathroom_no_toilet",
            "A house with no bathroom/latrine has toilet_type tidak_ada.",
        )


def classify(survey: Survey, thresholds: Thresholds) -> Classification:
    """The criteria each rule set fails, in the order the rule set lists them."""
    pupr = [c for c, failed in _pupr(survey, thresholds) if failed]
    rutilahu = [c for c, failed in _rutilahu(survey, thresholds) if failed]
    return Classification(bool(pupr), pupr, bool(rutilahu), rutilahu)


def _pupr(s: Survey, t: Thresholds) -> list[tuple[str, bool]]:
    too_close = (
        s.water_source in GROUND_SOURCES
        and s.water_to_faeces_m is not None
        and s.water_to_faeces_m < t.min_water_to_faeces_m
    )
    latrine = (
        s.bathroom != "tidak_ada"
        and s.toilet_type in SAFE_TOILETS
        and s.faeces_disposal in SAFE_DISPOSAL
    )
    return [
        ("pondasi", s.pondasi == "tidak_ada"),
        ("kolom_balok", s.kolom == "tidak_ada" or s.balok == "tidak_ada"),
        ("rangka_atap", s.rangka_atap == "tidak_ada"),
        ("kondisi_atap", s.atap_condition in POOR_CONDITIONS),
        ("kondisi_dinding", s.dinding_condition in POOR_CONDITIONS),
        ("kondisi_lantai", s.lantai_condition in POOR_CONDITIONS),
        ("pencahayaan", not s.jendela),
        ("ventilasi", not s.ventilasi),
        ("sanitasi", not latrine),
        ("air_minum", s.water_source in UNPROTECTED_SOURCES),
        ("jarak_sumber_air", too_close),
        ("luas_per_orang", below(s.floor_area_m2, s.occupants, t.pupr_min_m2_per_person)),
    ]


def _rutilahu(s: Survey, t: Thresholds) -> list[tuple[str, bool]]:
    soft_or_broken_floor = s.lantai in SOFT_FLOORS or s.lantai_condition in POOR_CONDITIONS
    return [
        ("atap", s.atap in ROT_PRONE_ROOFS or s.atap_condition in POOR_CONDITIONS),
        ("dinding", s.dinding in ROT_PRONE_WALLS or s.dinding_condition in POOR_CONDITIONS),
        ("lantai", soft_or_broken_floor),
        ("mck", s.bathroom == "tidak_ada"),
        ("luas_per_orang", below(s.floor_area_m2, s.occupants, t.rutilahu_min_m2_per_person)),
    ]


def below(floor_area_m2: float, occupants: int, minimum_per_person: float) -> bool:
    """Less floor area per person than the minimum, compared in hundredths of a m² so a
    house exactly at the threshold (64.8 m² for 9 people at 7.2) meets it, whatever binary
    fractions the decimals become."""
    if occupants <= 0:
        return False
    return round(floor_area_m2 * 100) < round(minimum_per_person * 100) * occupants


def m2_per_person(floor_area_m2: float, occupants: int) -> float | None:
    return round(floor_area_m2 / occupants, 2) if occupants > 0 else None
