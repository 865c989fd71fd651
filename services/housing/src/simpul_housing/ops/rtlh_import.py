"""An existing RTLH list (a regional RTLH application's export, e-RTLH style) imported from
CSV: one result per row, naming the row and the column; the same file twice writes nothing new.

The file is UTF-8 CSV (a byte-order mark allowed), comma-separated, with a header naming the
columns of ``domain.rtlh_form.COLUMNS`` in any order (names in any case; optional columns may
be left out, other columns are ignored); ``GET /v1/rtlh-imports/template`` gives the header
and an example row. The form's words are read as the API's codes (``domain.rtlh_form``).

Each row is one house at the import's posyandu with its household's No. KK and a survey: the
rows that read go to the survey batch (``ops.survey_batch``) as new houses, so a row whose KK
lives in a recorded house surveys that house (``assessed``), and a row whose house already
has this survey is ``unchanged``. A handled row (``sts_penanganan`` Y) records the aid its
household received (``HousingAid``, source ``import``: the history "already aided" is judged
by) unless an aid of that household and year is recorded already. A file that is not such a
CSV is a 422 naming the line or the missing column; at most ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, select

from simpul_housing.domain.rtlh_form import COLUMNS, NAMES, Row, read_row
from simpul_housing.models import HousingAid
from simpul_housing.ops import survey_batch
from simpul_housing.ops.access import posyandu_for_write
from simpul_housing.schemas.batch import SurveyBatchItemResult
from simpul_housing.schemas.imports import ImportRowError, RtlhImportOut, RtlhImportRow
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import Principal
from simpul_platform.clock import now
from simpul_platform.csv_body import decode, malformed, records
from simpul_platform.db import bulk_insert
from simpul_platform.errors import InvalidInput
from simpul_platform.events import new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.uow import UnitOfWork

MAX_ROWS = 1000
SOURCE = "import"
AID: Table = HousingAid.__table__  # type: ignore[attr-defined]
# Where a field the survey batch names lands in the file.
COLUMN_OF = {
    **{column.target: column.name for column in COLUMNS},
    "household": "no_kk",
    "house.occupants": "jumlah_penghuni",
    "house.posyandu_id": "posyandu_id",
}


# --- reading the file -----------------------------------------------------------------------


def parse(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, cells by column) of every row; 422 when the body is not UTF-8, not a readable
    CSV, lacks a required column (named) or names one twice, or has over ``MAX_ROWS`` rows."""
    found = records(decode(raw))
    _, first = next(found, (1, []))
    header = [name.strip().lower() for name in first]
    for position, name in enumerate(header):
        if name in NAMES and name in header[:position]:
            raise malformed("csv_duplicate_column", f"The column {name} appears twice.", 1, name)
    for column in COLUMNS:
        if column.required and column.name not in header:
            raise malformed(
                "csv_missing_column",
                f"The header lacks the column {column.name} (the template names them all).",
                1,
                column.name,
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
        rows.append((line, dict(zip(header, cells, strict=False))))
    return rows


# --- the rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One file's context: who imports, at which posyandu, on which day."""

    uow: UnitOfWork
    principal: Principal
    settings: HousingSettings
    posyandu_id: str
    today: date


async def import_list(ctx: Import, rows: list[tuple[int, dict[str, str]]]) -> RtlhImportOut:
    """Every row's result; the caller commits. The posyandu must be active and in the caller's
    wilayah (the whole file is refused otherwise)."""
    await posyandu_for_write(
        ctx.uow.session, ctx.posyandu_id, ctx.principal, field="query.posyandu_id"
    )
    results: dict[int, RtlhImportRow] = {}
    sent: list[tuple[int, Row]] = []
    for line, cells in rows:
        row = read_row(cells, ctx.today)
        if row.errors:
            errors = [ImportRowError(field=c, rule=r, message=m) for c, r, m in row.errors]
            results[line] = RtlhImportRow(row=line, outcome="error", errors=errors)
        else:
            sent.append((line, row))
    items = [item_of(row, ctx.posyandu_id) for _, row in sent]
    batch = await survey_batch.record_batch(
        ctx.uow, ctx.principal, items, settings=ctx.settings, today=ctx.today
    )
    for (line, _), result in zip(sent, batch.results, strict=True):
        results[line] = row_result(line, result)
    handled = [(results[line], row) for line, row in sent if row.values.get("aid.handled")]
    recorded = await record_aid(ctx, [(r, row) for r, row in handled if r.outcome != "error"])
    ordered = [results[line] for line, _ in rows]
    count = {o: sum(r.outcome == o for r in ordered) for o in ("created", "assessed", "unchanged")}
    failed = sum(r.outcome == "error" for r in ordered)
    return RtlhImportOut(rows=ordered, **count, error=failed, aid_recorded=recorded)


def item_of(row: Row, posyandu_id: str) -> dict[str, Any]:
    """The survey batch's item of a row: a new house at the posyandu with its household."""
    household: dict[str, Any] = {}
    house: dict[str, Any] = {"posyandu_id": posyandu_id, "households": [household]}
    survey: dict[str, Any] = {}
    groups = {"house": house, "survey": survey, "household": household}
    for target, value in row.values.items():
        group, _, name = target.partition(".")
        if group in groups:
            groups[group][name] = value
    house["occupants"] = survey["occupants"]
    return {"house": house, "survey": survey}


def row_result(line: int, result: SurveyBatchItemResult) -> RtlhImportRow:
    errors = [
        ImportRowError(field=column_of(e.field), rule=e.rule, message=e.message)
        for e in result.errors
    ]
    return RtlhImportRow(
        row=line,
        outcome=result.status,
        house_id=result.house_id,
        assessment_id=result.assessment_id,
        rtlh_pupr=result.rtlh_pupr,
        failed_pupr=result.failed_pupr,
        rtlh_rutilahu=result.rtlh_rutilahu,
        failed_rutilahu=result.failed_rutilahu,
        errors=errors,
    )


def column_of(field: str) -> str:
    """The column of a field the batch names (``body.items[3].house.households[0].kk`` is
    ``no_kk``); the field itself when no column fills it."""
    path = re.sub(r"^body\.items\[\d+\]\.?", "", field)
    path = re.sub(r"^house\.households(\[\d+\])?", "household", path)
    return COLUMN_OF.get(path, path)


async def record_aid(ctx: Import, handled: list[tuple[RtlhImportRow, Row]]) -> int:
    """The aid of the handled rows' households, one row per household and year: one
    recorded before (by an import or a case) is ``already_recorded``."""
    if not handled:
        return 0
    secret = ctx.settings.pseudonym_secret
    refs = [household_ref(secret, row.values["household.kk"]) for _, row in handled]
    query = select(AID.c.household_ref, AID.c.year).where(AID.c.household_ref.in_(refs))
    known = {(ref, year) for ref, year in (await ctx.uow.session.execute(query)).all()}
    actor, moment = ctx.principal.subject, now()
    rows: list[dict[str, Any]] = []
    for (result, row), ref in zip(handled, refs, strict=True):
        if (ref, row.values["aid.year"]) in known:
            result.aid = "already_recorded"
            continue
        result.aid = "recorded"
        rows.append(
            {
                "id": new_id(),
                "house_id": result.house_id,
                "household_ref": ref,
                "program": row.values["aid.program"],
                "amount": row.values.get("aid.amount"),
                "year": row.values["aid.year"],
                "source": SOURCE,
                "case_id": None,
                "recorded_by": actor,
                "recorded_at": moment,
            }
        )
    await bulk_insert(ctx.uow.session, AID, rows)
    return len(rows)
