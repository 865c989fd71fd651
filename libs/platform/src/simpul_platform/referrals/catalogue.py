"""What each field can be asked for (reason codes), how a referral to it can end (outcome
codes) and why it can refuse one (rejection codes): data every field shares, because a source
checks a request against its target's catalogue before it sends it, and no service imports
another. A field without a catalogue here has no service yet: a referral to it is refused.
"""

from __future__ import annotations

from simpul_platform.domain import RuleViolation
from simpul_platform.referrals.codes import (
    RELATION_RULES,
    Catalogue,
    Code,
    Detail,
    Reason,
    check_request,
)

__all__ = [
    "CATALOGUES",
    "REJECTIONS",
    "RELATION_RULES",
    "Catalogue",
    "Code",
    "Detail",
    "Reason",
    "catalogue_for",
    "check_request",
]

REJECTIONS = (
    Code("not_our_field", "Bukan kewenangan bidang ini"),
    Code("duplicate", "Sudah dirujuk / sudah ditangani"),
    Code("not_found", "Sasaran tidak ditemukan"),
    Code("insufficient_information", "Informasi tidak cukup"),
)

HEALTH = Catalogue(
    field="health",
    reasons=(
        Reason(
            "lansia_not_screened",
            "Lansia belum skrining kesehatan",
            subject="person",
            details=(Detail("last_screened_on", "date"),),
        ),
        Reason(
            "pregnancy_without_anc",
            "Ibu hamil belum periksa kehamilan (ANC)",
            subject="person",
            details=(Detail("gestational_weeks", "int", minimum=1, maximum=45),),
        ),
        Reason(
            "child_not_weighed",
            "Balita tidak ditimbang dua bulan",
            subject="person",
            details=(Detail("last_weighed_on", "date"),),
        ),
        Reason(
            "needs_health_check",
            "Perlu pemeriksaan kesehatan (anak usia sekolah, korban bencana, penghuni rumah)",
            subject="person",
            details=(
                Detail(
                    "context", "code", choices=("school_age", "disaster_victim", "housing_survey")
                ),
                Detail("age_years", "int", minimum=0, maximum=120),
            ),
        ),
    ),
    outcomes=(
        Code("screened", "Sudah skrining"),
        Code("health_checked", "Sudah diperiksa kesehatannya"),
        Code("anc_started", "Sudah ANC"),
        Code("weighed", "Sudah ditimbang"),
        Code("referred_to_puskesmas", "Dirujuk ke puskesmas"),
        Code("not_found", "Sasaran tidak ditemukan"),
    ),
    rejections=REJECTIONS,
)

EDUCATION = Catalogue(
    field="education",
    reasons=(
        Reason(
            "ats_suspected",
            "Anak diduga tidak sekolah (ATS)",
            subject="person",
            details=(Detail("age_years", "int", minimum=5, maximum=18),),
        ),
        Reason(
            "paud_not_enrolled",
            "Anak usia dini belum ikut PAUD",
            subject="person",
            details=(Detail("age_months", "int", minimum=0, maximum=84),),
        ),
        Reason(
            "needs_kesetaraan",
            "Perlu pendidikan kesetaraan (Paket A/B/C)",
            subject="person",
            details=(Detail("last_jenjang", "code", choices=("sd", "smp", "sma")),),
        ),
        Reason(
            "disaster_displaced",
            "Anak usia sekolah dari keluarga pengungsi bencana (risiko ATS)",
            subject="person",
            details=(
                Detail("age_years", "int", required=True, minimum=5, maximum=18),
                Detail("occurred_on", "date"),
            ),
        ),
    ),
    outcomes=(
        Code("enrolled_school", "Sudah masuk sekolah"),
        Code("enrolled_paud", "Sudah masuk PAUD"),
        Code("enrolled_kesetaraan", "Sudah ikut Paket A/B/C"),
        Code("not_eligible", "Tidak memenuhi syarat"),
        Code("moved", "Pindah"),
        Code("not_found", "Sasaran tidak ditemukan"),
    ),
    rejections=REJECTIONS,
)

SOCIAL = Catalogue(
    field="social",
    reasons=(
        Reason("dtsen_assessment", "Keluarga perlu didata / dinilai DTSEN", subject="household"),
        Reason(
            "bansos_need",
            "Keluarga membutuhkan bansos",
            subject="household",
            details=(Detail("program", "code", choices=("pkh", "sembako", "pbi_jk", "blt_desa")),),
        ),
        Reason("ppks_case", "Pemerlu pelayanan kesejahteraan sosial (PPKS)"),
        Reason("stunting_detected", "Balita stunting di keluarga miskin", automatic=True),
    ),
    outcomes=(
        Code("assessed", "Sudah dinilai DTSEN"),
        Code("bansos_granted", "Menerima bansos"),
        Code("referred_to_program", "Dirujuk ke program lain"),
        Code("support_provided", "Bantuan / pendampingan diberikan"),
        Code("ppks_case_opened", "Kasus PPKS dibuka"),
        Code("not_eligible", "Tidak memenuhi syarat"),
        Code("household_moved", "Keluarga pindah"),
        Code("declined", "Keluarga menolak"),
        Code("not_found", "Keluarga tidak ditemukan"),
    ),
    rejections=REJECTIONS,
)

