"""Lokus prioritas: the gateway's ``/v1/priority-loci`` ranked, every component of every locus
shown, and the weights adjustable on the page.

The weights are a GET form, so a weighting is a URL that can be shared; the page passes them
to the API, which ranks (the page never recomputes a score). A component whose field has no
service is said to be not available; a field that did not answer is said, and its components
show as missing. Export: ``/dashboard/lokus.csv`` (or ``.xlsx``) with the page's query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from simpul_gateway.dashboard import api
from simpul_gateway.dashboard.api import ApiAnswer, PageRefused
from simpul_gateway.dashboard.export import Column, ExportFormat, Table
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.page_kit import chosen_period, chosen_wilayah, download, now
from simpul_gateway.dashboard.render import page, url
from simpul_gateway.dashboard.session import SignedIn
from simpul_gateway.settings import GatewaySettings

router = APIRouter()
Text = Annotated[str | None, Query(max_length=20)]


@dataclass(frozen=True)
class Weight:
    param: str  # the API's (and the page's) query parameter
    setting: str  # the gateway setting that holds its default
    components: tuple[str, ...]  # the API's components it weighs


WEIGHTS = (
    Weight("weight_stunting", "loci_weight_stunting", ("stunting_prevalence",)),
    Weight("weight_poverty", "loci_weight_poverty", ("poverty_deciles_1_4",)),
    Weight("weight_paud_gap", "loci_weight_paud_gap", ("paud_gap_5_6",)),
    Weight("weight_out_of_school", "loci_weight_out_of_school", ("out_of_school_7_18",)),
    Weight("weight_rtlh", "loci_weight_rtlh", ("rtlh_pupr",)),
    Weight("weight_wash", "loci_weight_wash", ("no_basic_water", "no_layak_sanitation")),
)
# Every component the API knows, in the page's column order.
COMPONENTS = tuple(name for w in WEIGHTS for name in w.components)
DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class Loci:
    wilayah: str
    period: str
    answer: ApiAnswer
    table: Table | None  # None: the API answered no ranking (a bad weight, say)
    missing_components: list[str]  # no service for their field: not in the ranking
    silent_fields: list[dict[str, Any]]  # deployed but did not answer: components missing


@router.get("/lokus", response_class=HTMLResponse)
async def loci_page(
    request: Request,
    principal: SignedIn,
    wilayah: Text = None,
    period: Text = None,
    limit: Text = None,
    weight_stunting: Text = None,
    weight_poverty: Text = None,
    weight_paud_gap: Text = None,
    weight_out_of_school: Text = None,
    weight_rtlh: Text = None,
    weight_wash: Text = None,
) -> Response:
    """Priority loci of a kabupaten, kecamatan or desa, with the weights in the query."""
    code = chosen_wilayah(wilayah, principal.wilayah)
    if code is None:
        return page(request, "loci.html", {"loci": None, "wilayah": ""})
    asked = _asked_weights(request)
    loci = await _loci(request, code, chosen_period(period), limit, asked)
    t = labels(chosen_lang(request))
    context = {
        "loci": loci,
        "wilayah": code,
        "period": loci.period,
        "limit": limit or "",
        "weights": weight_fields(asked, loci.answer.data, _defaults(request)),
        "missing_names": ", ".join(t[f"loci_component_{c}"] for c in loci.missing_components),
        "produced_at": now(request).strftime("%Y-%m-%d %H:%M"),
        "export_params": {"wilayah": code, "period": period, "limit": limit, **asked},
    }
    return page(request, "loci.html", context, 200 if loci.table is not None else 422)


@router.get("/lokus.{fmt}")
async def loci_export(
    request: Request,
    principal: SignedIn,
    fmt: ExportFormat,
    wilayah: Text = None,
    period: Text = None,
    limit: Text = None,
) -> Response:
    """The ranking as a CSV or Excel file, with the same weights as the page."""
    code = chosen_wilayah(wilayah, principal.wilayah)
    if code is None:
        raise PageRefused(404, "no wilayah")
    loci = await _loci(request, code, chosen_period(period), limit, _asked_weights(request))
    if loci.table is None:
        raise PageRefused(503 if loci.answer.status >= 500 else 422, "no ranking")
    return download(request, loci.table, fmt, code, loci.period, f"lokus-{code}")


def _asked_weights(request: Request) -> dict[str, str]:
    """The weights in the query, as given (the API checks them); blank ones are not asked."""
    params = request.query_params
    return {w.param: params[w.param].strip() for w in WEIGHTS if params.get(w.param, "").strip()}


def _defaults(request: Request) -> dict[str, float]:
    settings: GatewaySettings = request.app.state.settings
    return {w.param: float(getattr(settings, w.setting)) for w in WEIGHTS}


async def _loci(
    request: Request, code: str, period: str | None, limit: str | None, weights: dict[str, str]
) -> Loci:
    params = {"wilayah": code, "period": period, "limit": limit or DEFAULT_LIMIT, **weights}
    answer = await api.get(request, "/v1/priority-loci", params)
    if answer.status == 404:
        raise PageRefused(404, code)
    t = labels(chosen_lang(request))
    if not answer.ok:
        return Loci(code, period or "", answer, None, [], [])
    data = answer.data
    return Loci(
        wilayah=code,
        period=str(data["period"]),
        answer=answer,
        table=loci_table(data, t),
        missing_components=[c for c in COMPONENTS if c not in data["weights"]],
        silent_fields=silent_fields(data),
    )


def in_play(data: dict[str, Any]) -> list[str]:
    """The components the API ranked with (those of fields that have a service)."""
    return [c for c in COMPONENTS if c in data["weights"]]


def silent_fields(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields with a service that did not answer: their components are missing."""
    return [f for f in data["fields"] if f["status"] not in ("ok", "not_available")]


