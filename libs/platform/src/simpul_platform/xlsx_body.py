"""Reading an uploaded Excel workbook (.xlsx) as rows of text, and writing a template one.

The twin of ``csv_body``: an import that takes a CSV takes the same columns from the first
sheet of a workbook, and every cell arrives as the text a CSV would carry, so one set of row
rules serves both. What Excel does to the values is undone here, where it can be:

- a code typed as a number (a desa code 6402062012, stored as 6402062012.0) is its digits,
  never ``"6402062012.0"``; any number reads as Excel shows it (15 significant digits);
- a number of more than 15 digits (a NIK, say) is that cell's error: Excel keeps 15 digits and
  turns the rest to zeros, so the value is no longer the one typed and cannot be recovered;
- a date cell is ISO text (``2026-03-10``; with its time when it has one);
- a merged range reads as the value of its top-left cell in every cell it covers: that is what
  the person sees on screen (a desa code merged down over its posyandu, say), and a range that
  covers the wrong columns still meets each column's own rules;
- a row none of whose own cells holds a value is skipped (a merged value alone keeps nothing
  alive), as a blank line is in a CSV; rows keep the sheet's numbers, so an error names the row
  and the column letter the person sees.

The header is the first row that names every required column (a title row above it is
skipped); names match case- and space-insensitively (``Desa Code`` is ``desa_code``). A body
that is not a workbook, or whose unpacked parts are over ``MAX_UNZIPPED_BYTES`` (a zip of a few
MiB can unpack to GiB), is one 422 naming the file. The sheet is streamed (openpyxl's read-only
mode), so memory stays flat whatever the row count; the row limit is the caller's, as for CSV.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, range_boundaries

from simpul_platform.errors import FieldError, InvalidInput, ProblemError

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UNZIPPED_BYTES = 32 * 1024 * 1024
MAX_MERGED_RANGES = 2_000  # each is checked against each row it covers
HEADER_SEARCH_ROWS = 10  # non-empty rows looked at for the header (titles above it)
EXCEL_DIGITS = 15  # what Excel keeps of a number
_MERGE_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


@dataclass(frozen=True)
class SheetRow:
    number: int  # the sheet's own row number (1 = its first row)
    values: dict[str, str]  # by column key; "" for an empty cell
    errors: list[FieldError] = field(default_factory=list)  # cells that cannot be read


@dataclass(frozen=True)
class Sheet:
    header_row: int
    letters: dict[str, str]  # column key → the column's letter
    rows: list[SheetRow]


def column_key(name: str) -> str:
    """A header's name as a column key: ``" Desa  Code "`` and ``"desa_code"`` are one."""
    return re.sub(r"[\s_]+", "_", name.strip()).lower()


def filename_of(content_disposition: str | None, default: str = "upload.xlsx") -> str:
    """The file's name from a ``Content-Disposition`` header, else ``default``."""
    found = _FILENAME.search(content_disposition or "")
    name = found.group(1).strip().rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if found else ""
    return name[:120] or default


def unreadable(filename: str, rule: str, reason: str) -> InvalidInput:
    """The one 422 of a file that cannot be read at all, naming it."""
    text = f"{filename}: {reason}"
    problem = InvalidInput(text, errors=[FieldError(field="body", rule=rule, message=text)])
    problem.extra["file"] = filename
    return problem


def read_sheet(
    raw: bytes, *, max_rows: int, required: Sequence[str] = (), filename: str = "upload.xlsx"
) -> Sheet:
    """The first sheet's rows under its header; 422 naming the file when it is not a readable
    workbook, the header when it lacks ``required``, and too_many_rows past ``max_rows``."""
    archive = _archive(raw, filename)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # read-only mode skips merged ranges; its sheet knows its part, so they are read here
        merged = _merged_ranges(archive, sheet._worksheet_path, filename)
        sheet.reset_dimensions()  # a stale <dimension> must not cut rows off
        return _Reader(merged, required, max_rows).read(sheet.iter_rows())
    except ProblemError:
        raise
    except Exception as exc:  # openpyxl's failures on a damaged part have no common base
        raise unreadable(
            filename, "xlsx_unreadable", f"not a readable Excel workbook ({type(exc).__name__})."
        ) from exc


