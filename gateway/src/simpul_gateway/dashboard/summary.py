"""Ringkasan: registration with Kemendagri against the DPMD target per child wilayah (kecamatan
of a kabupaten, desa of a kecamatan), kader active per field, fields without a ketua bidang,
and staffing per child wilayah; each table also as CSV or Excel.

Exports: ``/dashboard/ringkasan.csv`` (or ``.xlsx``) ``?wilayah=&table=`` with ``table`` one of
``registration`` (the default), ``fields`` or ``staffing``. The page and its exports are built
from the same ``Table``s, so a file holds the page's figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from simpul_gateway.dashboard import api
from simpul_gateway.dashboard.api import ApiAnswer, PageRefused
from simpul_gateway.dashboard.export import (
    Column,
    ExportFormat,
    Heading,
    Table,
    export_response,
    export_table,
)
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.render import page
from simpul_gateway.dashboard.session import SignedIn
from simpul_platform.auth import NATIONWIDE
from simpul_platform.indicators import SPM_FIELDS
from simpul_platform.settings import ServiceSettings
from simpul_platform.wilayah import WILAYAH_PATTERN

router = APIRouter()
STATUSES = ("draft", "submitted", "verified", "registered", "inactive")
WilayahParam = Annotated[str | None, Query(max_length=20)]


class SummaryTable(StrEnum):
    registration = "registration"
    fields = "fields"
    staffing = "staffing"


@dataclass(frozen=True)
class Summary:
    wilayah: str
    name: str
    as_of: str
    progress: ApiAnswer
    staffing: ApiAnswer
    tables: dict[SummaryTable, Table | None]  # None: its API call did not answer


@router.get("/ringkasan", response_class=HTMLResponse)
async def summary_page(
    request: Request, principal: SignedIn, wilayah: WilayahParam = None
) -> Response:
    """Ringkasan of a kabupaten or kecamatan."""
    code = _wilayah(wilayah, principal.wilayah)
    if code is None:
        return page(request, "summary.html", {"summary": None, "wilayah": ""})
    summary = await _summary(request, code)
    settings: ServiceSettings = request.app.state.settings
    produced_at = datetime.now(settings.zone).strftime("%Y-%m-%d %H:%M")
    context = {
        "summary": summary,
        "wilayah": code,
        "parent": _parent(code),
        "produced_at": produced_at,
    }
    return page(request, "summary.html", context)


@router.get("/ringkasan.{fmt}")
async def summary_export(
    request: Request,
    principal: SignedIn,
    fmt: ExportFormat,
    wilayah: WilayahParam = None,
    table: SummaryTable = SummaryTable.registration,
) -> Response:
    """One of the page's tables as a CSV or Excel file."""
    code = _wilayah(wilayah, principal.wilayah)
    if code is None:
        raise PageRefused(404, "no wilayah")
    summary = await _summary(request, code)
    chosen = summary.tables[table]
    if chosen is None:
        raise PageRefused(503, "the registry did not answer")
    t = labels(chosen_lang(request))
    settings: ServiceSettings = request.app.state.settings
    heading = Heading(
        wilayah=f"{code} {summary.name}".strip(),
        period=summary.as_of,
        produced_at=datetime.now(settings.zone).replace(microsecond=0),
        labels=(t["export_wilayah"], t["export_period"], t["export_produced_at"]),
    )
    name = f"ringkasan-{table.value}-{code}"
    return export_response(export_table(chosen, heading, fmt), fmt, name)


def _wilayah(asked: str | None, own: tuple[str, ...]) -> str | None:
    """The wilayah asked for (a malformed code is not found), else the user's first."""
    if asked:
        if not re.fullmatch(WILAYAH_PATTERN, asked.strip()):
            raise PageRefused(404, asked)
        return asked.strip()
    return next((w for w in own if w != NATIONWIDE), None)


def _parent(code: str) -> str | None:
    parent = code.rsplit(".", 1)[0] if "." in code else None
    return parent if parent and "." in parent else None  # a province has no summary of its own