def loci_table(data: dict[str, Any], t: dict[str, str]) -> Table:
    """One row per locus in the API's order: rank, desa, score, whether complete, and each
    component's percentage (null when the desa's field reported nothing)."""
    components = in_play(data)
    columns = [
        Column("rank", t["loci_col_rank"]),
        Column("code", t["col_code"]),
        Column("name", t["col_name"]),
        Column("score", t["loci_col_score"]),
        Column("complete", t["loci_col_complete"]),
        *(Column(c, t[f"loci_component_{c}"]) for c in components),
    ]
    rows = []
    for locus in data["loci"]:
        by_name = {c["name"]: c for c in locus["components"]}
        row: dict[str, Any] = {
            "rank": locus["rank"],
            "code": locus["code"],
            "name": locus["name"] or "",
            "score": locus["score"],
            "complete": t["loci_yes"] if locus["complete"] else t["loci_no"],
            "parts": by_name,  # numerator and denominator beside the percentage on the page
        }
        row.update({c: by_name.get(c, {}).get("percent") for c in components})
        rows.append(row)
    return Table(columns, rows)


def weight_fields(
    asked: dict[str, str], data: Any, defaults: dict[str, float]
) -> list[dict[str, Any]]:
    """The form's inputs: each weight's value (as asked, else the default), its default, and
    whether its components are ranked at all (a field with no service is not)."""
    ranked = set(data["weights"]) if isinstance(data, dict) and "weights" in data else None
    return [
        {
            "param": w.param,
            "value": asked.get(w.param, _plain(defaults[w.param])),
            "default": _plain(defaults[w.param]),
            "available": ranked is None or any(c in ranked for c in w.components),
        }
        for w in WEIGHTS
    ]


def _plain(value: float) -> str:
    """0.6 as "0.6", 1.0 as "1": the form's value, as the URL carries it."""
    return f"{value:g}"


def reset_url(wilayah: str, period: str | None) -> str:
    return url("/dashboard/lokus", wilayah=wilayah, period=period)