def _archive(raw: bytes, filename: str) -> zipfile.ZipFile:
    if raw.startswith(_OLE_SIGNATURE):
        raise unreadable(
            filename, "xls_not_supported", "an Excel 97-2003 workbook (.xls); save it as .xlsx."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable(
            filename, "xlsx_unreadable", "not an Excel workbook (.xlsx is a zip archive)."
        ) from exc
    # zipfile stops reading a part at its declared size, so the sum bounds the work.
    if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
        raise unreadable(
            filename,
            "xlsx_too_large",
            f"unpacks to over {MAX_UNZIPPED_BYTES // 2**20} MiB; send it in parts.",
        )
    return archive


def _merged_ranges(
    archive: zipfile.ZipFile, path: str, filename: str
) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range (read-only mode skips them)."""
    ranges: list[tuple[int, int, int, int]] = []
    with archive.open(path.lstrip("/")) as xml:
        for _, element in ElementTree.iterparse(xml):
            if element.tag == _MERGE_TAG and (ref := element.get("ref")):
                if len(ranges) == MAX_MERGED_RANGES:
                    raise unreadable(
                        filename, "xlsx_too_many_merged", f"over {MAX_MERGED_RANGES} merged ranges."
                    )
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                ranges.append(
                    (min_col or 1, min_row or 1, max_col or min_col or 1, max_row or min_row or 1)
                )
            element.clear()
    return ranges


class _Reader:
    """One pass over the sheet's rows: header, then data rows with merged cells filled."""

    def __init__(
        self, merged: list[tuple[int, int, int, int]], required: Sequence[str], max_rows: int
    ) -> None:
        self.pending = sorted(merged, key=lambda r: r[1], reverse=True)  # popped from the end
        self.active: list[tuple[int, int, int, int]] = []
        self.required = [column_key(c) for c in required]
        self.max_rows = max_rows
        self.tops: dict[tuple[int, int], str | FieldError] = {}  # top-left cells' readings
        self.header: dict[int, str] = {}  # column number → key
        self.header_row = 0

    def read(self, rows: Iterator[tuple[Any, ...]]) -> Sheet:
        found: list[SheetRow] = []
        seen = 0
        for number, cells in enumerate(rows, start=1):
            own = {c: _cell_text(cell, number, c) for c, cell in enumerate(cells, start=1)}
            if all(v == "" for v in own.values()):
                continue
            readings = self._with_merged(number, own)
            if not self.header:
                seen += 1
                self._try_header(number, readings, last_try=seen == HEADER_SEARCH_ROWS)
                continue
            if len(found) == self.max_rows:
                raise InvalidInput.field(
                    "body",
                    "too_many_rows",
                    f"At most {self.max_rows} rows per upload; send it in parts.",
                )
            found.append(self._row(number, readings))
        if not self.header:
            self._missing([])
        letters = {key: get_column_letter(c) for c, key in self.header.items()}
        return Sheet(self.header_row, letters, found)

    def _with_merged(
        self, number: int, own: dict[int, str | FieldError]
    ) -> dict[int, str | FieldError]:
        while self.pending and self.pending[-1][1] <= number:  # ranges starting by this row
            self.active.append(self.pending.pop())
        self.active = [r for r in self.active if r[3] >= number]
        readings = dict(own)
        columns = self.header or own
        for min_col, min_row, max_col, _ in self.active:
            if number == min_row:
                self.tops[(min_row, min_col)] = own.get(min_col, "")
            top = self.tops.get((min_row, min_col), "")
            for column in columns:
                if min_col <= column <= max_col and (column, number) != (min_col, min_row):
                    readings[column] = top
        return readings

    def _try_header(
        self, number: int, readings: dict[int, str | FieldError], last_try: bool
    ) -> None:
        names = {c: column_key(v) for c, v in readings.items() if isinstance(v, str) and v}
        if not set(self.required) <= set(names.values()):
            if last_try:
                self._missing(list(names.values()))
            return
        seen: set[str] = set()
        for column, key in names.items():
            if key in seen:
                raise InvalidInput.field(
                    "body",
                    "xlsx_duplicate_column",
                    f"Row {number}, column {get_column_letter(column)}: the column {key} "
                    "appears twice.",
                )
            seen.add(key)
        self.header, self.header_row = names, number

    def _missing(self, names: list[str]) -> None:
        lacking = [c for c in self.required if c not in names]
        raise InvalidInput.field(
            "body",
            "xlsx_header",
            f"No header row names {', '.join(lacking or self.required)} in the first sheet.",
        )

    def _row(self, number: int, readings: dict[int, str | FieldError]) -> SheetRow:
        row = SheetRow(number, {key: "" for key in self.header.values()})
        for column, key in self.header.items():
            value = readings.get(column, "")
            if isinstance(value, FieldError):
                row.errors.append(value.model_copy(update={"field": key}))
            else:
                row.values[key] = value
        return row


def _cell_text(cell: Any, row: int, column: int) -> str | FieldError:
    """The cell as the text a CSV would carry, or why it cannot be."""
    value = getattr(cell, "value", None)
    where = f"{get_column_letter(column)}{row}"
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "e":
        return _error(where, "excel_error", f"the cell holds Excel's error {value}.")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value, where)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value).strip()
    if "\x00" in text:
        return _error(where, "nul_character", "Text may not contain the NUL character.")
    return text


