"""A day's attendance as a sheet: the template a pengurus fills in (the kader appointed that
day, one row each), and the filled sheet read back as CSV or an Excel workbook, each row
answered by its own row number and column letter."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date

from simpul_platform.csv_body import decode, records
from simpul_platform.errors import FieldError, InvalidInput
from simpul_platform.xlsx_body import column_key, column_letter, read_sheet, write_workbook
from simpul_registry.schemas_days import AttendanceOut, AttendanceSheetOut, AttendanceSheetResult

COLUMNS = ("person_id", "name", "field", "status")
REQUIRED = ("person_id", "status")
STATUSES = "present, absent or excused"
_ITEM_FIELD = re.compile(r"^body\.items\[\d+\]\.")


def template_rows(kader: Sequence[tuple[str, str, str | None]]) -> list[list[str]]:
    """One row a kader (id, name, field), the status left for the pengurus."""
    return [[person_id, name, field or "", ""] for person_id, name, field in kader]


def template_csv(kader: Sequence[tuple[str, str, str | None]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(template_rows(kader))
    return out.getvalue()


def template_xlsx(kader: Sequence[tuple[str, str, str | None]], day: date) -> bytes:
    return write_workbook(COLUMNS, template_rows(kader), ("person_id",), title=f"{day}")


class SheetRows:
    """The rows of a filled sheet: each one's sheet row number, its values, and the errors of
    cells that could not be read."""

    def __init__(self, letters: dict[str, str]) -> None:
        self.letters = letters
        self.numbers: list[int] = []
        self.items: list[dict[str, str]] = []
        self.unreadable: dict[int, list[FieldError]] = {}

    def add(self, number: int, values: dict[str, str], errors: list[FieldError]) -> None:
        if not any(values.get(c, "") for c in REQUIRED) and not errors:
            return  # an empty row, or one the pengurus left blank: nothing to record
        if errors:
            self.unreadable[number] = errors
            return
        self.numbers.append(number)
        self.items.append(
            {"person_id": values.get("person_id", ""), "status": values.get("status", "")}
        )


def read_csv(raw: bytes, max_rows: int) -> SheetRows:
    found = records(decode(raw))
    _, first = next(found, (1, []))
    header = [column_key(name) for name in first]
    _require(header)
    rows = SheetRows({name: column_letter(i) for i, name in enumerate(header, start=1) if name})
    for count, (line, fields) in enumerate(found, start=1):
        if count > max_rows:
            raise InvalidInput.field("body", "too_many_rows", f"At most {max_rows} rows.")
        rows.add(line, dict(zip(header, (f.strip() for f in fields), strict=False)), [])
    return rows


def read_xlsx(raw: bytes, max_rows: int, filename: str) -> SheetRows:
    sheet = read_sheet(raw, max_rows=max_rows, required=REQUIRED, filename=filename)
    rows = SheetRows(sheet.letters)
    for row in sheet.rows:
        rows.add(row.number, row.values, list(row.errors))
    return rows


def _require(header: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput.field(
            "body",
            "csv_header",
            f"The header lacks {', '.join(missing)}; columns: {', '.join(COLUMNS)}.",
        )


def answered(rows: SheetRows, answer: AttendanceOut) -> AttendanceSheetOut:
    """The bulk answer by sheet row: each error names the column (its key and letter)."""
    results = [
        AttendanceSheetResult(
            row=number,
            **result.model_dump(exclude={"errors", "index"}),
            errors=[_in_column(e, rows.letters) for e in result.errors],
        )
        for number, result in zip(rows.numbers, answer.results, strict=True)
    ]
    results += [
        AttendanceSheetResult(row=number, status="error", errors=errors)
        for number, errors in rows.unreadable.items()
    ]
    results.sort(key=lambda r: r.row)
    return AttendanceSheetOut(
        recorded=answer.recorded,
        errors=sum(r.status == "error" for r in results),
        results=results,
    )


def _in_column(error: FieldError, letters: dict[str, str]) -> FieldError:
    name = _ITEM_FIELD.sub("", error.field)
    letter = letters.get(name)
    message = f"Column {letter} ({name}): {error.message}" if letter else error.message
    if name == "status" and error.rule == "literal_error":
        message = f"Column {letter} (status): {STATUSES}."
    return FieldError(field=name, rule=error.rule, message=message)