async def _summary(request: Request, code: str) -> Summary:
    progress, staffing = await api.get_all(
        request,
        ("/v1/registration-progress", {"wilayah": code}),
        ("/v1/staffing", {"wilayah": code}),
    )
    if progress.status == 404 or staffing.status == 404:
        raise PageRefused(404, code)
    t = labels(chosen_lang(request))
    name = _name(code, progress, staffing)
    settings: ServiceSettings = request.app.state.settings
    as_of = staffing.data["as_of"] if staffing.ok else datetime.now(settings.zone).date()
    return Summary(
        wilayah=code,
        name=name,
        as_of=str(as_of),
        progress=progress,
        staffing=staffing,
        tables={
            SummaryTable.registration: _registration(progress.data, t) if progress.ok else None,
            SummaryTable.fields: _fields(staffing.data, t) if staffing.ok else None,
            SummaryTable.staffing: _staffing(code, staffing.data, t) if staffing.ok else None,
        },
    )


def _name(code: str, progress: ApiAnswer, staffing: ApiAnswer) -> str:
    for answer in (progress, staffing):
        if answer.ok:
            return str(answer.data["wilayah"]["name"])
    return ""  # neither call answered: the page shows the code alone


def _share(share: float | None) -> float | None:
    # The API answers a share (0–1, four decimals); the page and files show a percentage.
    return None if share is None else round(share * 100, 1)


def _registration(data: dict[str, Any], t: dict[str, str]) -> Table:
    def row(item: dict[str, Any], total: bool = False) -> dict[str, Any]:
        counts = item["counts"]
        return {
            "code": item["code"],
            "name": item["name"],
            "total": item["total"],
            **{status: counts.get(status, 0) for status in STATUSES},
            "target": item["target"],
            "share_of_target": _share(item["share_of_target"]),
            "is_total": total,
        }

    columns = [
        Column("code", t["col_code"]),
        Column("name", t["col_name"]),
        Column("total", t["col_total"]),
        *(Column(status, t[f"col_{status}"]) for status in STATUSES),
        Column("target", t["col_target"]),
        Column("share_of_target", t["col_share_of_target"]),
    ]
    rows = [row(child) for child in data["children"]]
    return Table(columns, [*rows, row(data["wilayah"], total=True)])


def _fields(data: dict[str, Any], t: dict[str, str]) -> Table:
    by_field = {f["field"]: f for f in data["wilayah"]["fields"]}
    columns = [
        Column("field_label", t["col_field"]),
        Column("kader_active", t["col_kader_active"]),
        Column("posyandu_running", t["col_posyandu_running"]),
        Column("without_ketua_bidang", t["col_without_ketua_bidang"]),
        Column("without_kader", t["col_without_kader"]),
    ]
    rows = [
        {**by_field[field], "field_label": t[f"field_{field}"]}
        for field in SPM_FIELDS
        if field in by_field
    ]
    return Table(columns, rows)


def _staffing(code: str, data: dict[str, Any], t: dict[str, str]) -> Table:
    def row(item: dict[str, Any], total: bool = False) -> dict[str, Any]:
        return {
            "code": item["code"],
            "name": item["name"],
            "posyandu": item["posyandu"],
            "kader_active": item["kader_active"],
            "fields_without_ketua_bidang": sum(f["without_ketua_bidang"] for f in item["fields"]),
            "empty_posts": item["empty_posts"],
            "is_total": total,
        }

    columns = [
        Column("code", t["col_code"]),
        Column("name", t["col_name"]),
        Column("posyandu", t["col_posyandu"]),
        Column("kader_active", t["col_kader_active"]),
        Column("fields_without_ketua_bidang", t["col_fields_without_ketua_bidang"]),
        Column("empty_posts", t["col_empty_posts"]),
    ]
    # The children of this wilayah: its kecamatan (kabupaten) or its desa (kecamatan).
    rows = [
        row(item)
        for item in [*data["kecamatan"], *data["desa"]]
        if item["code"].rsplit(".", 1)[0] == code
    ]
    return Table(columns, [*rows, row(data["wilayah"], total=True)])
