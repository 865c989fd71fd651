"""A Dapodik-style list of children out of school, imported as ATS cases: one result per row,
idempotent (a child whose case is open is ``already_open``, so the same file twice opens
nothing new).

The file is UTF-8 CSV (a byte-order mark allowed), comma-separated, with this header, in this
order (further columns after them are ignored)::

    nik,no_kk,nama,tanggal_lahir,jenis_kelamin,kategori,jenjang_terakhir,kelas_terakhir

- ``nik``, ``no_kk``: 16 digits; ``nama``: 1–120 characters;
- ``tanggal_lahir``: YYYY-MM-DD; ``jenis_kelamin``: L or P (both checked against the NIK);
- ``kategori``: BPB, DO or LTM;
- ``jenjang_terakhir``: empty for BPB; for DO/LTM one of SD, SMP, SMA, SMK, PAKET_A, PAKET_B,
  PAKET_C (empty: read from the child's statuses); ``kelas_terakhir``: empty or 1–13.

Each row registers the child at the posyandu if its NIK is unknown (the registration rules),
then opens a case (source ``dapodik_match``, detected on the given day: the child's status
becomes ``out_of_school`` then, source ``dapodik_match``, as ``ops.ats.open_case`` says) and
classifies it; a child whose case a kader's out-of-school status opened (``ops.ats_detection``)
is ``already_open``, and the import's own statuses detect nothing, so a row opens one case at
most. A row's errors name its column and rule; a file that is not such a CSV is a
422 naming the line or the missing column. At most ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlmodel import col, select

from simpul_education.domain.ats import check_age, check_category
from simpul_education.domain.children import Identity, age_years, check_identity
from simpul_education.models import Child
from simpul_education.ops import ats, ats_reads, children
from simpul_education.ops.access import posyandu_for_write
from simpul_education.schemas.ats import ClassifyIn, ImportOut, ImportRowError, ImportRowResult
from simpul_education.schemas.children import ChildIn
from simpul_education.settings import EducationSettings
from simpul_platform.auth import Principal
from simpul_platform.csv_body import decode, malformed, records
from simpul_platform.domain import RuleViolation, not_in_future
from simpul_platform.errors import InvalidInput, ProblemError
from simpul_platform.identity import KK_PATTERN, NIK_PATTERN
from simpul_platform.uow import UnitOfWork

COLUMNS = (
    "nik",
    "no_kk",
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "kategori",
    "jenjang_terakhir",
    "kelas_terakhir",
)
MAX_ROWS = 1000
JENJANG = ("sd", "smp", "sma", "smk", "paket_a", "paket_b", "paket_c")
# Where a rule the registration or the case names lands in the file.
COLUMN_OF = {
    "body.nik": "nik",
    "body.kk": "no_kk",
    "body.name": "nama",
    "body.birth_date": "tanggal_lahir",
    "body.sex": "jenis_kelamin",
    "body.child_id": "tanggal_lahir",  # the child's age on the detection day
    "body.category": "kategori",
    "body.last_jenjang": "jenjang_terakhir",
    "body.last_kelas": "kelas_terakhir",
    "body.posyandu_id": "posyandu_id",
}


def _body_pattern() -> str:
    """What ``parse`` reads, for the OpenAPI document: the header above (then any columns),
    then records of plain or quoted fields."""
    cell = r'(?:[^",\r\n\x00]*|"(?:[^"\x00]|"")*")'
    header = ",".join(rf"[ \t]*{name}[ \t]*" for name in COLUMNS) + rf"(?:,{cell})*"
    return rf"^\ufeff?{header}(?:\r?\n{cell}(?:,{cell})*)*\r?\n?$"


BODY_PATTERN = _body_pattern()
TEMPLATE = (
    ",".join(COLUMNS) + "\n6402065207140001,6402061234560001,Siti Aminah,2014-07-12,P,DO,SD,4\n"
)


# --- reading the file ---------------------------------------------------------------------


def parse(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, cells by column) of every row; 422 when the body is not UTF-8, not a readable
    CSV, lacks a column of the header (named), or has over ``MAX_ROWS`` rows."""
    found = records(decode(raw))
    _, first = next(found, (1, []))
    header = [name.strip() for name in first]
    for position, name in enumerate(COLUMNS):
        if position >= len(header) or header[position] != name:
            missing = name not in header
            raise malformed(
                "csv_missing_column" if missing else "csv_column_order",
                f"The header {'lacks' if missing else 'has out of place'} the column {name}; "
                f"it is {','.join(COLUMNS)} (in this order).",
                1,
                name,
            )
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in found:
        if len(cells) > len(header):
            raise malformed(
                "csv_extra_fields",
                f"{len(cells)} cells under a header of {len(header)} columns.",
                line,
            )
        if len(rows) == MAX_ROWS:
            raise InvalidInput.field(
                "body", "too_many_rows", f"At most {MAX_ROWS} rows per file; send it in parts."
            )
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        rows.append((line, {name: values.get(name, "") for name in COLUMNS}))
    return rows


