"""An existing RTLH list as regional RTLH applications keep it (the e-RTLH style of
FIELDS.md §2b: upper-case words, hyphens and slashes, "> 10 m", Y/T), read as the API's codes.

``COLUMNS`` is the file's format: one row is one house with its household's No. KK, the survey
and how the house was handled (``sts_penanganan`` Y/T, year, amount, funding source). Each
column names the API field it fills and how its cell is read. The words a form uses become
codes through one table: every API code is also read in capitals with spaces, hyphens or
slashes for its underscores ("MILIK SENDIRI", "LEHER ANGSA", "KONTRAK-SEWA"), and
``SYNONYMS`` adds the forms' other words. A region's variant is a line there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from simpul_housing.domain import survey as codes
from simpul_platform.identity import KK_PATTERN

# Sumber dana: who paid for a handled house (the regional form's list).
FUNDING_SOURCES = ("apbn", "apbd_i", "apbd_ii", "baznas", "swadaya", "lainnya")

CODES: dict[str, tuple[str, ...]] = {
    "tenure": get_args(codes.Tenure),
    "land_status": get_args(codes.LandStatus),
    "kawasan": get_args(codes.Kawasan),
    "pondasi": get_args(codes.Pondasi),
    "kolom": get_args(codes.Kolom),
    "balok": get_args(codes.Balok),
    "rangka_atap": get_args(codes.RangkaAtap),
    "plafon": get_args(codes.Plafon),
    "condition": get_args(codes.Condition),
    "atap": get_args(codes.Atap),
    "dinding": get_args(codes.Dinding),
    "lantai": get_args(codes.Lantai),
    "water_source": get_args(codes.WaterSource),
    "bathroom": get_args(codes.Bathroom),
    "toilet_type": get_args(codes.ToiletType),
    "faeces_disposal": get_args(codes.FaecesDisposal),
    "electricity": get_args(codes.Electricity),
    "funding": FUNDING_SOURCES,
}

# The forms' words beside the codes themselves ("TIDAK" is "tidak ada" wherever a code is).
SYNONYMS: dict[str, dict[str, str]] = {
    "tenure": {
        "KONTRAK": "kontrak_sewa",
        "SEWA": "kontrak_sewa",
        "MENUMPANG": "bebas_sewa",
        "RUMAH DINAS": "dinas",
    },
    "land_status": {"MILIK KELUARGA": "milik_keluarga_waris", "WARIS": "milik_keluarga_waris"},
    "kawasan": {"KEMISKINAN EKSTREM": "kemiskinan_ekstrim", "KUMUH": "kumuh_kabupaten"},
    # The form's "kayu" roof is shingles; its "plester" wall is plastered woven bamboo/wire.
    "atap": {"KAYU": "sirap_kayu", "SIRAP": "sirap_kayu"},
    "dinding": {"PLESTER": "plester_anyaman", "ANYAMAN": "plester_anyaman"},
    "lantai": {"SEMEN": "semen_bata_merah", "BATA MERAH": "semen_bata_merah"},
    # The form's plain "sumur" and "mata air" say nothing of protection: read as protected,
    # so only their distance to the faeces disposal point judges them.
    "water_source": {
        "SUMUR": "sumur_terlindung",
        "MATA AIR": "mata_air_terlindung",
        "HUJAN": "air_hujan",
        "PDAM": "perpipaan",
        "LEDENG": "perpipaan",
        "AIR KEMASAN": "kemasan",
        "ISI ULANG": "kemasan",
        "SUNGAI": "air_permukaan",
    },
    "bathroom": {"BERSAMA MCK KOMUNAL": "bersama"},
    "toilet_type": {"CEMPLUNG": "cemplung_cubluk", "CUBLUK": "cemplung_cubluk"},
    "faeces_disposal": {
        "SEPTIC TANK": "tangki_septik",
        "SEPTIK": "tangki_septik",
        "PANTAI TANAH LAPANG KEBUN": "pantai_kebun",
    },
    "electricity": {"PLN": "pln_meteran", "PLN DENGAN METERAN": "pln_meteran"},
    "funding": {
        "APBD 1": "apbd_i",
        "APBD PROVINSI": "apbd_i",
        "APBD 2": "apbd_ii",
        "APBD KABUPATEN": "apbd_ii",
        "APBD KAB KOTA": "apbd_ii",
    },
}

# One house's aid, in rupiah: far above any programme's (BSPS PB is Rp 35 juta), and what the
# aid table's integer column holds.
MAX_AID = 2_000_000_000
# "Jarak sumber air ke tinja": the form says only which side of 10 m. A class becomes a
# distance on its side (the bound for "> 10 m", half of it for "< 10 m"), so the survey is
# judged as the form meant it under the default 10 m threshold.
DISTANCE_CLASSES = {">10": 10.0, ">=10": 10.0, "≥10": 10.0, "<10": 5.0}
YES = frozenset({"ADA", "YA", "Y"})
NO = frozenset({"TIDAK ADA", "TIDAK", "T"})
HANDLED = frozenset({"Y", "YA", "SUDAH"})
NOT_HANDLED = frozenset({"T", "TIDAK", "BELUM"})


class CellError(ValueError):
    """A cell that does not read: the rule it broke and what it should be."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def normal(word: str) -> str:
    """Capitals, with hyphens, slashes and underscores as single spaces."""
    return " ".join(re.sub(r"[-/_]", " ", word).upper().split())


