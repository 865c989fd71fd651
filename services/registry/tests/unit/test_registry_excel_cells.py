"""What ``simpul_platform.xlsx_body`` reads from a workbook's cells: Excel's numbers, dates,
error values and merged ranges as the text a CSV would carry, or as that cell's error."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook

from simpul_platform.errors import FieldError, InvalidInput
from simpul_platform.xlsx_body import (
    MAX_UNZIPPED_BYTES,
    _cell_text,
    column_key,
    filename_of,
    read_sheet,
    write_workbook,
)

pytestmark = pytest.mark.unit


def workbook(rows: list[list[Any]], merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    for cells in merges:
        book.active.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def one_cell(value: Any) -> str | FieldError:
    sheet = read_sheet(
        workbook([["code"], [value, "keeps the row"]]), max_rows=5, required=["code"]
    )
    row = sheet.rows[0]
    return row.errors[0] if row.errors else row.values["code"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6402062012.0, "6402062012"),  # a code typed as a number: no ".0"
        (6402062012, "6402062012"),
        (123456789012345.0, "123456789012345"),  # 15 digits: Excel keeps them all
        (-0.41, "-0.41"),
        (0.1 + 0.2, "0.3"),  # as Excel shows it, 15 significant digits
        (3, "3"),
        (True, "true"),
        ("  Dusun I  ", "Dusun I"),
        (datetime(2026, 3, 10), "2026-03-10"),  # an Excel date
        (datetime(2026, 3, 10, 8, 30), "2026-03-10T08:30:00"),
        ("2026-03-10", "2026-03-10"),  # ISO text stays as it is
        (date(2026, 3, 10), "2026-03-10"),
    ],
)
def test_a_cell_reads_as_the_text_a_csv_would_carry(value: Any, text: str) -> None:
    assert one_cell(value) == text


@pytest.mark.parametrize("value", [6402061234567891, 6.4020612345678902e15, 1e15])
def test_a_number_over_15_digits_is_the_cells_error(value: Any) -> None:
    error = one_cell(value)
    assert isinstance(error, FieldError)
    assert (error.field, error.rule) == ("code", "excel_number_precision")
    assert error.message.startswith("A2:")  # the cell, as the sheet names it


def test_error_values_and_nul_are_the_cells_errors() -> None:
    failed = _cell_text(SimpleNamespace(value="#N/A", data_type="e"), 4, 2)
    nul = _cell_text(SimpleNamespace(value="Dus\x00un", data_type="s"), 4, 3)
    assert isinstance(failed, FieldError) and failed.rule == "excel_error"
    assert "B4" in failed.message
    assert isinstance(nul, FieldError) and nul.rule == "nul_character"


def test_merged_ranges_fill_their_cells_and_a_row_of_merged_values_alone_is_empty() -> None:
    rows: list[list[Any]] = [
        ["Daftar"],
        ["Name", "Desa  code"],
        ["A", "64.02.06.2012"],
        ["B"],
        [],
        [None],
        ["C", "x"],
    ]
    sheet = read_sheet(
        workbook(rows, ("A1:B1", "B3:B6")), max_rows=10, required=["name", "desa_code"]
    )
    assert sheet.header_row == 2 and sheet.letters == {"name": "A", "desa_code": "B"}
    assert [(r.number, r.values) for r in sheet.rows] == [
        (3, {"name": "A", "desa_code": "64.02.06.2012"}),
        (4, {"name": "B", "desa_code": "64.02.06.2012"}),
        (7, {"name": "C", "desa_code": "x"}),
    ]


def test_header_rules_and_the_row_limit() -> None:
    def refusal(rows: list[list[Any]], max_rows: int = 5) -> str:
        with pytest.raises(InvalidInput) as caught:
            read_sheet(workbook(rows), max_rows=max_rows, required=["name"])
        return caught.value.errors[0].rule

    assert refusal([[f"title {i}"] for i in range(12)] + [["name"]]) == "xlsx_header"
    assert refusal([["Name", " name "], ["A", "B"]]) == "xlsx_duplicate_column"
    assert refusal([["name"]] + [[f"P{i}"] for i in range(6)]) == "too_many_rows"
    assert refusal([]) == "xlsx_header"


def test_a_zip_that_unpacks_too_large_is_refused_unread() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (MAX_UNZIPPED_BYTES + 1))
    with pytest.raises(InvalidInput) as caught:
        read_sheet(out.getvalue(), max_rows=5, filename="bomb.xlsx")
    assert caught.value.errors[0].rule == "xlsx_too_large"
    assert caught.value.extra["file"] == "bomb.xlsx"


def test_names_keys_and_the_template() -> None:
    assert column_key(" Desa \t Code ") == "desa_code" == column_key("DESA_CODE")
    assert filename_of('attachment; filename="C:\\data\\kukar.xlsx"') == "kukar.xlsx"
    assert filename_of(None) == "upload.xlsx"
    body = write_workbook(["name", "rt"], [["Posyandu Mawar", "003"]], text_columns=["rt"])
    sheet = read_sheet(body, max_rows=5, required=["name"])
    assert [(r.number, r.values) for r in sheet.rows] == [
        (2, {"name": "Posyandu Mawar", "rt": "003"})
    ]