# --- one row ------------------------------------------------------------------------------


@dataclass
class Row:
    """A row's cells, checked one by one (the errors name their column)."""

    line: int
    nik: str = ""
    kk: str = ""
    name: str = ""
    birth_date: date | None = None
    sex: str = ""
    category: str = ""
    jenjang: str | None = None
    kelas: int | None = None
    errors: list[ImportRowError] = field(default_factory=list)

    def error(self, column: str, rule: str, message: str) -> None:
        self.errors.append(ImportRowError(field=column, rule=rule, message=message))


def read_row(line: int, cells: dict[str, str]) -> Row:
    row = Row(line, nik=cells["nik"], kk=cells["no_kk"], name=cells["nama"])
    if not re.match(NIK_PATTERN, row.nik):
        row.error("nik", "format", "A NIK is 16 digits.")
    if not re.match(KK_PATTERN, row.kk):
        row.error("no_kk", "format", "A No. KK is 16 digits.")
    if not 1 <= len(row.name) <= 120:
        row.error("nama", "length", "A name of 1–120 characters.")
    try:
        row.birth_date = date.fromisoformat(cells["tanggal_lahir"])
    except ValueError:
        row.error("tanggal_lahir", "date_format", "A date is YYYY-MM-DD.")
    row.sex = cells["jenis_kelamin"].upper()
    if row.sex not in ("L", "P"):
        row.error("jenis_kelamin", "unknown_code", "L or P.")
    row.category = cells["kategori"].lower()
    if row.category not in ("bpb", "do", "ltm"):
        row.error("kategori", "unknown_code", "BPB, DO or LTM.")
    _read_level(row, cells)
    return row


def _read_level(row: Row, cells: dict[str, str]) -> None:
    jenjang = cells["jenjang_terakhir"].lower().replace(" ", "_") or None
    if jenjang is not None and jenjang not in JENJANG:
        row.error("jenjang_terakhir", "unknown_code", f"Empty or one of {', '.join(JENJANG)}.")
    elif jenjang is not None and row.category == "bpb":
        row.error("jenjang_terakhir", "not_applicable", "BPB: the child never reached a jenjang.")
    row.jenjang = jenjang
    kelas = cells["kelas_terakhir"]
    if kelas:
        if not kelas.isdigit() or not 1 <= int(kelas) <= 13:
            row.error("kelas_terakhir", "range", "Empty or a kelas 1–13.")
        elif jenjang is None:
            row.error("kelas_terakhir", "not_applicable", "A kelas goes with jenjang_terakhir.")
        else:
            row.kelas = int(kelas)


@dataclass(frozen=True)
class Import:
    """One file's context: who imports, where, and on which detection day."""

    uow: UnitOfWork
    principal: Principal
    settings: EducationSettings
    posyandu_id: str
    detected_on: date
    today: date