def _table(kind: str) -> dict[str, str]:
    table = {normal(code): code for code in CODES[kind]}
    if "tidak_ada" in CODES[kind]:
        table["TIDAK"] = "tidak_ada"
    table.update(SYNONYMS.get(kind, {}))
    return table


TABLES = {kind: _table(kind) for kind in CODES}


def code_of(kind: str, cell: str) -> str:
    found = TABLES[kind].get(normal(cell))
    if found is None:
        accepted = ", ".join(normal(code) for code in CODES[kind])
        raise CellError("unknown_code", f"{cell!r} is not one of {accepted}.")
    return found


def coded(kind: str) -> Callable[[str], str]:
    return lambda cell: code_of(kind, cell)


def kawasan_list(cell: str) -> list[str]:
    """Several areas, separated by ``;``, ``,`` or ``|``."""
    return [code_of("kawasan", part) for part in re.split(r"[;,|]", cell) if part.strip()]


def yes_no(cell: str) -> bool:
    word = normal(cell)
    if word in YES or word in NO:
        return word in YES
    raise CellError("unknown_code", "ADA or TIDAK ADA (Y or T).")


def handled(cell: str) -> bool:
    word = normal(cell)
    if word in HANDLED or word in NOT_HANDLED:
        return word in HANDLED
    raise CellError("unknown_code", "Y (handled) or T (not handled).")


def decimal(cell: str) -> float:
    """A number with a decimal point or comma (``36,5``), an ``m²`` after it allowed."""
    text = re.sub(r"\s*(m2|m²|m)$", "", cell.strip(), flags=re.IGNORECASE).replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise CellError("number_format", f"{cell!r} is not a number (such as 36 or 36,5).")
    return float(text)


def whole(cell: str) -> int:
    if not cell.strip().isdigit():
        raise CellError("number_format", f"{cell!r} is not a whole number.")
    return int(cell)


def distance(cell: str) -> float:
    """Metres, or the form's class ("> 10 m", "< 10 m")."""
    key = re.sub(r"\s|m$", "", cell.strip().lower())
    if key in DISTANCE_CLASSES:
        return DISTANCE_CLASSES[key]
    try:
        return decimal(cell)
    except CellError:
        raise CellError("unknown_code", "Metres, or > 10 m or < 10 m.") from None


def rupiah(cell: str) -> int:
    """Whole rupiah, with thousands separators and a "Rp" allowed (``Rp 17.500.000``)."""
    text = re.sub(r"^rp\.?\s*", "", cell.strip(), flags=re.IGNORECASE).replace(" ", "")
    match = re.fullmatch(r"(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,]00)?", text)
    if match is None:
        raise CellError("number_format", f"{cell!r} is not an amount in rupiah.")
    amount = int(re.sub(r"[.,]", "", match.group(1)))
    if amount > MAX_AID:
        raise CellError("amount_range", f"At most Rp {MAX_AID:,} for one house's aid.")
    return amount