def _number_text(value: int | float, where: str) -> str | FieldError:
    if isinstance(value, float) and not math.isfinite(value):
        return _error(where, "excel_number", "not a finite number.")
    if abs(value) >= 10**EXCEL_DIGITS and float(value).is_integer():
        return _error(
            where,
            "excel_number_precision",
            "a number of more than 15 digits: Excel "
            "keeps only 15 and turns the rest to zeros. Format the column as Text and "
            "type the value again.",
        )
    if isinstance(value, int):
        return str(value)
    # As Excel shows it: 15 significant digits, and no ".0" on a whole number (a code).
    return format(value, f".{EXCEL_DIGITS}g")


def _error(where: str, rule: str, message: str) -> FieldError:
    return FieldError(field="", rule=rule, message=f"{where}: {message}")


def write_workbook(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    text_columns: Sequence[str] = (),
    title: str = "Sheet1",
    example: Sequence[object] | None = None,
) -> bytes:
    """A workbook whose first sheet has a bold header, then ``rows``; ``text_columns`` are
    formatted as Text (on the rows given, or on the first rows to fill in when there are none)
    so a code typed into them keeps its leading zeros and all its digits. ``example`` goes on a
    second sheet of its own, which an import never reads: a template uploaded as downloaded
    imports nothing."""
    book = Workbook()
    _fill(book.active, title, columns, rows, text_columns)
    if example is not None:
        _fill(book.create_sheet(), EXAMPLE_SHEET, columns, [example], text_columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXAMPLE_SHEET = "example"
BLANK_ROWS_FORMATTED = 500  # rows of an empty template whose text columns are Text already


def _fill(
    sheet: Any,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    text_columns: Sequence[str],
) -> None:
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(list(values))
    last = 1 + (len(rows) or BLANK_ROWS_FORMATTED)
    for index, name in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(name) + 4)
        if name in text_columns:
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, last + 1):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"


def column_letter(number: int) -> str:
    """The letter a spreadsheet shows over column ``number`` (1 = A), as a CSV opened in it."""
    return str(get_column_letter(number))
