"""The posyandu import takes an Excel workbook as it takes a CSV: row by row, each error naming
the sheet's row and the column; the same rows either way give the same result; the templates
download and import as they are; a file that is not a workbook is one 422 naming it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from registry_testkit import SEBULU_DESA, TENGGARONG_DESA, Registry
from sqlalchemy import func
from sqlmodel import select

from simpul_platform.outbox import outbox_table
from simpul_platform.xlsx_body import XLSX_MEDIA_TYPE
from simpul_registry.models import Posyandu

pytestmark = pytest.mark.integration
IMPORT = "/v1/imports/posyandu"
COLUMNS = ["name", "desa_code", "dusun", "rt", "rw", "address", "latitude", "longitude", "fields"]


def workbook(rows: list[list[Any]], merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload_xlsx(
    registry: Registry, body: bytes, status: int = 200, filename: str = "kukar.xlsx"
) -> dict[str, Any]:
    headers = {
        **registry.dpmd,
        "content-type": XLSX_MEDIA_TYPE,
        "content-disposition": f'attachment; filename="{filename}"',
    }
    response = await registry.client.post(IMPORT, content=body, headers=headers)
    assert response.status_code == status, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def upload_csv(registry: Registry, body: str) -> dict[str, Any]:
    headers = {**registry.dpmd, "content-type": "text/csv", "x-first-row": "2"}
    response = await registry.client.post(IMPORT, content=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def stored(registry: Registry) -> dict[str, tuple[str, str | None, float | None]]:
    async with registry.app.state.db.sessions() as session:
        found = (await session.exec(select(Posyandu))).all()
    return {p.name: (p.desa_code, p.rt, p.latitude) for p in found}


async def outbox_count(registry: Registry) -> int:
    async with registry.app.state.db.sessions() as session:
        count: int = (await session.exec(select(func.count()).select_from(outbox_table))).one()
    return count


def errors_of(row: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(e["field"], e["rule"], e.get("column")) for e in row["errors"]]


async def test_merged_cells_an_empty_row_and_a_wrong_column_are_answered_row_by_row(
    registry: Registry,
) -> None:
    rows: list[list[Any]] = [
        ["Daftar Posyandu Kecamatan Tenggarong"],  # a title over the header, merged A1:I1
        [" Name", "Desa Code", "DUSUN", "RT", "rw", "address", "Latitude", "longitude", "fields"],
        # 3: the desa code typed as a number (Excel stores 6402062012.0); merged down to row 5
        [
            "Posyandu Anggrek",
            6402062012,
            "Dusun I",
            3,
            "001",
            None,
            -0.41,
            117.02,
            "health;education",
        ],
        ["Posyandu Melati", None, "Dusun II", "004", None, None, -0.42, 117.03, "health"],
        # 5: a wrong column: the address typed under latitude
        ["Posyandu Kenanga", None, None, None, None, None, "dekat pasar", None, "health"],
        [],  # 6: empty, skipped
        # 7: a NIK-like 16-digit number in the desa column, which Excel has rounded
        ["Posyandu Dahlia", 6402061234567890, None, None, None, None, None, None, "health"],
        # 8: the name merged over A8:B8, so the desa column reads the name
        ["Posyandu Tulip", None, None, None, None, None, None, None, "health"],
        ["Posyandu Sebulu", SEBULU_DESA, None, None, None, None, None, None, "social"],
        ["Posyandu Salah RT", TENGGARONG_DESA, None, "tiga", None, None, None, None, "health"],
        [None, TENGGARONG_DESA],  # 11: a code of its own, but no name
    ]
    body = workbook(rows, merges=("A1:I1", "B3:B5", "A8:B8"))
    answer = await upload_xlsx(registry, body)

    by_row = {r["row"]: r for r in answer["rows"]}
    assert sorted(by_row) == [3, 4, 5, 7, 8, 9, 10, 11]  # 1 a title, 2 the header, 6 empty
    assert (answer["created"], answer["rejected"]) == (3, 5)
    assert [by_row[n]["outcome"] for n in (3, 4, 9)] == ["created"] * 3
    assert by_row[4]["desa_code"] == TENGGARONG_DESA  # from the merged cell B3
    assert errors_of(by_row[5]) == [("latitude", "float_parsing", "G")]
    assert errors_of(by_row[7]) == [("desa_code", "excel_number_precision", "B")]
    assert "B7" in by_row[7]["errors"][0]["message"]
    assert errors_of(by_row[8]) == [("desa_code", "string_pattern_mismatch", "B")]
    assert errors_of(by_row[10]) == [("rt", "string_pattern_mismatch", "D")]
    assert errors_of(by_row[11]) == [("name", "missing", "A")]
    assert await stored(registry) == {
        "Posyandu Anggrek": (TENGGARONG_DESA, "3", -0.41),
        "Posyandu Melati": (TENGGARONG_DESA, "004", -0.42),
        "Posyandu Sebulu": (SEBULU_DESA, None, None),
    }
    assert await outbox_count(registry) == 3  # one PosyanduRegistered per created row


# The same rows, as a person would type them: in the workbook, codes and coordinates are numbers.
SAME_ROWS: list[list[Any]] = [
    [
        "Posyandu Mawar",
        "64.02.06.2012",
        "Dusun I",
        "003",
        "001",
        "Jl. Mulawarman",
        -0.4102,
        117.0221,
        "health;education",
    ],
    ["Posyandu Melati", 6402062012, None, None, None, None, None, None, "health"],
    ["Posyandu Sebulu", 6402072001, None, "7", None, None, -0.3, 116.9, "social|health"],
    ["Posyandu Jauh", "64.02.06.2012", None, None, None, None, 48.1, 2.3, "health"],
    ["Posyandu Aneh", "64.02.06.2012", None, None, None, None, None, None, "cooking"],
    ["", "64.02.06.2012", None, None, None, None, None, None, "health"],
    ["Posyandu Mawar", "64.02.06.2012", None, None, None, None, None, None, "health"],
    ["Posyandu Samarinda", "64.72.01.1001", None, None, None, None, None, None, "health"],
    ["Posyandu Salah", "64.02.06.2001", None, None, None, None, None, None, "health"],
]


def as_csv(rows: list[list[Any]]) -> str:
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return "\n".join([",".join(COLUMNS)] + [",".join(text(v) for v in row) for row in rows]) + "\n"


async def test_the_same_rows_as_csv_and_as_xlsx_give_the_same_result(registry: Registry) -> None:
    first = await upload_xlsx(registry, workbook([COLUMNS, *SAME_ROWS]))
    assert (first["created"], first["rejected"]) == (3, 6), first
    again = await upload_csv(registry, as_csv(SAME_ROWS))
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (
        0,
        0,
        3,
        6,
    )
    # the CSV found every row the workbook created unchanged, and refused the rest alike
    for xlsx_row, csv_row in zip(first["rows"], again["rows"], strict=True):
        outcome = "unchanged" if xlsx_row["outcome"] == "created" else xlsx_row["outcome"]
        assert {**xlsx_row, "outcome": outcome} == csv_row
    rules = {r["row"]: {e["rule"] for e in r["errors"]} for r in again["rows"]}
    assert rules[5] == {"less_than_equal", "greater_than_equal"} and rules[6] == {"enum"}
    assert rules[7] == {"missing"} and rules[8] == {"duplicate_in_file"}
    assert rules[9] == {"outside_wilayah"} and rules[10] == {"unknown_desa"}
    assert await outbox_count(registry) == 3


async def test_the_templates_download_and_import_nothing_until_filled_in(
    registry: Registry,
) -> None:
    xlsx = await registry.client.get(f"{IMPORT}/template.xlsx", headers=registry.dpmd)
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX_MEDIA_TYPE
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet, example = book.worksheets
    assert [c.value for c in sheet[1]] == COLUMNS and sheet.max_row >= 2
    assert all(c.value is None for row in sheet.iter_rows(min_row=2) for c in row)
    assert sheet["B2"].number_format == "@" and sheet["B500"].number_format == "@"
    assert [c.value for c in example[2]][:2] == ["Posyandu Mawar", TENGGARONG_DESA]

    # Uploaded as downloaded: nothing created (the example sheet is not read).
    unchanged = await upload_xlsx(registry, xlsx.content, filename="posyandu-import.xlsx")
    assert (unchanged["created"], unchanged["rejected"], unchanged["rows"]) == (0, 0, [])
    csv = await registry.client.get(f"{IMPORT}/template.csv", headers=registry.dpmd)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text == ",".join(COLUMNS) + "\n"
    assert (await upload_csv(registry, csv.text))["rows"] == []
    assert await stored(registry) == {}

    # Filled in, in the sheet's Text cells, codes keep their zeros.
    filled_in = ["Posyandu Mawar", TENGGARONG_DESA, "Dusun I", "003", "001"]
    for column, value in zip("ABCDE", filled_in, strict=True):
        sheet[f"{column}2"] = value
    filled = io.BytesIO()
    book.save(filled)
    answer = await upload_xlsx(registry, filled.getvalue(), filename="posyandu-import.xlsx")
    assert (answer["created"], answer["rejected"]) == (1, 0)
    assert answer["rows"][0]["row"] == 2
    assert await stored(registry) == {"Posyandu Mawar": (TENGGARONG_DESA, "003", None)}
    tp = await registry.client.get(f"{IMPORT}/template.xlsx", headers=registry.tp)
    assert tp.status_code == 403  # the template is for who may import


async def test_a_file_that_is_not_a_workbook_is_one_422_naming_it(registry: Registry) -> None:
    good = workbook([COLUMNS, ["Posyandu Mawar", TENGGARONG_DESA]])
    cases = {
        b"name,desa_code\nPosyandu Mawar,64.02.06.2012\n": "xlsx_unreadable",  # a CSV
        good[: len(good) // 2]: "xlsx_unreadable",  # cut off in transfer
        good.replace(b"xl/worksheets/sheet1.xml", b"xl/worksheets/sheetX.xml"): "xlsx_unreadable",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504: "xls_not_supported",
        workbook([["nama", "kode desa"], ["Posyandu Mawar", TENGGARONG_DESA]]): "xlsx_header",
    }
    for body, rule in cases.items():
        problem = await upload_xlsx(registry, body, status=422, filename="kukar.xlsx")
        assert [e["rule"] for e in problem["errors"]] == [rule], problem
        if rule != "xlsx_header":
            assert problem["file"] == "kukar.xlsx" and "kukar.xlsx" in problem["detail"]
    too_many = workbook([COLUMNS] + [[f"Posyandu {i}", TENGGARONG_DESA] for i in range(5001)])
    problem = await upload_xlsx(registry, too_many, status=422)
    assert problem["errors"][0]["rule"] == "too_many_rows"
    assert await stored(registry) == {} and await outbox_count(registry) == 0