def day(cell: str) -> date:
    """YYYY-MM-DD, or the forms' DD/MM/YYYY and DD-MM-YYYY."""
    text = cell.strip()
    local = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", text)
    try:
        if local is not None:
            return date(int(local[3]), int(local[2]), int(local[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise CellError("date_format", "A date is YYYY-MM-DD or DD/MM/YYYY.") from None


def year(cell: str) -> int:
    if not re.fullmatch(r"\d{4}", cell.strip()):
        raise CellError("year_format", "A year of four digits.")
    return int(cell)


def rt_rw(cell: str) -> str:
    """An RT or RW number, zero-padded to three digits ("7" is 007)."""
    if not re.fullmatch(r"\d{1,3}", cell.strip()):
        raise CellError("format", "An RT/RW number of 1–3 digits.")
    return cell.strip().zfill(3)


def kk(cell: str) -> str:
    if not re.fullmatch(KK_PATTERN, cell.strip()):
        raise CellError("format", "A No. KK is 16 digits.")
    return cell.strip()


def text(cell: str) -> str:
    return cell.strip()


@dataclass(frozen=True)
class Column:
    """A column of the file: the field it fills (``house.*``, ``survey.*``, ``household.*``,
    ``aid.*``) and how its cell reads; an optional column may be empty or absent."""

    name: str
    target: str
    read: Callable[[str], Any]
    required: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("no_kk", "household.kk", kk),
    Column("nama_kk", "household.head_name", text, required=False),
    Column("dusun", "house.dusun", text, required=False),
    Column("rt", "house.rt", rt_rw),
    Column("rw", "house.rw", rt_rw),
    Column("alamat", "house.address", text, required=False),
    Column("latitude", "house.latitude", decimal, required=False),
    Column("longitude", "house.longitude", decimal, required=False),
    Column("jumlah_penghuni", "survey.occupants", whole),
    Column("status_rumah", "house.tenure", coded("tenure")),
    Column("status_tanah", "house.land_status", coded("land_status")),
    Column("tanggal_survei", "survey.surveyed_on", day),
    Column("pondasi", "survey.pondasi", coded("pondasi")),
    Column("kolom", "survey.kolom", coded("kolom")),
    Column("balok", "survey.balok", coded("balok")),
    Column("rangka_atap", "survey.rangka_atap", coded("rangka_atap")),
    Column("plafon", "survey.plafon", coded("plafon")),
    Column("sloof", "survey.sloof", yes_no),
    Column("atap", "survey.atap", coded("atap")),
    Column("kondisi_atap", "survey.atap_condition", coded("condition")),
    Column("dinding", "survey.dinding", coded("dinding")),
    Column("kondisi_dinding", "survey.dinding_condition", coded("condition")),
    Column("lantai", "survey.lantai", coded("lantai")),
    Column("kondisi_lantai", "survey.lantai_condition", coded("condition")),
    Column("jendela", "survey.jendela", yes_no),
    Column("ventilasi", "survey.ventilasi", yes_no),
    Column("luas_lantai", "survey.floor_area_m2", decimal),
    Column("sumber_air_minum", "survey.water_source", coded("water_source")),
    Column("jarak_sumber_air_tinja", "survey.water_to_faeces_m", distance, required=False),
    Column("kamar_mandi_jamban", "survey.bathroom", coded("bathroom")),
    Column("kloset", "survey.toilet_type", coded("toilet_type")),
    Column("pembuangan_tinja", "survey.faeces_disposal", coded("faeces_disposal")),
    Column("sumber_listrik", "survey.electricity", coded("electricity")),
    Column("jenis_kawasan", "survey.kawasan", kawasan_list, required=False),
    Column("sts_penanganan", "aid.handled", handled, required=False),
    Column("tahun_penanganan", "aid.year", year, required=False),
    Column("nilai_bantuan", "aid.amount", rupiah, required=False),
    Column("sumber_dana", "aid.program", coded("funding"), required=False),
)
NAMES = tuple(c.name for c in COLUMNS)
HANDLING = ("tahun_penanganan", "nilai_bantuan", "sumber_dana")
EXAMPLE = (
    "6402061234560001,Rahmat,Dusun II,7,2,Jl. Mangga 3,-0.4211,116.9852,6,MILIK SENDIRI,"
    "MILIK SENDIRI,2025-08-14,BATU BELAH,KAYU,KAYU,KAYU,TIDAK ADA,TIDAK ADA,SENG,KURANG LAYAK,"
    "KAYU,AGAK LAYAK,KAYU,AGAK LAYAK,ADA,TIDAK ADA,36,SUMUR,< 10 m,SENDIRI,CEMPLUNG-CUBLUK,"
    "LUBANG TANAH,PLN METERAN,STUNTING,Y,2025,Rp 17.500.000,APBD II"
)
TEMPLATE = ",".join(NAMES) + "\n" + EXAMPLE + "\n"


@dataclass
class Row:
    """A row's values by target, and the errors by column."""

    values: dict[str, Any]
    errors: list[tuple[str, str, str]]  # (column, rule, message)


def read_row(cells: dict[str, str], today: date) -> Row:
    """Every cell read (an empty optional one is left out), then the handling columns' rules:
    a handled house names its year (not after ``today``) and funding source; one not handled
    names neither."""
    row = Row({}, [])
    for column in COLUMNS:
        cell = cells.get(column.name, "").strip()
        if not cell:
            if column.required:
                row.errors.append((column.name, "required", "This column needs a value."))
            continue
        try:
            row.values[column.target] = column.read(cell)
        except CellError as broken:
            row.errors.append((column.name, broken.rule, broken.message))
    _check_handling(row, cells, today)
    return row


def _check_handling(row: Row, cells: dict[str, str], today: date) -> None:
    if "sts_penanganan" in {column for column, _, _ in row.errors}:
        return
    if not row.values.get("aid.handled", False):
        for name in HANDLING:
            if cells.get(name, "").strip():
                row.errors.append(
                    (name, "not_handled", "Only a handled house (sts_penanganan Y) has this.")
                )
        return
    for name in ("tahun_penanganan", "sumber_dana"):
        if not cells.get(name, "").strip():
            row.errors.append((name, "required", "A handled house (Y) names this."))
    handled_in = row.values.get("aid.year")
    if handled_in is not None and not 1980 <= handled_in <= today.year:
        row.errors.append(("tahun_penanganan", "year_range", f"A year from 1980 to {today.year}."))
