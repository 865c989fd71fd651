"""Ibu hamil: ANC visits, chronic energy deficiency (KEK), anaemia and other risk flags.

Sources: LiLA < 23.5 cm = KEK risk (Kemenkes, Buku KIA; DOMAIN.md); anaemia in pregnancy
Hb < 11 g/dL (WHO 2011, Haemoglobin concentrations for the diagnosis of anaemia);
hypertension in pregnancy ≥ 140/90 mmHg; maternal age < 20 or > 35 years ("4 terlalu" in
Buku KIA). ANC to standard: at least 6 visits, K1…K6 (Permenkes 21/2021; Permenkes 4/2019
counted K4) — the minimum is configurable.
"""

from __future__ import annotations

from dataclasses import dataclass

from simpul_health.domain.indicators import SPM

KEK_LILA_CM = 23.5
ANAEMIA_HB_G_DL = 11.0
HYPERTENSION_SYSTOLIC = 140
HYPERTENSION_DIASTOLIC = 90
AGE_RISK = (20, 35)
ANC_STANDARD_VISITS = int(SPM["ibu_hamil"].parameters["anc_visits"])  # K1…K6
MAX_ANC_VISIT = 6
RISK_FLAGS = ("kek", "anaemia", "hypertension", "age_risk")


@dataclass(frozen=True)
class MaternalObservation:
    age_years: int | None = None
    lila_cm: float | None = None
    hb_g_dl: float | None = None
    systolic: int | None = None
    diastolic: int | None = None


def risk_flags(obs: MaternalObservation) -> list[str]:
    flags: list[str] = []
    if obs.lila_cm is not None and obs.lila_cm < KEK_LILA_CM:
        flags.append("kek")
    if obs.hb_g_dl is not None and obs.hb_g_dl < ANAEMIA_HB_G_DL:
        flags.append("anaemia")
    if (obs.systolic is not None and obs.systolic >= HYPERTENSION_SYSTOLIC) or (
        obs.diastolic is not None and obs.diastolic >= HYPERTENSION_DIASTOLIC
    ):
        flags.append("hypertension")
    if obs.age_years is not None and not AGE_RISK[0] <= obs.age_years <= AGE_RISK[1]:
        flags.append("age_risk")
    return flags


def merge_flags(existing: list[str], new: list[str]) -> list[str]:
    """Flags stay raised for the pregnancy once seen, in the canonical order."""
    seen = set(existing) | set(new)
    return [flag for flag in RISK_FLAGS if flag in seen]
