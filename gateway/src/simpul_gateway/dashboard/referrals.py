"""Rujukan: the gateway's ``/v1/referrals``: open and overdue referrals per OPD (target field)
and per kecamatan (desa within a kecamatan, posyandu within a desa), the overdue ones, longest
waiting first, with their due date and days overdue, and every open one, oldest first, with the
days since it was requested.

Filters (``status``, ``field``) are GET parameters passed to the API; each group links one
level down, keeping them (a posyandu to its own page). Exports: ``/dashboard/rujukan.csv`` (or
``.xlsx``) with ``table`` one of ``fields`` (the default), ``groups``, ``overdue`` or ``open``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from simpul_gateway.dashboard import api
from simpul_gateway.dashboard.api import ApiAnswer, PageRefused
from simpul_gateway.dashboard.export import Column, ExportFormat, Table
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.page_kit import chosen_wilayah, download, now
from simpul_gateway.dashboard.render import page, url
from simpul_gateway.dashboard.session import SignedIn
from simpul_platform.indicators import SPM_FIELDS
from simpul_platform.wilayah import level

router = APIRouter()
Text = Annotated[str | None, Query(max_length=20)]
COUNTS = ("total", "open", "overdue", "rejected", "resolved", "resolved_on_time")
STATUSES = ("open", "overdue", "resolved", "rejected", "resolved_on_time")


class ReferralTable(StrEnum):
    fields = "fields"
    groups = "groups"
    overdue = "overdue"
    open = "open"


@dataclass(frozen=True)
class Referrals:
    wilayah: str
    answer: ApiAnswer
    tables: dict[ReferralTable, Table]
    down: list[dict[str, Any]]  # fields that take referrals and did not answer


@router.get("/rujukan", response_class=HTMLResponse)
async def referrals_page(
    request: Request,
    principal: SignedIn,
    wilayah: Text = None,
    status: Text = None,
    field: Text = None,
) -> Response:
    """Referrals of a kabupaten, kecamatan or desa, per OPD and per wilayah below it."""
    code = chosen_wilayah(wilayah, principal.wilayah)
    if code is None:
        return page(request, "referrals.html", {"referrals": None, "wilayah": ""})
    filters = _filters(status, field)
    referrals = await _referrals(request, code, filters)
    t = labels(chosen_lang(request))
    context = {
        "down_names": ", ".join(t[f"field_{f['field']}"] for f in referrals.down),
        "referrals": referrals,
        "wilayah": code,
        "filters": filters,
        "statuses": STATUSES,
        "fields": SPM_FIELDS,
        "up": _up(code, filters),
        "produced_at": now(request).strftime("%Y-%m-%d %H:%M"),
    }
    return page(request, "referrals.html", context, 200 if referrals.answer.ok else 422)


@router.get("/rujukan.{fmt}")
async def referrals_export(
    request: Request,
    principal: SignedIn,
    fmt: ExportFormat,
    wilayah: Text = None,
    status: Text = None,
    field: Text = None,
    table: ReferralTable = ReferralTable.fields,
) -> Response:
    """One of the page's tables as a CSV or Excel file."""
    code = chosen_wilayah(wilayah, principal.wilayah)
    if code is None:
        raise PageRefused(404, "no wilayah")
    referrals = await _referrals(request, code, _filters(status, field))
    if not referrals.answer.ok:
        raise PageRefused(422, "no referrals")
    as_of = str(referrals.answer.data["as_of"])
    return download(
        request, referrals.tables[table], fmt, code, as_of, f"rujukan-{table.value}-{code}"
    )


def _filters(status: str | None, field: str | None) -> dict[str, str]:
    """Only the filters the page offers; anything else is ignored rather than refused."""
    chosen = {"status": status if status in STATUSES else None}
    chosen["field"] = field if field in SPM_FIELDS else None
    return {k: v for k, v in chosen.items() if v}


def group_of(code: str) -> str:
    """One level down: kecamatan of a kabupaten, desa of a kecamatan, posyandu of a desa."""
    return {1: "kecamatan", 2: "kecamatan", 3: "desa"}.get(level(code), "posyandu")


def _up(code: str, filters: dict[str, str]) -> str | None:
    parent = code.rsplit(".", 1)[0] if code.count(".") >= 2 else None
    return url("/dashboard/rujukan", wilayah=parent, **filters) if parent else None


async def _referrals(request: Request, code: str, filters: dict[str, str]) -> Referrals:
    params = {"wilayah": code, "group": group_of(code), **filters}
    answer = await api.get(request, "/v1/referrals", params)
    if answer.status == 404:
        raise PageRefused(404, code)
    if not answer.ok:
        return Referrals(code, answer, {}, [])
    t = labels(chosen_lang(request))
    data = answer.data
    return Referrals(
        wilayah=code,
        answer=answer,
        tables={
            ReferralTable.fields: fields_table(data, t),
            ReferralTable.groups: groups_table(data, t, filters),
            ReferralTable.overdue: overdue_table(data, t),
            ReferralTable.open: open_table(data, t),
        },
        down=[f for f in data["by_field"] if f["status"] not in ("ok", "not_available")],
    )


