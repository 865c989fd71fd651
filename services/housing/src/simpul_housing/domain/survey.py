"""What an RTLH survey records: the PUPR census variables ("Tatacara Pendataan dan Penyusunan
Database RTLH", 2016) in the enumerations regional RTLH applications use, and the house's
tenure. Codes are lower-case ASCII of the forms' own words; a code added here is a value the
API accepts, so a regional variant is one line.
"""

from __future__ import annotations

from typing import Literal

# Status rumah (the household's tenure of the house; Regsosek 301a's values included).
Tenure = Literal[
    "milik_sendiri", "kontrak_sewa", "bebas_sewa", "dinas", "bukan_milik_sendiri", "lainnya"
]
# Status tanah (the land the house stands on).
LandStatus = Literal[
    "milik_sendiri", "bukan_milik_sendiri", "milik_keluarga_waris", "tanah_negara", "tanah_ilegal"
]
# Jenis kawasan: the programme areas a house lies in (several may apply).
Kawasan = Literal[
    "kumuh_kabupaten",
    "strategis",
    "stunting",
    "kemiskinan_ekstrim",
    "pariwisata",
    "3t",
    "transmigrasi",
    "prioritas",
]

# Structure (keselamatan bangunan).
Pondasi = Literal["batu_belah", "bata", "batako", "beton", "tidak_ada"]
Kolom = Literal["beton", "baja", "kayu", "bambu", "tidak_ada"]
Balok = Literal["beton", "baja", "kayu", "bambu", "tidak_ada"]
RangkaAtap = Literal["baja_ringan", "kayu", "bambu", "tidak_ada"]
Plafon = Literal["gypsum", "triplek", "geribik", "tidak_ada"]

# Material and condition of roof, wall and floor.
Condition = Literal["layak", "menuju_layak", "agak_layak", "kurang_layak", "tidak_layak"]
Atap = Literal[
    "beton", "genteng", "seng", "asbes", "sirap_kayu", "ijuk", "jerami", "rumbia", "daun", "bambu"
]
Dinding = Literal["tembok", "plester_anyaman", "grc", "kayu", "bambu", "lainnya"]
Lantai = Literal["keramik", "ubin", "plester", "semen_bata_merah", "kayu", "bambu", "tanah"]

# Health (kesehatan penghuni).
WaterSource = Literal[
    "perpipaan",
    "kemasan",
    "sumur_bor",
    "sumur_terlindung",
    "sumur_tidak_terlindung",
    "mata_air_terlindung",
    "mata_air_tidak_terlindung",
    "air_hujan",
    "air_permukaan",
    "lainnya",
]
Bathroom = Literal["sendiri", "bersama", "mck_komunal", "mck_umum", "tidak_ada"]
ToiletType = Literal["leher_angsa", "plengsengan", "cemplung_cubluk", "tidak_ada"]
FaecesDisposal = Literal[
    "tangki_septik", "ipal", "kolam_sawah_sungai_danau_laut", "lubang_tanah", "pantai_kebun"
]
Electricity = Literal["pln_meteran", "pln_tanpa_meteran", "non_pln", "tidak_ada"]

# Why a survey was taken: the first one, a re-survey, or the after-works one of a handled case.
SurveyKind = Literal["initial", "resurvey", "after_works"]
