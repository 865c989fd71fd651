"""A page's table as a file: CSV or Excel (.xlsx), the same figures as the page.

Every file starts with header lines naming the wilayah, the period and the time it was
produced, then a blank line, then the table (its localized headers, then its rows). Figures are
written as numbers (not as the page's formatted text), so a spreadsheet can add them up.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # already in the reader's language


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[dict[str, Any]]

    def cells(self) -> list[list[Any]]:
        return [[row.get(c.key) for c in self.columns] for row in self.rows]


@dataclass(frozen=True)
class Heading:
    """What the file is about: the header lines, with their labels in the reader's language."""

    wilayah: str  # "64.02 Kutai Kartanegara"
    period: str
    produced_at: datetime
    labels: tuple[str, str, str]  # wilayah, period, produced-at

    def lines(self) -> list[list[str]]:
        wilayah, period, produced = self.labels
        stamp = self.produced_at.isoformat(timespec="seconds")
        return [[wilayah, self.wilayah], [period, self.period], [produced, stamp]]


def export_table(table: Table, heading: Heading, fmt: ExportFormat) -> bytes:
    """The table with its header lines, as CSV (UTF-8 with a byte-order mark, so Excel reads
    the Indonesian names right) or as an .xlsx workbook of one sheet."""
    if fmt is ExportFormat.csv:
        return _csv(table, heading)
    return _xlsx(table, heading)


def export_response(content: bytes, fmt: ExportFormat, name: str) -> Response:
    """The file as a download named ``name.csv`` or ``name.xlsx``."""
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'},
    )


def _csv(table: Table, heading: Heading) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(heading.lines())
    writer.writerow([])
    writer.writerow([c.header for c in table.columns])
    writer.writerows([["" if v is None else v for v in row] for row in table.cells()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(table: Table, heading: Heading) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    for line in heading.lines():
        sheet.append(line)
    sheet.append([])
    sheet.append([c.header for c in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in table.cells():
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
