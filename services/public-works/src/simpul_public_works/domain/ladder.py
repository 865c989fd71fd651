"""A household's drinking water and sanitation on the access ladder Indonesia uses (Bappenas /
SUSENAS, after the JMP: FIELDS.md §3b), and the SPM's basic daily drinking water, derived from
a survey's fields, never typed. Each level comes with the rule that decided it, so a level can be
audited and recomputed; the numbers are settings (``Thresholds``).

Drinking water: ``aman`` (improved, on premises, available 24 hours, E. coli tested negative)
> ``layak_dasar`` (improved, a round trip of at most 30 minutes) > ``layak_terbatas`` (improved,
longer) > ``tidak_layak`` (an unprotected well or spring, or a ground source too near a waste
point) > ``tidak_ada_akses`` (surface water). Bottled or refilled water is judged by the water
the household washes and bathes with.

Sanitation: ``aman`` (an own goose-neck toilet into an IPAL, or into a septic tank emptied within
the last N years) > ``layak_sendiri`` (own goose-neck toilet into a septic tank, an IPAL or SPAL,
or in a desa a pit) > ``layak_bersama`` (the same, shared or at an MCK) > ``belum_layak`` (not
goose-neck, or into a river, pond, field or a kelurahan's pit) > ``babs`` (no toilet, or one not
used: open defecation).

Basic daily drinking water (SPM pekerjaan umum, Permen PUPR 29/2018 Lampiran I): a protected
source, a ground one more than 10 m from a faeces or waste point, at least 60 litres a person a
day, and water that is not cloudy, coloured, tasting or smelling.

A partial survey (housing's survey of a house records the source, its distance to a waste
point and the latrine, but not where the water is fetched, whether it flows all day, how much
is used or how it looks) is judged conservatively: a level is given only when the known facts
prove it, and the rule says what was unknown. An improved source of unknown place and fetch time
is ``layak_terbatas`` (``improved_facts_partial``): improved is proven, a 30-minute round trip
is not, and ``aman`` needs the water on the premises, flowing all day and tested. A ground
source of unknown distance to a waste point, or bottled water whose washing source is unknown,
is ``tidak_layak``: its protection is not proven. The SPM's basic water fails with
``quantity_unknown``, ``quality_unknown``, ``distance_unknown`` or ``washing_source_unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from simpul_platform.domain import RuleViolation
from simpul_public_works.domain.survey import BOTTLED, GROUND, PROTECTED

WaterLevel = Literal["aman", "layak_dasar", "layak_terbatas", "tidak_layak", "tidak_ada_akses"]
SanitationLevel = Literal["aman", "layak_sendiri", "layak_bersama", "belum_layak", "babs"]
WATER_LEVELS: tuple[WaterLevel, ...] = (
    "aman",
    "layak_dasar",
    "layak_terbatas",
    "tidak_layak",
    "tidak_ada_akses",
)
SANITATION_LEVELS: tuple[SanitationLevel, ...] = (
    "aman",
    "layak_sendiri",
    "layak_bersama",
    "belum_layak",
    "babs",
)
SHARED = frozenset({"bersama", "mck_komunal", "mck_umum"})
CONTAINED = frozenset({"ipal", "tangki_septik", "spal"})
OPEN_DISPOSAL = frozenset({"kolam_sawah_sungai_danau_laut", "pantai_tanah_lapang_kebun"})
# What the taste test rules out; foam alone is reported but is not in the SPM's list.
SPM_QUALITY = frozenset({"keruh", "berwarna", "berasa", "berbau"})


@dataclass(frozen=True)
class Thresholds:
    # A ground source must be more than this far from a faeces or waste point (SPM's text).
    min_distance_to_waste_m: float = 10.0
    # A round trip to fetch water of at most this is basic; longer is limited.
    max_fetch_minutes: int = 30
    # The SPM's daily quantity, litres a person (at least).
    min_litres_per_person_day: float = 60.0
    # A septic tank emptied within this many years is safely managed.
    septic_emptying_years: int = 5


@dataclass(frozen=True)
class Survey:
    water_source: str
    washing_source: str | None
    distance_to_waste_m: float | None
    on_premises: bool | None  # None: not known (a partial survey)
    fetch_minutes: int | None
    available_24h: bool | None  # None: not known
    litres_per_person_day: float | None
    quality: list[str] | None  # None: not looked at; [] looked at, none of the faults
    e_coli: str | None
    toilet_facility: str
    toilet_type: str
    faeces_disposal: str
    septic_emptied_on: date | None
    surveyed_on: date
    kelurahan: bool = False  # urban: a pit is not a basic latrine there


@dataclass(frozen=True)
class Ladder:
    water: WaterLevel
    water_rule: str
    sanitation: SanitationLevel
    sanitation_rule: str
    basic_water: bool
    basic_water_rules: list[str] = field(default_factory=list)  # what failed; empty: met
    wastewater_service: str | None = None  # spald_t, spald_s or none


def check_survey(s: Survey, where: str = "body") -> None:
    """What the ladder needs of a complete survey (a kader's) that a schema cannot say; a
    partial one (housing's) is judged as it is, its unknowns held against it."""
    if s.water_source in BOTTLED and s.washing_source is None:
        raise RuleViolation(
            f"{where}.washing_source",
            "washing_source_required",
            "Bottled or refilled drinking water is judged by the washing and bathing source.",
        )
    if s.washing_source in BOTTLED:
        raise RuleViolation(
            f"{where}.washing_source", "washing_source_bottled", "Washing water is not bottled."
        )
    sources = {s.water_source, s.washing_source or s.water_source}
    if sources & GROUND and s.distance_to_waste_m is None:
        raise RuleViolation(
            f"{where}.distance_to_waste_m",
            "distance_required",
            "A well or spring needs its distance to the nearest faeces or waste point.",
        )
    if not s.on_premises and s.fetch_minutes is None:
        raise RuleViolation(
            f"{where}.fetch_minutes",
            "fetch_minutes_required",
            "Water fetched from outside the premises needs its round-trip time.",
        )
    no_toilet = s.toilet_facility in ("tidak_ada",)
    if no_toilet != (s.toilet_type == "tidak_ada"):
        raise RuleViolation(
            f"{where}.toilet_type",
            "toilet_type_mismatch",
            "toilet_type is tidak_ada exactly when there is no toilet facility.",
        )
    if s.septic_emptied_on is not None and s.septic_emptied_on > s.surveyed_on:
        raise RuleViolation(
            f"{where}.septic_emptied_on", "after_survey", "Emptied after the survey date?"
        )


def ladder(s: Survey, t: Thresholds) -> Ladder:
    water, water_rule = _water(s, t)
    sanitation, sanitation_rule = _sanitation(s, t)
    failed = _basic_water(s, t)
    return Ladder(water, water_rule, sanitation, sanitation_rule, not failed, failed, _service(s))


def _judged_source(s: Survey) -> str:
    return s.washing_source if s.water_source in BOTTLED and s.washing_source else s.water_source


def _near_waste(source: str, s: Survey, t: Thresholds) -> bool:
    """A ground source at or within the minimum distance of a waste point."""
    return (
        source in GROUND
        and s.distance_to_waste_m is not None
        and s.distance_to_waste_m <= t.min_distance_to_waste_m
    )


def _washing_unknown(s: Survey) -> bool:
    """Bottled or refilled drinking water, the washing and bathing source not known."""
    return s.water_source in BOTTLED and s.washing_source is None


def _distance_unknown(source: str, s: Survey) -> bool:
    return source in GROUND and s.distance_to_waste_m is None


def _water(s: Survey, t: Thresholds) -> tuple[WaterLevel, str]:
    source = _judged_source(s)
    if source == "air_permukaan":
        return "tidak_ada_akses", "surface_water"
    if _washing_unknown(s):
        return "tidak_layak", "washing_source_unknown"
    if source not in PROTECTED:
        return "tidak_layak", "unprotected_source"
    if _distance_unknown(source, s):
        return "tidak_layak", "ground_source_distance_unknown"
    if _near_waste(source, s, t):
        return "tidak_layak", "ground_source_near_waste"
    if s.on_premises is None and s.fetch_minutes is None:
        return "layak_terbatas", "improved_facts_partial"
    if not s.on_premises and (s.fetch_minutes or 0) > t.max_fetch_minutes:
        return "layak_terbatas", "fetch_over_limit"
    if s.on_premises and s.available_24h and s.e_coli == "negatif":
        return "aman", "on_premises_24h_no_e_coli"
    return "layak_dasar", "improved_within_limit"


def _sanitation(s: Survey, t: Thresholds) -> tuple[SanitationLevel, str]:
    if s.toilet_facility in ("tidak_ada", "ada_tidak_digunakan"):
        return "babs", "no_toilet_used"
    if s.toilet_type != "leher_angsa":
        return "belum_layak", "not_goose_neck"
    if s.faeces_disposal in OPEN_DISPOSAL or s.faeces_disposal == "tidak_tahu":
        return "belum_layak", "discharged_open"
    if s.faeces_disposal == "lubang_tanah" and s.kelurahan:
        return "belum_layak", "urban_pit"
    if s.toilet_facility in SHARED:
        return "layak_bersama", "shared_contained"
    if s.faeces_disposal == "ipal":
        return "aman", "own_to_ipal"
    if s.faeces_disposal == "tangki_septik" and _emptied_recently(s, t):
        return "aman", "septic_emptied_recently"
    return "layak_sendiri", "own_contained"


def _emptied_recently(s: Survey, t: Thresholds) -> bool:
    emptied = s.septic_emptied_on
    if emptied is None:
        return False
    day = s.surveyed_on
    years_back = day.year - t.septic_emptying_years
    limit = day.replace(year=years_back, day=28) if (day.month, day.day) == (2, 29) else None
    return emptied >= (limit or day.replace(year=years_back))


def _basic_water(s: Survey, t: Thresholds) -> list[str]:
    """The SPM's basic daily drinking water: the rules that failed (empty: it is met)."""
    failed: list[str] = []
    source = _judged_source(s)
    if _washing_unknown(s):
        failed.append("washing_source_unknown")
    elif source not in PROTECTED:
        failed.append("unprotected_source")
    elif _distance_unknown(source, s):
        failed.append("distance_unknown")
    elif _near_waste(source, s, t):
        failed.append("near_waste_point")
    if s.litres_per_person_day is None:
        failed.append("quantity_unknown")
    elif s.litres_per_person_day < t.min_litres_per_person_day:
        failed.append("under_60_litres")
    if s.quality is None:
        failed.append("quality_unknown")
    elif SPM_QUALITY & set(s.quality):
        failed.append("quality")
    return failed


def _service(s: Survey) -> str | None:
    """Domestic wastewater service: sewered to a plant (SPALD-T) or treated on site (SPALD-S)."""
    if s.toilet_facility in ("tidak_ada", "ada_tidak_digunakan"):
        return None
    if s.faeces_disposal == "ipal":
        return "spald_t"
    if s.faeces_disposal == "tangki_septik":
        return "spald_s"
    return None


# What a referral about a household asks of its water and sanitation, judged on a survey:
# ``no_safe_water`` is met by water on the layak rungs (aman, dasar or terbatas), ``no_latrine``
# by sanitation on them (aman, sendiri or bersama); a stunted child's household needs both the
# SPM's basic daily water and sanitation on the layak rungs.
WATER_LAYAK = frozenset({"aman", "layak_dasar", "layak_terbatas"})
SANITATION_LAYAK = frozenset({"aman", "layak_sendiri", "layak_bersama"})


def water_layak(level: str) -> bool:
    return level in WATER_LAYAK


def sanitation_layak(level: str) -> bool:
    return level in SANITATION_LAYAK


def wash_served(basic_water: bool, sanitation: str) -> bool:
    """A stunted child's household has the water and sanitation stunting's reaction asks for."""
    return basic_water and sanitation_layak(sanitation)
