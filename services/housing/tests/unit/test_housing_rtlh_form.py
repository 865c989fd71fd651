"""Reading a regional RTLH list: the form's words as the API's codes, its numbers, dates and
classes, the handling columns' rules, and the file's header."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_housing.domain import rtlh_form as form
from simpul_housing.ops.rtlh_import import column_of, parse
from simpul_platform.errors import InvalidInput

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("kind", "word", "code"),
    [
        ("tenure", "MILIK SENDIRI", "milik_sendiri"),
        ("tenure", "KONTRAK-SEWA", "kontrak_sewa"),
        ("tenure", "Kontrak/Sewa", "kontrak_sewa"),
        ("land_status", "TANAH ILEGAL", "tanah_ilegal"),
        ("land_status", "MILIK KELUARGA-WARIS", "milik_keluarga_waris"),
        ("toilet_type", "LEHER ANGSA", "leher_angsa"),
        ("toilet_type", "CEMPLUNG-CUBLUK", "cemplung_cubluk"),
        ("faeces_disposal", "KOLAM-SAWAH-SUNGAI-DANAU-LAUT", "kolam_sawah_sungai_danau_laut"),
        ("faeces_disposal", "PANTAI-TANAH LAPANG-KEBUN", "pantai_kebun"),
        ("bathroom", "BERSAMA-MCK KOMUNAL", "bersama"),
        ("pondasi", "TIDAK ADA", "tidak_ada"),
        ("pondasi", "TIDAK", "tidak_ada"),
        ("condition", "MENUJU LAYAK", "menuju_layak"),
        ("atap", "KAYU", "sirap_kayu"),
        ("water_source", "SUMUR", "sumur_terlindung"),
        ("electricity", "NON-PLN", "non_pln"),
        ("funding", "APBD I", "apbd_i"),
        ("funding", "APBD II", "apbd_ii"),
        ("funding", "BAZNAS", "baznas"),
        ("kawasan", "3T", "3t"),
        ("kawasan", "KEMISKINAN EKSTREM", "kemiskinan_ekstrim"),
    ],
)
def test_the_forms_words_are_the_apis_codes(kind: str, word: str, code: str) -> None:
    assert form.code_of(kind, word) == code


def test_every_code_reads_as_itself_and_in_capitals() -> None:
    for kind, codes in form.CODES.items():
        for code in codes:
            assert form.code_of(kind, code) == code
            assert form.code_of(kind, code.replace("_", " ").upper()) == code


def test_a_word_the_form_does_not_have_names_what_it_takes() -> None:
    with pytest.raises(form.CellError) as refused:
        form.code_of("lantai", "MARMER")
    assert refused.value.rule == "unknown_code"
    assert "KERAMIK" in refused.value.message and "TANAH" in refused.value.message


@pytest.mark.parametrize(
    ("cell", "metres"),
    [
        ("> 10 m", 10.0),
        (">10", 10.0),
        ("≥ 10 m", 10.0),
        ("< 10 m", 5.0),
        ("12,5", 12.5),
        ("8", 8.0),
    ],
)
def test_a_distance_is_metres_or_the_forms_class(cell: str, metres: float) -> None:
    assert form.distance(cell) == metres


def test_cells_in_the_forms_formats() -> None:
    assert form.decimal("36,5") == 36.5 and form.decimal("36 m2") == 36.0
    assert form.rupiah("Rp 17.500.000") == 17_500_000
    assert form.rupiah("17500000") == form.rupiah("17,500,000") == form.rupiah("17.500.000,00")
    assert form.day("14/08/2025") == form.day("14-08-2025") == form.day("2025-08-14")
    assert form.rt_rw("7") == "007" and form.rt_rw("012") == "012"
    assert form.kawasan_list("STUNTING; Kemiskinan Ekstrim|3T") == [
        "stunting",
        "kemiskinan_ekstrim",
        "3t",
    ]
    assert form.yes_no("ADA") and not form.yes_no("tidak ada") and form.yes_no("Y")
    assert form.handled("Y") and not form.handled("T")


@pytest.mark.parametrize(
    ("read", "cell", "rule"),
    [
        (form.decimal, "tiga puluh", "number_format"),
        (form.rupiah, "17.5 juta", "number_format"),
        (form.rupiah, "Rp 3.000.000.000", "amount_range"),
        (form.day, "31/02/2025", "date_format"),
        (form.rt_rw, "0071", "format"),
        (form.kk, "640206123456", "format"),
        (form.yes_no, "MUNGKIN", "unknown_code"),
        (form.distance, "dekat", "unknown_code"),
        (form.year, "25", "year_format"),
    ],
)
def test_a_cell_that_does_not_read_names_its_rule(read: object, cell: str, rule: str) -> None:
    with pytest.raises(form.CellError) as refused:
        read(cell)  # type: ignore[operator]
    assert refused.value.rule == rule


def cells(**change: str) -> dict[str, str]:
    header, example = form.TEMPLATE.splitlines()
    return {**dict(zip(header.split(","), example.split(","), strict=True)), **change}


def test_the_templates_row_reads_whole() -> None:
    row = form.read_row(cells(), TODAY)
    assert row.errors == []
    assert row.values["household.kk"] == "6402061234560001"
    assert row.values["house.rt"] == "007" and row.values["house.latitude"] == -0.4211
    assert row.values["survey.water_to_faeces_m"] == 5.0
    assert row.values["survey.kawasan"] == ["stunting"]
    assert (row.values["aid.year"], row.values["aid.amount"], row.values["aid.program"]) == (
        2025,
        17_500_000,
        "apbd_ii",
    )


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"tahun_penanganan": ""}, [("tahun_penanganan", "required")]),
        ({"tahun_penanganan": "2027"}, [("tahun_penanganan", "year_range")]),
        ({"sumber_dana": "", "nilai_bantuan": ""}, [("sumber_dana", "required")]),
        (
            {"sts_penanganan": "T"},
            [(c, "not_handled") for c in ("tahun_penanganan", "nilai_bantuan", "sumber_dana")],
        ),
        (
            {"sts_penanganan": "", "tahun_penanganan": "", "nilai_bantuan": "", "sumber_dana": ""},
            [],
        ),
        (
            {"luas_lantai": "", "atap": "BETON COR"},
            [("atap", "unknown_code"), ("luas_lantai", "required")],
        ),
    ],
)
def test_the_rows_rules(change: dict[str, str], errors: list[tuple[str, str]]) -> None:
    row = form.read_row(cells(**change), TODAY)
    assert sorted((column, rule) for column, rule, _ in row.errors) == sorted(errors)


def test_the_header_names_columns_in_any_order_and_case() -> None:
    header, example = form.TEMPLATE.splitlines()
    names, values = header.split(","), example.split(",")
    shuffled = ",".join(n.upper() for n in reversed(names)) + ",catatan\n"
    shuffled += ",".join(reversed(values)) + ",lain\n"
    [(line, read)] = parse(shuffled.encode())
    assert line == 2 and read["no_kk"] == "6402061234560001" and read["catatan"] == "lain"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("no_kk,rt\n", "csv_missing_column"),
        (form.TEMPLATE.replace("no_kk,", "no_kk,no_kk,", 1), "csv_duplicate_column"),
        (form.TEMPLATE + form.EXAMPLE + ",extra\n", "csv_extra_fields"),
    ],
)
def test_a_file_that_is_not_the_lists_format_is_refused(text: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(text.encode())
    assert refused.value.errors[0].rule == rule


def test_too_many_rows_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse((form.TEMPLATE + (form.EXAMPLE + "\n") * 1000).encode())
    assert refused.value.errors[0].rule == "too_many_rows"


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("body.items[3].survey.floor_area_m2", "luas_lantai"),
        ("body.items[0].house.households[0].kk", "no_kk"),
        ("body.items[12].house.households[0].head_name", "nama_kk"),
        ("body.items[1].house.occupants", "jumlah_penghuni"),
        ("body.items[1].survey.occupants", "jumlah_penghuni"),
        ("body.items[2].survey.water_to_faeces_m", "jarak_sumber_air_tinja"),
        ("body.items[2].house.latitude", "latitude"),
    ],
)
def test_a_batch_field_lands_in_its_column(field: str, column: str) -> None:
    assert column_of(field) == column
