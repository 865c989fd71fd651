"""What a household WASH survey records (FIELDS.md §3): the drinking-water source in the terms
of Permen PUPR 29/2018 (its protected sources and the unprotected ones), how far, how long and
how much, the water's quality, and the toilet, its type, where the faeces go and when the septic
tank was last emptied. Codes are lower-case ASCII of the forms' own words."""

from __future__ import annotations

from typing import Literal

WaterSource = Literal[
    # protected (Permen PUPR 29/2018, Lampiran I), distance rules aside
    "ledeng",
    "sumur_bor",
    "sumur_terlindung",
    "mata_air_terlindung",
    "air_hujan",
    "kran_umum",
    "hidran_umum",
    "terminal_air",
    # bottled or refilled: judged by the water the household washes and bathes with
    "kemasan",
    "isi_ulang",
    # unprotected
    "sumur_tidak_terlindung",
    "mata_air_tidak_terlindung",
    "air_permukaan",
    "lainnya",
]
Quality = Literal["keruh", "berwarna", "berasa", "berbau", "berbusa"]
EColi = Literal["negatif", "positif"]
ToiletFacility = Literal[
    "sendiri", "bersama", "mck_komunal", "mck_umum", "ada_tidak_digunakan", "tidak_ada"
]
ToiletType = Literal["leher_angsa", "plengsengan", "cemplung_cubluk", "tidak_ada"]
FaecesDisposal = Literal[
    "ipal",
    "tangki_septik",
    "spal",
    "lubang_tanah",
    "kolam_sawah_sungai_danau_laut",
    "pantai_tanah_lapang_kebun",
    "tidak_tahu",
]
SurveySource = Literal["kader", "housing"]

PROTECTED = frozenset(
    {
        "ledeng",
        "sumur_bor",
        "sumur_terlindung",
        "mata_air_terlindung",
        "air_hujan",
        "kran_umum",
        "hidran_umum",
        "terminal_air",
    }
)
GROUND = frozenset(
    {
        "sumur_bor",
        "sumur_terlindung",
        "mata_air_terlindung",
        "sumur_tidak_terlindung",
        "mata_air_tidak_terlindung",
    }
)
BOTTLED = frozenset({"kemasan", "isi_ulang"})