HOUSING = Catalogue(
    field="housing",
    reasons=(
        Reason("rtlh_suspected", "Rumah diduga tidak layak huni (RTLH)", subject="household"),
        Reason(
            "disaster_damage",
            "Rumah rusak akibat bencana",
            subject="household",
            details=(
                Detail("occurred_on", "date"),
                Detail("damage", "code", choices=("rr", "rs", "rb", "hilang", "belum_ditentukan")),
            ),
        ),
        Reason("relocation_needed", "Keluarga terkena relokasi program Pemda", subject="household"),
        Reason("stunting_rtlh", "Balita stunting tinggal di RTLH", automatic=True),
        Reason("stunting_house_unsurveyed", "Rumah balita stunting belum disurvei", automatic=True),
    ),
    outcomes=(
        Code("surveyed_rlh", "Sudah disurvei: rumah layak huni"),
        Code("rtlh_listed", "Masuk daftar RTLH"),
        Code("aid_assigned", "Bantuan rumah ditetapkan"),
        Code("rehabilitated", "Rumah sudah diperbaiki (RLH)"),
        Code("disaster_case_opened", "Kasus rumah korban bencana dibuka"),
        Code("relocation_facilitated", "Difasilitasi relokasi"),
        Code("not_eligible", "Tidak memenuhi syarat"),
        Code("household_moved", "Keluarga pindah"),
        Code("not_found", "Rumah / keluarga tidak ditemukan"),
    ),
    rejections=REJECTIONS,
)

PUBLIC_WORKS = Catalogue(
    field="public_works",
    reasons=(
        Reason("no_safe_water", "Keluarga tanpa akses air minum layak", subject="household"),
        Reason("no_latrine", "Keluarga tanpa jamban sehat / masih BABS", subject="household"),
        Reason(
            "infrastructure_issue",
            "Kerusakan prasarana desa (jalan, drainase, jembatan, air, MCK, sumur, embung)",
            details=(
                Detail(
                    "kind",
                    "code",
                    choices=(
                        "jalan_desa",
                        "drainase",
                        "jembatan",
                        "spam_air",
                        "sanitasi_mck",
                        "sumur",
                        "embung",
                    ),
                ),
            ),
        ),
        Reason("stunting_wash", "Balita stunting tanpa air minum / sanitasi layak", automatic=True),
        Reason(
            "stunting_household_unsurveyed",
            "Air minum dan sanitasi keluarga balita stunting belum disurvei",
            automatic=True,
        ),
    ),
    outcomes=(
        Code("surveyed_safe", "Sudah disurvei: air minum dan sanitasi layak"),
        Code("surveyed_listed", "Sudah disurvei: masuk daftar penanganan"),
        Code("water_access_provided", "Akses air minum layak disediakan"),
        Code("latrine_provided", "Jamban sehat / akses sanitasi disediakan"),
        Code("issue_recorded", "Laporan kerusakan prasarana dicatat"),
        Code("issue_resolved", "Kerusakan prasarana sudah ditangani"),
        Code("issue_declined", "Laporan kerusakan prasarana ditolak"),
        Code("household_moved", "Keluarga pindah"),
        Code("not_found", "Keluarga / lokasi tidak ditemukan"),
    ),
    rejections=REJECTIONS,
)

TRANTIB = Catalogue(
    field="trantib",
    reasons=(
        Reason(
            "disturbance_report",
            "Gangguan ketenteraman dan ketertiban umum",
            details=(
                Detail(
                    "category",
                    "code",
                    choices=(
                        "keributan",
                        "perkelahian",
                        "miras_narkoba",
                        "pkl_bangunan_liar",
                        "asusila",
                        "konflik_sosial",
                        "orang_terlantar",
                        "lainnya",
                    ),
                ),
            ),
        ),
        Reason("fire_hazard", "Bahaya kebakaran (instalasi listrik, bahan mudah terbakar)"),
        Reason("apar_needed", "Posyandu / bangunan umum perlu APAR"),
    ),
    outcomes=(
        Code("report_opened", "Laporan gangguan trantibum dibuka"),
        Code("handled", "Sudah ditangani Satpol PP"),
        Code("inspected", "Sudah diperiksa Damkar"),
        Code("apar_installed", "APAR sudah dipasang / diisi ulang"),
        Code("not_found", "Lokasi / sasaran tidak ditemukan"),
    ),
    rejections=REJECTIONS,
)

CATALOGUES: dict[str, Catalogue] = {
    c.field: c for c in (HEALTH, EDUCATION, SOCIAL, HOUSING, PUBLIC_WORKS, TRANTIB)
}


def catalogue_for(target_field: str) -> Catalogue:
    """The target's catalogue, or a 422 naming the field when it has no service yet."""
    catalogue = CATALOGUES.get(target_field)
    if catalogue is None:
        served = ", ".join(sorted(CATALOGUES))
        raise RuleViolation(
            "target_field",
            "field_not_served",
            f"{target_field} has no service to receive referrals yet; referrals go to {served}.",
        )
    return catalogue
