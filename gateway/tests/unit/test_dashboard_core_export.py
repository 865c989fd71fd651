"""A table exported to CSV and Excel reads back with its header lines and the same figures."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from simpul_gateway.dashboard.export import (
    Column,
    ExportFormat,
    Heading,
    Table,
    export_response,
    export_table,
)

pytestmark = pytest.mark.unit

TABLE = Table(
    columns=[
        Column("code", "Kode"),
        Column("name", "Nama"),
        Column("registered", "Teregistrasi"),
        Column("share_of_target", "% target"),
    ],
    rows=[
        {"code": "64.02.06", "name": "Tenggarong", "registered": 12, "share_of_target": 37.5},
        {"code": "64.02.07", "name": "Loa Kulu, Ulu", "registered": 0, "share_of_target": None},
    ],
)
HEADING = Heading(
    wilayah="64.02 Kutai Kartanegara",
    period="2026-11",
    produced_at=datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Makassar")),
    labels=("Wilayah", "Periode", "Dibuat"),
)
HEADER_LINES = [
    ["Wilayah", "64.02 Kutai Kartanegara"],
    ["Periode", "2026-11"],
    ["Dibuat", "2026-12-07T09:30:00+08:00"],
]


def test_csv_reads_back_with_its_header_lines_then_the_table():
    content = export_table(TABLE, HEADING, ExportFormat.csv)
    assert content.startswith("\ufeff".encode())  # so Excel reads UTF-8 names right
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[:3] == HEADER_LINES
    assert lines[3] == []
    assert lines[4] == ["Kode", "Nama", "Teregistrasi", "% target"]
    assert lines[5:] == [
        ["64.02.06", "Tenggarong", "12", "37.5"],
        ["64.02.07", "Loa Kulu, Ulu", "0", ""],  # a comma in a name stays one cell
    ]


def test_xlsx_reads_back_with_numbers_as_numbers():
    content = export_table(TABLE, HEADING, ExportFormat.xlsx)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [row[:2] for row in rows[:3]] == HEADER_LINES
    assert all(cell is None for cell in rows[3])
    assert rows[4] == ["Kode", "Nama", "Teregistrasi", "% target"]
    assert rows[5:] == [
        ["64.02.06", "Tenggarong", 12, 37.5],
        ["64.02.07", "Loa Kulu, Ulu", 0, None],
    ]


def test_the_response_is_a_download_named_for_its_format():
    response = export_response(b"x", ExportFormat.xlsx, "ringkasan-registration-64.02")
    assert response.headers["content-disposition"] == (
        'attachment; filename="ringkasan-registration-64.02.xlsx"'
    )
    assert response.media_type.startswith("application/vnd.openxmlformats")
