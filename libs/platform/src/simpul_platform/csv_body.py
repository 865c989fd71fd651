"""Reading an uploaded CSV body (the registry's posyandu imports, education's ATS lists). Whatever
the bytes, the answer is rows or a 422 naming the line (and the column where it is known): a
body the csv module cannot read (a field over its size limit, a quote left open or followed by
text, a bare carriage return) or one that is not UTF-8 is the client's to fix, never a 500. (A
NUL character, as in a UTF-16 or binary file, never gets here: the platform's guard answers it
with a 422 naming the line.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from simpul_platform.errors import FieldError, InvalidInput

# The csv module's complaints (its messages are its only error codes) as rules a client sees.
_CSV_RULES = (
    (
        "field larger than field limit",
        "csv_field_too_large",
        f"A field is longer than {csv.field_size_limit()} characters.",
    ),
    (
        "new-line character seen in unquoted field",
        "csv_newline_in_field",
        "A carriage return inside an unquoted field; quote the field or end lines with LF/CRLF.",
    ),
    (
        "unexpected end of data",
        "csv_unclosed_quote",
        "A quoted field is never closed (its quote runs to the end of the file).",
    ),
    (
        "expected after",
        "csv_quoting",
        'Text follows a closing quote; a quote inside a quoted field is written twice ("").',
    ),
)


def malformed(rule: str, message: str, line: int, column: int | str | None = None) -> InvalidInput:
    """The 422 of a body that is not a readable CSV: ``line`` (1 = the header) and ``column``
    (1 = the first, or a header's name, which the error's field then names) also travel as
    members of the problem."""
    where = f"Line {line}" + (f", column {column}" if column is not None else "")
    text = f"{where}: {message}"
    field = f"body.{column}" if isinstance(column, str) else "body"
    problem = InvalidInput(
        text, errors=[FieldError(field=field, rule=rule, message=text)], line=line
    )
    if column is not None:
        problem.extra["column"] = column
    return problem


def decode(raw: bytes) -> str:
    """The body as text, without a byte-order mark; 422 naming where it stops being UTF-8."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        before = raw[line_start : exc.start].decode("utf-8", errors="replace")
        raise malformed(
            "encoding",
            "Not UTF-8 (save the CSV as UTF-8).",
            raw.count(b"\n", 0, exc.start) + 1,
            _column_at(before),
        ) from exc


def _column_at(line_prefix: str) -> int | None:
    """Which column the text after ``line_prefix`` falls in (unknown past a quoted newline)."""
    try:
        return max(1, len(next(csv.reader([line_prefix]), [])))
    except csv.Error:
        return None


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, its fields) for every non-blank record."""
    reader = csv.reader(io.StringIO(text), strict=True)
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            rule, message = _rule_of(exc)
            raise malformed(rule, message, line) from exc
        if fields:
            yield line, fields


def _rule_of(exc: csv.Error) -> tuple[str, str]:
    for fragment, rule, message in _CSV_RULES:
        if fragment in str(exc):
            return rule, message
    return "csv_malformed", f"Not a readable CSV ({exc})."