def _count_columns(t: dict[str, str]) -> list[Column]:
    return [Column(k, t[f"ref_col_{k}"]) for k in COUNTS]


def fields_table(data: dict[str, Any], t: dict[str, str]) -> Table:
    """One row per target field (OPD); a field that did not answer has no counts and says
    why, and the totals row sums the fields that answered (the API's totals)."""
    columns = [
        Column("field_label", t["ref_col_opd"]),
        *_count_columns(t),
        Column("state", t["ref_col_state"]),
    ]
    rows = []
    for item in data["by_field"]:
        counts = item["counts"] or {}
        rows.append(
            {
                "code": item["field"],
                "field_label": t[f"field_{item['field']}"],
                **{k: counts.get(k) for k in COUNTS},
                "state": "" if item["status"] == "ok" else t[f"down_status_{item['status']}"],
            }
        )
    total = {"field_label": t["total_row"], **data["totals"], "state": "", "is_total": True}
    return Table(columns, [*rows, total])


def groups_table(data: dict[str, Any], t: dict[str, str], filters: dict[str, str]) -> Table:
    """One row per kecamatan, desa or posyandu, as the API orders them, each with its link one
    level down (kept beside the figures, not a column)."""
    columns = [Column("code", t[f"ref_group_{data['group']}"]), *_count_columns(t)]
    rows = [
        {"code": g["code"], **g["counts"], "href": drill_down(data["group"], g["code"], filters)}
        for g in data["by_group"]
    ]
    return Table(columns, rows)


def drill_down(group: str, code: str, filters: dict[str, str]) -> str:
    if group == "posyandu":
        return f"/dashboard/posyandu/{quote(code, safe='')}"
    return url("/dashboard/rujukan", wilayah=code, **filters)


def overdue_table(data: dict[str, Any], t: dict[str, str]) -> Table:
    """The API's overdue referrals in its order (longest overdue first), with the days each
    has waited past its due date as of the API's day."""
    as_of = date.fromisoformat(data["as_of"])
    columns = [
        Column("due_on", t["ref_col_due_on"]),
        Column("days_overdue", t["ref_col_days_overdue"]),
        Column("target_label", t["ref_col_opd"]),
        Column("source_label", t["ref_col_source"]),
        Column("posyandu_id", t["col_posyandu"]),
        Column("desa_code", t["ref_col_desa"]),
        Column("status_label", t["ref_col_status"]),
        Column("reason_code", t["ref_col_reason"]),
        Column("requested_on", t["ref_col_requested_on"]),
    ]
    rows = [
        {**_named(r, t), "days_overdue": days_overdue(r["due_on"], as_of)} for r in data["overdue"]
    ]
    return Table(columns, rows)


def open_table(data: dict[str, Any], t: dict[str, str]) -> Table:
    """The API's open referrals in its order (the earliest requested first), overdue or not,
    with the days each has been open as of the API's day."""
    as_of = date.fromisoformat(data["as_of"])
    columns = [
        Column("requested_on", t["ref_col_requested_on"]),
        Column("days_open", t["ref_col_days_open"]),
        Column("due_on", t["ref_col_due_on"]),
        Column("target_label", t["ref_col_opd"]),
        Column("source_label", t["ref_col_source"]),
        Column("posyandu_id", t["col_posyandu"]),
        Column("desa_code", t["ref_col_desa"]),
        Column("status_label", t["ref_col_status"]),
        Column("reason_code", t["ref_col_reason"]),
    ]
    rows = [
        {**_named(r, t), "days_open": days_open(r["requested_on"], as_of)}
        for r in data["oldest_open"]
    ]
    return Table(columns, rows)


def _named(referral: dict[str, Any], t: dict[str, str]) -> dict[str, Any]:
    """A referral of the API with its fields and status named in the page's language."""
    return {
        **referral,
        "target_label": t[f"field_{referral['target_field']}"],
        "source_label": t[f"field_{referral['source_field']}"],
        "status_label": t.get(f"ref_status_{referral['status']}", referral["status"]),
    }


def days_overdue(due_on: str, as_of: date) -> int:
    """Calendar days past the due date (the due date itself is not yet overdue)."""
    return max((as_of - date.fromisoformat(due_on)).days, 0)


def days_open(requested_on: str, as_of: date) -> int:
    """Calendar days since the request (one requested today has been open 0 days)."""
    return max((as_of - date.fromisoformat(requested_on)).days, 0)
