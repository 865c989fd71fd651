"""Bulk import of posyandu from CSV or an Excel workbook: one result per row, idempotent on
re-upload.

Columns: ``name, desa_code, dusun, rt, rw, address, latitude, longitude, fields`` (fields
separated by ``;``), named case- and space-insensitively in either format. A row is matched to
an existing posyandu by desa code and name; a row equal to what is stored changes nothing, so
uploading the same file twice is harmless. Each error of a row names its column by header name
(``field``) and by the letter a spreadsheet shows over it (``column``); a workbook's rows keep
the sheet's numbers. A desa code written as its ten digits (as a number in Excel, say) is read
as the dotted code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select

from simpul_platform.csv_body import decode, malformed, records
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import InvalidInput, ProblemError, rule_violation, validation_errors
from simpul_platform.uow import UnitOfWork
from simpul_platform.xlsx_body import column_key, column_letter, read_sheet
from simpul_registry.domain.fields import decode_fields, normalise_fields
from simpul_registry.events import PosyanduRegistered
from simpul_registry.models import Posyandu
from simpul_registry.ops.posyandu import (
    ADDRESS_FIELDS,
    name_key,
    new_posyandu,
    publish,
    record_creation,
    update_posyandu,
)
from simpul_registry.schemas import ImportOut, ImportRowResult, PosyanduIn, PosyanduPatch

COLUMNS = ("name", "desa_code", "dusun", "rt", "rw", "address", "latitude", "longitude", "fields")
REQUIRED = ("name", "desa_code")
COORDINATES = {"latitude", "longitude"}
TEXT_COLUMNS = ("name", "desa_code", "dusun", "rt", "rw", "address", "fields")
EXAMPLE_ROW: tuple[str | float | None, ...] = (
    "Posyandu Mawar", "64.02.06.2012", "Dusun I", "003", "001", None, -0.41, 117.02,
    "health;education")
_UNDOTTED_DESA = re.compile(r"\d{10}")


@dataclass
class ImportRow:
    number: int  # the row a person finds it at (a CSV's from X-First-Row, a sheet's own)
    values: dict[str, str]  # by column key
    errors: list[dict[str, str]] = field(default_factory=list)  # cells that could not be read


@dataclass
class ImportTable:
    letters: dict[str, str]  # column key → the letter a spreadsheet shows over it
    rows: list[ImportRow]


def _insensitive(name: str) -> str:
    """``name`` as column_key matches it: any case, spaces or underscores between words."""
    return "".join("[ \t_]+" if c == "_" else f"[{c}{c.upper()}]" for c in name)


def body_pattern(required: tuple[str, str] = REQUIRED) -> str:
    """What parse_csv reads, as a pattern for the OpenAPI document: UTF-8 text (a byte-order mark
    allowed) whose first non-blank line is a header with both required columns, then records
    of plain or quoted fields. A pattern cannot count a row's fields against the header's or
    see a column named twice; those stay named rules (csv_extra_fields, csv_duplicate_column)."""
    field = r'(?:[^",\r\n\x00]*|"(?:[^"\x00]|"")*")'
    gap = rf"[ \t]*,(?:{field},)*[ \t]*"
    first, second = (_insensitive(name) for name in required)
    both = f"(?:{first}{gap}{second}|{second}{gap}{first})"
    header = rf"(?:{field},)*[ \t]*{both}[ \t]*(?:,{field})*"
    return rf"^\ufeff?(?:\r?\n)*{header}(?:\r?\n{field}(?:,{field})*)*\r?\n?$"


BODY_PATTERN = body_pattern()
BODY_MIN_LENGTH = len(",".join(REQUIRED))


def parse_csv(raw: bytes, max_rows: int, first_row: int = 1) -> ImportTable:
    """Rows of stripped strings by column key, numbered from ``first_row``. 422 (naming the line,
    and the column where known) when the body is not a readable UTF-8 CSV or a row has more
    fields than the header; 422 when the header lacks a required column or there are over
    ``max_rows`` rows."""
    found = records(decode(raw))
    header_line, first = next(found, (1, []))
    header = [column_key(name) for name in first]
    _check_header(header, header_line)
    rows: list[ImportRow] = []
    for line, fields in found:
        if len(fields) > len(header):
            raise malformed("csv_extra_fields", f"{len(fields)} fields under a header of "
                            f"{len(header)} columns.", line, len(header) + 1)
        if len(rows) == max_rows:
            raise InvalidInput.field("body", "too_many_rows",
                                     f"At most {max_rows} rows per upload; send it in parts.")
        values = {name: value.strip() for name, value in zip(header, fields, strict=False)}
        rows.append(ImportRow(first_row + len(rows), values))
    letters = {name: column_letter(i) for i, name in enumerate(header, start=1) if name}
    return ImportTable(letters, rows)


def parse_xlsx(raw: bytes, max_rows: int, filename: str) -> ImportTable:
    """The first sheet's rows under the header naming the required columns; 422 naming the
    file when it is not a readable workbook (see ``simpul_platform.xlsx_body``)."""
    sheet = read_sheet(raw, max_rows=max_rows, required=REQUIRED, filename=filename)
    rows = [ImportRow(r.number, r.values, [e.model_dump() for e in r.errors])
            for r in sheet.rows]
    return ImportTable(sheet.letters, rows)


def _check_header(header: list[str], line: int) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput.field("body", "csv_header",
                                 f"The CSV header lacks {', '.join(missing)}; "
                                 f"expected columns: {', '.join(COLUMNS)}.")
    for column, name in enumerate(header, start=1):
        if name and name in header[:column - 1]:
            raise malformed("csv_duplicate_column", f"The column {name} appears twice.",
                            line, column)


def row_to_input(row: dict[str, str]) -> PosyanduIn:
    values: dict[str, Any] = {k: v for k, v in row.items() if k in COLUMNS and v != ""}
    code = values.get("desa_code", "")
    if _UNDOTTED_DESA.fullmatch(code):
        values["desa_code"] = f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
    if "fields" in values:
        values["fields"] = [f.strip() for f in values["fields"].replace("|", ";").split(";")
                            if f.strip()]
    return PosyanduIn.model_validate(values)


def _differences(p: Posyandu, data: PosyanduIn) -> PosyanduPatch | None:
    wanted = data.model_dump(include={"name", *ADDRESS_FIELDS})
    sent = {k: v for k, v in wanted.items() if v != getattr(p, k)}
    if sent.keys() & COORDINATES:  # a patch moves a point whole (both or neither)
        sent.update({k: wanted[k] for k in COORDINATES})
    fields = normalise_fields(f.value for f in data.fields)
    if fields != decode_fields(p.fields):
        sent["fields"] = fields
    return PosyanduPatch.model_validate(sent) if sent else None


def _parse_row(row: ImportRow) -> tuple[PosyanduIn | None, list[dict[str, str]]]:
    """The row as input, or its errors: the unreadable cells', then the rules' on the rest
    (a column whose cell was unreadable is not reported again as missing)."""
    broken = {e["field"] for e in row.errors}
    try:
        data = row_to_input({k: v for k, v in row.values.items() if k not in broken})
    except ValidationError as exc:
        found = [e.model_dump() for e in validation_errors(exc.errors())]
        return None, row.errors + [e for e in found if _column_of(e) not in broken]
    return (None, row.errors) if row.errors else (data, [])


def _column_of(error: dict[str, str]) -> str:
    return re.split(r"[.\[]", error.get("field", ""), maxsplit=1)[0]


def _with_letter(error: dict[str, str], letters: dict[str, str]) -> dict[str, str]:
    letter = letters.get(_column_of(error))
    return {**error, "column": letter} if letter else error


async def import_rows(
    uow: UnitOfWork, table: ImportTable, actor: str, may_write: Callable[[str], bool],
) -> ImportOut:
    """Create or update each good row; explain each bad one. The caller commits."""
    parsed = [(row.number, *_parse_row(row)) for row in table.rows]
    codes = {data.desa_code for _, data, _ in parsed if data is not None}
    existing: dict[tuple[str, str], Posyandu] = {}
    if codes:
        found = await uow.session.exec(select(Posyandu).where(col(Posyandu.desa_code).in_(codes)))
        existing = {(p.desa_code, p.name_key): p for p in found.all()}
    seen: set[tuple[str, str]] = set()
    results: list[ImportRowResult] = []
    for number, data, errors in parsed:
        if data is None:
            results.append(ImportRowResult(row=number, outcome="rejected", errors=errors))
            continue
        results.append(await _one_row(uow, number, data, actor, may_write, existing, seen))
    for result in results:
        result.errors = [_with_letter(e, table.letters) for e in result.errors]
    counts = {o: sum(1 for r in results if r.outcome == o)
              for o in ("created", "updated", "unchanged", "rejected")}
    return ImportOut(rows=results, **counts)


async def _one_row(
    uow: UnitOfWork, number: int, data: PosyanduIn, actor: str,
    may_write: Callable[[str], bool], existing: dict[tuple[str, str], Posyandu],
    seen: set[tuple[str, str]],
) -> ImportRowResult:
    key = (data.desa_code, name_key(data.name))
    result = ImportRowResult(row=number, outcome="rejected", name=data.name,
                             desa_code=data.desa_code)
    if key in seen:
        result.errors = [{"field": "name", "rule": "duplicate_in_file",
                          "message": "An earlier row has the same name in the same desa."}]
        return result
    seen.add(key)
    if not may_write(data.desa_code):
        result.errors = [{"field": "desa_code", "rule": "outside_wilayah",
                          "message": f"{data.desa_code} is outside your wilayah."}]
        return result
    try:
        current = existing.get(key)
        if current is None:
            p = new_posyandu(data, actor)
            uow.session.add(p)
            record_creation(uow, p)
            publish(uow, PosyanduRegistered, p)
            existing[key] = p
            result.outcome, result.posyandu_id = "created", p.id
            return result
        patch = _differences(current, data)
        result.posyandu_id = current.id
        if patch is None:
            result.outcome = "unchanged"
        else:
            await update_posyandu(uow, current, patch, actor)
            result.outcome = "updated"
    except (ProblemError, RuleViolation) as exc:
        problem = rule_violation(exc) if isinstance(exc, RuleViolation) else exc
        result.errors = [e.model_dump() for e in problem.errors] or [
            {"field": "row", "rule": problem.slug, "message": problem.detail or problem.title}]
    return result