async def import_cases(ctx: Import, rows: list[tuple[int, dict[str, str]]]) -> ImportOut:
    """Every row's result; the caller commits. The posyandu must be active and in the
    caller's wilayah (the whole file is refused otherwise)."""
    not_in_future(ctx.detected_on, ctx.today, "query.detected_on", "The detection date")
    await posyandu_for_write(
        ctx.uow.session, ctx.posyandu_id, ctx.principal, field="query.posyandu_id"
    )
    read = [read_row(line, cells) for line, cells in rows]
    niks = {row.nik for row in read if not row.errors}
    known: dict[str, Child] = {}
    if niks:
        found = await ctx.uow.session.exec(select(Child).where(col(Child.nik).in_(niks)))
        known = {child.nik: child for child in found.all()}
    results = [await _one(ctx, row, known) for row in read]
    counts = {
        o: sum(1 for r in results if r.outcome == o) for o in ("opened", "already_open", "error")
    }
    return ImportOut(rows=results, **counts)


async def _one(ctx: Import, row: Row, known: dict[str, Child]) -> ImportRowResult:
    result = ImportRowResult(row=row.line, outcome="error", errors=row.errors)
    if row.errors:
        return result
    assert row.birth_date is not None
    try:
        check_identity(Identity(row.nik, row.sex, row.birth_date), ctx.today)
        check_age(age_years(row.birth_date, ctx.detected_on))
        child = known.get(row.nik)
        if child is not None and not ctx.principal.can_see(child.desa_code):
            raise RuleViolation(
                "body.nik", "outside_wilayah", "This NIK is a child outside your wilayah."
            )
        result.child_id = child.id if child is not None else None
        open_id = await ats_reads.open_case_of(ctx.uow.session, child.id) if child else None
        if open_id is not None:
            result.outcome, result.case_id = "already_open", open_id
            return result
        if child is None:
            child = await _register(ctx, row)
            known[row.nik] = child
            result.child_id, result.child_registered = child.id, True
        else:
            # Locked as the API's opening locks it: the case records the child's status.
            await ctx.uow.session.refresh(child, with_for_update=True)
            schooling = await ats_reads.last_schooling(ctx.uow.session, child.id)
            check_category(row.category, ever_enrolled=schooling is not None)  # type: ignore[arg-type]
        result.case_id = await _open(ctx, row, child)
        result.outcome = "opened"
    except RuleViolation as broken:
        result.errors = [_row_error(broken.field, broken.rule, broken.message)]
    except ProblemError as problem:
        result.errors = [_row_error(e.field, e.rule, e.message) for e in problem.errors] or [
            ImportRowError(field="row", rule=problem.slug, message=problem.detail or problem.title)
        ]
    return result


async def _register(ctx: Import, row: Row) -> Child:
    assert row.birth_date is not None
    try:
        body = ChildIn(
            nik=row.nik,
            kk=row.kk,
            name=row.name,
            sex=row.sex,
            birth_date=row.birth_date,
            posyandu_id=ctx.posyandu_id,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = f"body.{first['loc'][0]}" if first["loc"] else "body"
        raise RuleViolation(where, str(first["type"]), str(first["msg"])) from exc
    secret = ctx.settings.pseudonym_secret
    return await children.create_child(ctx.uow, ctx.principal, body, secret=secret, today=ctx.today)


async def _open(ctx: Import, row: Row, child: Child) -> str:
    case = await ats.open_case(
        ctx.uow,
        ctx.principal,
        ctx.settings,
        child,
        source="dapodik_match",
        detected_on=ctx.detected_on,
        today=ctx.today,
        category=row.category,
    )
    classify = ClassifyIn(
        category=row.category,
        last_jenjang=row.jenjang,
        last_kelas=row.kelas,
    )
    await ats.classify_as(ctx.uow, ctx.principal, case, child, classify, ctx.detected_on)
    return case.id


def _row_error(where: str, rule: str, message: str) -> ImportRowError:
    return ImportRowError(field=COLUMN_OF.get(where, where), rule=rule, message=message)
