"""Posyandu: one posyandu's whole picture across the six fields, from the gateway's
``/v1/posyandu/{id}/profile``: identity and registration, its open days, each field's figures
with its service's status, the open cross-field cases and the open referrals.

A field whose service did not answer says so in its section; the rest of the page shows. The
API hides a posyandu outside the user's wilayah as not found, and the page says the same.

Exports: ``/dashboard/posyandu/{id}.csv`` (or ``.xlsx``) ``?period=&table=`` with ``table``
one of ``figures`` (the default: every field's figures), ``fields``, ``cases`` or
``referrals``; the page and its files are built from the same ``Table``s.
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
from simpul_gateway.dashboard.api import PageRefused
from simpul_gateway.dashboard.export import (
    ExportFormat,
    Heading,
    Table,
    export_response,
    export_table,
)
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.posyandu_tables import (
    cases_table,
    fields_table,
    figures_table,
    one_field,
    referrals_table,
    state_label,
)
from simpul_gateway.dashboard.render import page
from simpul_gateway.dashboard.session import SignedIn
from simpul_gateway.settings import GatewaySettings
from simpul_platform.indicators import PERIOD_PATTERN

router = APIRouter()
_POSYANDU_ID = re.compile(r"^[0-9A-Za-z-]{1,36}$")  # as the profile view's path accepts
PeriodParam = Annotated[str | None, Query(max_length=10)]


class PosyanduTable(StrEnum):
    figures = "figures"
    fields = "fields"
    cases = "cases"
    referrals = "referrals"


@dataclass(frozen=True)
class Picture:
    """What the page shows: the profile answer and the tables made of it."""

    profile: dict[str, Any]
    tables: dict[PosyanduTable, Table]

    @property
    def posyandu(self) -> dict[str, Any]:
        identity: dict[str, Any] = self.profile["posyandu"]
        return identity

    @property
    def period(self) -> str:
        return str(self.profile["period"])

    def field_sections(self) -> list[dict[str, Any]]:
        """Per field, in SPM order: its label, status, and its own figures (or why none)."""
        figures = self.tables[PosyanduTable.figures]
        return [
            {
                "field": row["field_code"],
                "label": row["field"],
                "ok": row["ok"],
                "state": row["status"],
                "table": one_field(figures, row["field_code"]),
            }
            for row in self.tables[PosyanduTable.fields].rows
        ]

    def referral_gaps(self, t: dict[str, str]) -> list[str]:
        """The fields whose referrals could not be read (a field with no referral catalogue
        holds none: not a gap)."""
        return [
            f"{t['field_' + item['field']]}: {state_label(str(item['status']), t)}"
            for item in self.profile.get("referrals_status", [])
            if item["status"] not in ("ok", "not_available")
        ]


@router.get("/posyandu/{posyandu_id}.{fmt}")
async def posyandu_export(
    request: Request,
    principal: SignedIn,
    posyandu_id: str,
    fmt: ExportFormat,
    period: PeriodParam = None,
    table: PosyanduTable = PosyanduTable.figures,
) -> Response:
    """One of the page's tables as a CSV or Excel file."""
    picture = await _picture(request, posyandu_id, period)
    t = labels(chosen_lang(request))
    identity = picture.posyandu
    settings: GatewaySettings = request.app.state.settings
    heading = Heading(
        wilayah=f"{identity['desa_code']} {identity['name']} ({identity['id']})",
        period=picture.period,
        produced_at=datetime.now(settings.zone).replace(microsecond=0),
        labels=(t["export_wilayah"], t["export_period"], t["export_produced_at"]),
    )
    name = f"posyandu-{table.value}-{identity['id']}-{picture.period}"
    return export_response(export_table(picture.tables[table], heading, fmt), fmt, name)


@router.get("/posyandu/{posyandu_id}", response_class=HTMLResponse)
async def posyandu_page(
    request: Request, principal: SignedIn, posyandu_id: str, period: PeriodParam = None
) -> Response:
    """One posyandu across the six fields."""
    picture = await _picture(request, posyandu_id, period)
    t = labels(chosen_lang(request))
    identity = picture.posyandu
    settings: GatewaySettings = request.app.state.settings
    context = {
        "picture": picture,
        "posyandu": identity,
        "sections": picture.field_sections(),
        "referral_gaps": picture.referral_gaps(t),
        "days": picture.profile.get("days") or {},
        # The header's page links keep the posyandu's kecamatan in view.
        "wilayah": identity.get("kecamatan_code") or "",
        "period": picture.period,
        "produced_at": datetime.now(settings.zone).strftime("%Y-%m-%d %H:%M"),
    }
    return page(request, "posyandu.html", context)


async def _picture(request: Request, posyandu_id: str, period: str | None) -> Picture:
    """The profile answer and its tables; an id or period the API cannot take is not found,
    and a profile the API could not compose is the error page."""
    if not _POSYANDU_ID.fullmatch(posyandu_id):
        raise PageRefused(404, posyandu_id)
    if period and not re.fullmatch(PERIOD_PATTERN, period):
        raise PageRefused(404, period)
    answer = await api.get(
        request, f"/v1/posyandu/{posyandu_id}/profile", {"period": period or None}
    )
    if answer.status in (404, 422):
        raise PageRefused(404, posyandu_id)
    if not answer.ok or not isinstance(answer.data, dict):
        raise PageRefused(answer.status if answer.status >= 500 else 502, posyandu_id)
    profile: dict[str, Any] = answer.data
    t = labels(chosen_lang(request))
    return Picture(
        profile=profile,
        tables={
            PosyanduTable.figures: figures_table(profile, t),
            PosyanduTable.fields: fields_table(profile, t),
            PosyanduTable.cases: cases_table(profile, t),
            PosyanduTable.referrals: referrals_table(profile, t),
        },
    )
