"""What an ATS case is verified with, and where a child goes back to (FIELDS.md §1(b)).

The verification reasons are data: the national dashboard's thirteen reason columns (k_1 … k_13)
have no published legend, so the codes below are the causes regional Disdik pages list
(mindset, environment, parental support, working) [H], the Purworejo SIMATS problem menu [H],
and common ones no primary text confirmed [BG]. A deployment replaces them through
``EDUCATION_ATS_VERIFY_REASONS`` (code → label).

Re-entry: formal school through PPDB, or kesetaraan at an SPNF/PKBM centre. The Paket that fits
follows the last level the child reached: never at school or dropped out of SD → Paket A (SD);
finished SD or dropped out of SMP → Paket B (SMP); finished SMP or dropped out of SMA/SMK →
Paket C (SMA). A child who finished SMA/SMK has no Paket to take. The youngest age each Paket
takes is configurable (``EDUCATION_ATS_PAKET_MIN_AGE``) [BG]: below it, formal school fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from simpul_platform.domain import RuleViolation

Paket = Literal["paket_a", "paket_b", "paket_c"]
LastJenjang = Literal["sd", "smp", "sma", "smk", "paket_a", "paket_b", "paket_c"]
FormalStatus = Literal["sd", "smp", "sma", "smk"]

# code → label, as a desa's verifier says it. [H]: listed by Disdik pages (FIELDS.md §1(b));
# [BG]: background, not confirmed in a primary text.
DEFAULT_VERIFY_REASONS: dict[str, str] = {
    "biaya": "Tidak ada biaya sekolah",  # [H] permasalahan ekonomi (SIMATS)
    "bekerja": "Bekerja / membantu orang tua mencari nafkah",  # [H]
    "pola_pikir": "Anak / keluarga menganggap sekolah tidak penting",  # [H] mindset
    "lingkungan": "Pengaruh lingkungan / teman sebaya",  # [H]
    "dukungan_orang_tua": "Kurang dukungan orang tua",  # [H]
    "menikah": "Sudah menikah",  # [BG]
    "sakit_disabilitas": "Sakit atau disabilitas",  # [BG] permasalahan kesehatan
    "jarak_akses": "Sekolah jauh / sulit dijangkau",  # [BG]
    "perundungan": "Perundungan di sekolah",  # [BG]
    "lainnya": "Lainnya",  # [H] SIMATS menu
}
# The youngest age (years) each Paket takes: the usual entry ages of SD, SMP and SMA [BG].
DEFAULT_PAKET_MIN_AGE: dict[str, int] = {"paket_a": 7, "paket_b": 12, "paket_c": 15}


def check_reason(code: str, reasons: Mapping[str, str], field: str = "body.reason_code") -> str:
    """A verification reason from the deployment's catalogue."""
    if code not in reasons:
        raise RuleViolation(
            field, "unknown_ats_reason", f"No reason {code!r}; one of {', '.join(reasons)}."
        )
    return code


@dataclass(frozen=True)
class LastLevel:
    """How far the child got: the category and, for DO/LTM, the last jenjang (and kelas)."""

    category: str
    jenjang: str | None


def fitting_paket(level: LastLevel, field: str = "body.paket") -> Paket:
    """The Paket that continues from the child's last level."""
    if level.category == "bpb" or level.jenjang is None:
        return "paket_a"
    finished = level.category == "ltm"  # lulus tidak melanjutkan: the level was completed
    if level.jenjang in ("sd", "paket_a"):
        return "paket_b" if finished else "paket_a"
    if level.jenjang in ("smp", "paket_b"):
        return "paket_c" if finished else "paket_b"
    if not finished:
        return "paket_c"
    raise RuleViolation(
        field,
        "no_paket_fits",
        "The child finished upper secondary school: no Paket continues from there.",
    )


def check_paket(
    level: LastLevel,
    age_years: int,
    asked: Paket | None,
    min_ages: Mapping[str, int],
    field: str = "body.paket",
) -> Paket:
    """The Paket for an SPNF/PKBM referral: the one the last level calls for (a different one
    asked is refused, naming it), if the child is old enough for it."""
    paket = fitting_paket(level, field)
    if asked is not None and asked != paket:
        raise RuleViolation(
            field, "paket_mismatch", f"The child's last level calls for {paket}, not {asked}."
        )
    youngest = min_ages.get(paket, 0)
    if age_years < youngest:
        raise RuleViolation(
            field,
            "paket_age",
            f"{paket} takes children from {youngest} ({age_years} now): formal school (ppdb) fits.",
        )
    return paket


def check_enrolment(path: str, paket: str | None, status: str, field: str = "body.status") -> None:
    """The status enrolled fits the re-entry path: a formal jenjang after PPDB, the referred
    Paket after SPNF/PKBM."""
    if path == "ppdb" and status not in ("sd", "smp", "sma", "smk"):
        raise RuleViolation(
            field, "enrolment_path_mismatch", "Referred through PPDB: sd, smp, sma or smk."
        )
    if path == "spnf_pkbm" and status != paket:
        raise RuleViolation(
            field, "enrolment_path_mismatch", f"Referred to SPNF/PKBM for {paket}, not {status}."
        )
