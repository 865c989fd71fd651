"""Kedaruratan: the gateway's ``/v1/emergencies``: fires whose crew arrived after the response
time (or not at all), each with its posyandu and desa, and per disaster or damaging fire and
desa the households still without a habitable house or social protection.

A source (trantib, housing, social) that did not answer is said, and its counts show as
unknown, never 0. Exports: ``/dashboard/kedaruratan.csv`` (or ``.xlsx``) with ``table`` one of
``fires`` (the default) or ``victims``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from simpul_gateway.dashboard import api
from simpul_gateway.dashboard.api import ApiAnswer, PageRefused
from simpul_gateway.dashboard.export import Column, ExportFormat, Table
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.page_kit import chosen_period, chosen_wilayah, download, now
from simpul_gateway.dashboard.render import page
from simpul_gateway.dashboard.session import SignedIn
from simpul_platform.settings import ServiceSettings

router = APIRouter()
Text = Annotated[str | None, Query(max_length=20)]
SOURCES = ("trantib", "housing", "social")
COUNTS = (
    "households",
    "damaged",
    "without_habitable_house",
    "awaiting_housing_case",
    "without_social_protection",
)


class EmergencyTable(StrEnum):
    fires = "fires"
    victims = "victims"


@dataclass(frozen=True)
class Emergencies:
    wilayah: str
    period: str
    answer: ApiAnswer
    tables: dict[EmergencyTable, Table]
    down: list[tuple[str, str]]  # (source, status) of each source that did not answer


@router.get("/kedaruratan", response_class=HTMLResponse)
async def emergencies_page(
    request: Request,
    principal: SignedIn,
    wilayah: Text = None,
    period: Text = None,
) -> Response:
    """Missed fires and unhoused or unprotected victims of a kabupaten, kecamatan or desa."""
    code = chosen_wilayah(wilayah, principal.wilayah)
    if code is None:
        return page(request, "emergencies.html", {"emergencies": None, "wilayah": ""})
    found = await _emergencies(request, code, chosen_period(period))
    context = {
        "emergencies": found,
        "wilayah": code,
        "period": found.period,
        "produced_at": now(request).strftime("%Y-%m-%d %H:%M"),
    }
    return page(request, "emergencies.html", context, 200 if found.answer.ok else 422)


@router.get("/kedaruratan.{fmt}")
async def emergencies_export(
    request: Request,
    principal: SignedIn,
    fmt: ExportFormat,
    wilayah: Text = None,
    period: Text = None,
    table: EmergencyTable = EmergencyTable.fires,
) -> Response:
    """One of the page's tables as a CSV or Excel file."""
    code = chosen_wilayah(wilayah, principal.wilayah)
    if code is None:
        raise PageRefused(404, "no wilayah")
    found = await _emergencies(request, code, chosen_period(period))
    if not found.answer.ok:
        raise PageRefused(422, "no emergencies")
    name = f"kedaruratan-{table.value}-{code}"
    return download(request, found.tables[table], fmt, code, found.period, name)


async def _emergencies(request: Request, code: str, period: str | None) -> Emergencies:
    answer = await api.get(request, "/v1/emergencies", {"wilayah": code, "period": period})
    if answer.status == 404:
        raise PageRefused(404, code)
    if not answer.ok:
        return Emergencies(code, period or "", answer, {}, [])
    t = labels(chosen_lang(request))
    data = answer.data
    settings: ServiceSettings = request.app.state.settings
    return Emergencies(
        wilayah=code,
        period=str(data["period"]),
        answer=answer,
        tables={
            EmergencyTable.fires: fires_table(data, t, settings.zone),
            EmergencyTable.victims: victims_table(data, t),
        },
        down=down_sources(data),
    )


def down_sources(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s, data[s]["status"]) for s in SOURCES if data[s]["status"] != "ok"]


def response_minutes(seconds: int | None) -> float | None:
    """The response time in minutes, one decimal (901 s is 15.0, over the 15 minutes)."""
    return None if seconds is None else round(seconds / 60, 1)


def local_time(stamp: str | None, zone: tzinfo | None) -> str | None:
    """An API timestamp as the deployment's local "YYYY-MM-DD HH:MM" (the page's text; the
    files and ``data-value`` keep the API's own)."""
    if stamp is None:
        return None
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def fires_table(data: dict[str, Any], t: dict[str, str], zone: tzinfo | None = None) -> Table:
    """The API's missed fires in its order (earliest reported first)."""
    columns = [
        Column("report_received_at", t["emg_col_reported"]),
        Column("posyandu_id", t["col_posyandu"]),
        Column("desa_code", t["emg_col_desa"]),
        Column("object_kind", t["emg_col_object"]),
        Column("fire_post_name", t["emg_col_post"]),
        Column("arrived_at", t["emg_col_arrived"]),
        Column("response_minutes", t["emg_col_response_minutes"]),
        Column("incident_id", t["emg_col_incident"]),
    ]
    rows = [
        {
            **fire,
            "response_minutes": response_minutes(fire["response_seconds"]),
            "local": {k: local_time(fire[k], zone) for k in ("report_received_at", "arrived_at")},
        }
        for fire in data["missed_fires"]
    ]
    return Table(columns, rows)


def victims_table(data: dict[str, Any], t: dict[str, str]) -> Table:
    """One row per emergency and desa (the API's order), then the API's totals; a count the
    service did not answer for stays null."""
    columns = [
        Column("emergency", t["emg_col_emergency"]),
        Column("kind_label", t["emg_col_kind"]),
        Column("occurred_on", t["emg_col_occurred_on"]),
        Column("desa_code", t["emg_col_desa"]),
        *(Column(k, t[f"emg_col_{k}"]) for k in COUNTS),
    ]
    rows = [
        {
            "emergency": e["name"],
            "emergency_id": e["id"],
            "kind_label": t[f"emg_kind_{e['kind']}"] + f" ({e['hazard']})",
            "occurred_on": e["occurred_on"],
            "desa_code": desa["desa_code"],
            **{k: desa[k] for k in COUNTS},
        }
        for e in data["emergencies"]
        for desa in e["by_desa"]
    ]
    total = {
        "emergency": t["total_row"],
        "kind_label": "",
        "occurred_on": "",
        "desa_code": "",
        **{k: data["totals"][k] for k in COUNTS},
        "is_total": True,
    }
    return Table(columns, [*rows, total])
