"""Kemendagri's registration numbers in bulk: each row matched to a posyandu of its desa and
registered through the lifecycle's own ``register`` step (``apply_action``), or answered with
why not.

Decided up front, in one transaction: the rows' own checks (desa, wilayah, the number's form and
desa, a number twice in the file), then one locked read of the posyandu of the file's desa and
one read of who holds the file's numbers, then each row. Every refusal is raised before the
step changes anything, so a refused row leaves no trace and the good rows commit together. Only
a concurrent writer taking a number between the read and the commit can still fail the whole
upload (a 409 from ``commit``); sending the file again then answers row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from simpul_platform.csv_body import decode, malformed, records
from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_platform.errors import Conflict, InvalidInput
from simpul_platform.uow import UnitOfWork
from simpul_registry import wilayah
from simpul_registry.domain.lifecycle import Action
from simpul_registry.domain.registration import check_registration_number
from simpul_registry.domain.registration_import import match
from simpul_registry.models import Posyandu
from simpul_registry.ops.lifecycle import apply_action
from simpul_registry.schemas_registration import RegistrationNumberResult, RegistrationNumbersOut

COLUMNS = ("desa_code", "name", "registration_number")
NOTE = "Registered from Kemendagri's list (bulk import)"


@dataclass(frozen=True)
class Line:
    """One row of the upload as given: its place (``row`` 1 = the first data row; ``line`` in
    a CSV, 1 = the header) and its three values."""

    row: int
    line: int | None
    desa_code: str
    name: str
    registration_number: str


def parse_csv(raw: bytes, max_rows: int) -> list[Line]:
    """The rows of a CSV with a header naming the three columns (others are ignored); 422 naming
    the line when it cannot be read, the header lacks a column, or there are too many rows."""
    found = records(decode(raw))
    header_line, first = next(found, (1, []))
    header = [name.strip() for name in first]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput.field(
            "body",
            "csv_header",
            f"The CSV header lacks {', '.join(missing)}; expected: {', '.join(COLUMNS)}.",
        )
    for column, name in enumerate(header, start=1):
        if name and name in header[: column - 1]:
            raise malformed(
                "csv_duplicate_column", f"The column {name} appears twice.", header_line, column
            )
    lines: list[Line] = []
    for line, fields in found:
        if len(fields) > len(header):
            raise malformed(
                "csv_extra_fields",
                f"{len(fields)} fields under a header of {len(header)} columns.",
                line,
                len(header) + 1,
            )
        if len(lines) == max_rows:
            raise InvalidInput.field(
                "body", "too_many_rows", f"At most {max_rows} rows per upload; send it in parts."
            )
        values = dict(zip(header, (f.strip() for f in fields), strict=False))
        lines.append(Line(len(lines) + 1, line, *(values.get(c, "") for c in COLUMNS)))
    return lines


def _result(line: Line) -> RegistrationNumberResult:
    return RegistrationNumberResult(
        row=line.row,
        line=line.line,
        outcome="rejected",
        desa_code=line.desa_code,
        name=line.name,
        registration_number=line.registration_number,
    )


def _refuse(result: RegistrationNumberResult, rule: RuleViolation) -> RegistrationNumberResult:
    result.errors = [{"field": rule.field, "rule": rule.rule, "message": rule.message}]
    return result


def _check_row(line: Line, may_write: Callable[[str], bool], first_row: dict[str, int]) -> str:
    """The row's own rules, in the order a reader fixes them; its number, normalised."""
    for column in COLUMNS:
        if not getattr(line, column):
            raise RuleViolation(column, "required", f"The {column} is empty.")
    wilayah.check_desa(line.desa_code)
    if not may_write(line.desa_code):
        raise RuleViolation(
            "desa_code", "outside_wilayah", f"{line.desa_code} is outside your wilayah."
        )
    number = check_registration_number(line.registration_number, line.desa_code)
    first = first_row.setdefault(number, line.row)
    if first != line.row:
        raise RuleViolation(
            "registration_number",
            "duplicate_in_file",
            f"Row {first} already gives the number {number}.",
        )
    return number


async def register_numbers(
    uow: UnitOfWork,
    lines: Sequence[Line],
    actor: str,
    may_write: Callable[[str], bool],
) -> RegistrationNumbersOut:
    """Register each good row; explain each other one. The caller commits."""
    results: list[RegistrationNumberResult] = []
    good: list[tuple[Line, str, RegistrationNumberResult]] = []
    first_row: dict[str, int] = {}
    for line in lines:
        result = _result(line)
        results.append(result)
        try:
            good.append((line, _check_row(line, may_write, first_row), result))
        except RuleViolation as rule:
            _refuse(result, rule)
    by_desa, holders = await _read(uow, good)
    taken_by: dict[str, int] = {}  # posyandu id → the row that gave it a number
    for line, number, result in good:
        try:
            await _register(uow, line, number, result, by_desa, holders, taken_by, actor)
        except RuleViolation as rule:
            _refuse(result, rule)
    counts = {
        o: sum(1 for r in results if r.outcome == o)
        for o in ("registered", "unchanged", "rejected")
    }
    return RegistrationNumbersOut(rows=results, **counts)


async def _read(
    uow: UnitOfWork,
    good: Sequence[tuple[Line, str, RegistrationNumberResult]],
) -> tuple[dict[str, list[Posyandu]], dict[str, str]]:
    """The posyandu of the rows' desa (locked in id order, so a second upload of the same list
    waits and then finds them registered) and who holds the rows' numbers."""
    desa = sorted({line.desa_code for line, _, _ in good})
    numbers = sorted({number for _, number, _ in good})
    by_desa: dict[str, list[Posyandu]] = {}
    holders: dict[str, str] = {}
    if not good:
        return by_desa, holders
    found = await uow.session.exec(
        select(Posyandu)
        .where(col(Posyandu.desa_code).in_(desa))
        .order_by(col(Posyandu.id))
        .with_for_update()
    )
    for p in found.all():
        by_desa.setdefault(p.desa_code, []).append(p)
    held = await uow.session.exec(
        select(Posyandu.registration_number, Posyandu.id).where(
            col(Posyandu.registration_number).in_(numbers)
        )
    )
    holders = {number: pid for number, pid in held.all() if number is not None}
    return by_desa, holders


async def _register(
    uow: UnitOfWork,
    line: Line,
    number: str,
    result: RegistrationNumberResult,
    by_desa: dict[str, list[Posyandu]],
    holders: dict[str, str],
    taken_by: dict[str, int],
    actor: str,
) -> None:
    p = match(line.name, by_desa.get(line.desa_code, []))
    result.posyandu_id = p.id
    earlier = taken_by.setdefault(p.id, line.row)
    if earlier != line.row:
        raise RuleViolation(
            "name", "posyandu_twice_in_file", f"Row {earlier} already gives {p.name!r} a number."
        )
    if p.registration_number == number:
        result.outcome = "unchanged"  # the same list sent again
        return
    holder = holders.get(number)
    if holder is not None and holder != p.id:
        raise RuleViolation(
            "registration_number",
            "number_taken",
            f"Registration number {number} is already held by another posyandu.",
        )
    try:
        await apply_action(uow, p, Action.register, actor, registration_number=number, reason=NOTE)
    except TransitionRefused as refused:
        raise RuleViolation(
            "name",
            "not_verified",
            f"{p.name!r} is {p.status}; only a verified posyandu is registered.",
        ) from refused
    except Conflict as taken:
        raise RuleViolation("registration_number", "number_taken", str(taken)) from taken
    holders[number] = p.id
    result.outcome = "registered"
