"""Capaian SPM: the six-field scorecard as a matrix of wilayah (itself first, then each child:
kecamatan of a kabupaten, desa of a kecamatan, posyandu of a desa) × indicator, coloured
against the target, with a trend per indicator over the year. A posyandu's row links to its
own page, where its whole picture is.

The first view is fast: the wilayah's own row, from one scorecard call. The heavy parts are
URLs of their own, each a page (the first view links to them, for a browser without script) or
with ``fragment=1`` the piece the first view fetches and puts in place once it has shown: the
whole matrix, ``/dashboard/capaian/rincian`` (one scorecard per child, all at once), and the
trend, ``/dashboard/capaian/tren`` (one scorecard per period of the year, all at once).
Exports: ``/dashboard/capaian.csv`` (or ``.xlsx``) ``?wilayah=&period=``, the matrix's figures.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from simpul_gateway.dashboard import api
from simpul_gateway.dashboard.api import ApiAnswer, PageRefused
from simpul_gateway.dashboard.charts import Point, line_chart
from simpul_gateway.dashboard.export import ExportFormat, Heading, export_response, export_table
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.render import page, percent
from simpul_gateway.dashboard.scorecard_matrix import (
    Level,
    Matrix,
    Place,
    Series,
    build_matrix,
    build_trend,
    trend_periods,
)
from simpul_gateway.dashboard.session import SignedIn
from simpul_platform.auth import NATIONWIDE
from simpul_platform.indicators import PERIOD_PATTERN, Period
from simpul_platform.settings import ServiceSettings
from simpul_platform.wilayah import WILAYAH_PATTERN
from simpul_platform.wilayah import level as wilayah_level

router = APIRouter()
WilayahParam = Annotated[str | None, Query(max_length=20)]
PeriodParam = Annotated[str | None, Query(max_length=10)]
SCORECARD = "/v1/scorecard"
DESA = 4  # the wilayah level whose children are posyandu


@router.get("/capaian", response_class=HTMLResponse)
async def capaian_page(
    request: Request, principal: SignedIn, wilayah: WilayahParam = None, period: PeriodParam = None
) -> Response:
    """The first view: the wilayah's own row (one scorecard call), then the page fetches the
    rows of its children and the trend."""
    return await _page(request, principal.wilayah, wilayah, period, full=False)


@router.get("/capaian/rincian", response_class=HTMLResponse)
async def capaian_detail(
    request: Request,
    principal: SignedIn,
    wilayah: WilayahParam = None,
    period: PeriodParam = None,
    fragment: Annotated[bool, Query()] = False,
) -> Response:
    """The whole matrix, the wilayah and every child: a page (without script, the first view's
    link) or, with ``fragment``, the table the first view puts in place of its own row."""
    if not fragment:
        return await _page(request, principal.wilayah, wilayah, period, full=True)
    code = _wilayah(wilayah, principal.wilayah)
    if code is None:
        raise PageRefused(404, "no wilayah")
    chosen = _period(request, period)
    _, matrix = await _matrix(request, code, chosen)
    context = {"matrix": matrix, "wilayah": code, "period": chosen.label, "full": True}
    return page(request, "capaian_matrix.html", context)


async def _page(
    request: Request, own: tuple[str, ...], wilayah: str | None, period: str | None, full: bool
) -> Response:
    code = _wilayah(wilayah, own)
    chosen = _period(request, period)
    if code is None:
        return page(request, "capaian.html", {"matrix": None, "period": chosen.label})
    name, matrix = await _matrix(request, code, chosen, children=full)
    context = {
        "matrix": matrix,
        "full": full,
        "name": name,
        "wilayah": code,
        "period": chosen.label,
        "periods": _choices(request, chosen),
        "parent": _parent(code),
        "produced_at": _now(request).strftime("%Y-%m-%d %H:%M"),
    }
    return page(request, "capaian.html", context)


@router.get("/capaian.{fmt}")
async def capaian_export(
    request: Request,
    principal: SignedIn,
    fmt: ExportFormat,
    wilayah: WilayahParam = None,
    period: PeriodParam = None,
) -> Response:
    """The matrix as a CSV or Excel file: the page's figures."""
    code = _wilayah(wilayah, principal.wilayah)
    if code is None:
        raise PageRefused(404, "no wilayah")
    chosen = _period(request, period)
    name, matrix = await _matrix(request, code, chosen)
    t = labels(chosen_lang(request))
    heading = Heading(
        wilayah=f"{code} {name}".strip(),
        period=chosen.label,
        produced_at=_now(request).replace(microsecond=0),
        labels=(t["export_wilayah"], t["export_period"], t["export_produced_at"]),
    )
    content = export_table(matrix.table(t), heading, fmt)
    return export_response(content, fmt, f"capaian-{code}-{chosen.label}")


@router.get("/capaian/tren", response_class=HTMLResponse)
async def capaian_trend(
    request: Request,
    principal: SignedIn,
    wilayah: WilayahParam = None,
    period: PeriodParam = None,
    fragment: Annotated[bool, Query()] = False,
) -> Response:
    """Each indicator of the wilayah over the periods of the year up to the chosen one: a
    chart and a table each; with ``fragment`` only that part, for the matrix page to show."""
    code = _wilayah(wilayah, principal.wilayah)
    if code is None:
        raise PageRefused(404, "no wilayah")
    chosen = _period(request, period)
    periods = trend_periods(chosen, _now(request).strftime("%Y-%m"))
    answers = await api.get_all(
        request, *((SCORECARD, {"wilayah": code, "period": p}) for p in periods)
    )
    if any(a.status == 404 for a in answers):
        raise PageRefused(404, code)
    series, down = build_trend(periods, [a.data if a.ok else None for a in answers])
    lang = chosen_lang(request)
    charts = [_chart(s, periods, lang, code) for s in series]
    name = next((str(a.data.get("name") or "") for a in answers if a.ok), "")
    context = {
        "charts": charts,
        "periods": periods,
        "fields_down": down,
        "wilayah": code,
        "name": name,
        "period": chosen.label,
        "fragment": fragment,
    }
    return page(request, "capaian_trend.html", context)


# --------------------------------------------------------------------------- building


async def _matrix(
    request: Request, code: str, chosen: Period, children: bool = True
) -> tuple[str, Matrix]:
    """The wilayah's scorecard, then (``children``) its children's all at once: the API names
    them (a desa's are its posyandu), and asks every field once per child, which is what makes
    the whole matrix slow."""
    own = await api.get(request, SCORECARD, {"wilayah": code, "period": chosen.label})
    if own.status == 404:
        raise PageRefused(404, code)
    named = own.data.get("children", []) if own.ok else []
    shown = named if children else []
    answers = await api.get_all(request, *((SCORECARD, _child_query(c, chosen)) for c in shown))
    name = str(own.data.get("name") or "") if own.ok else ""
    places = [Place(code, name, _card(own)), *map(_child, shown, answers)]
    level: Level = "posyandu" if wilayah_level(code) == DESA else "wilayah"
    t = labels(chosen_lang(request))
    return name, build_matrix(places, t, has_children=bool(named), child_level=level)


def _child_query(child: dict[str, Any], chosen: Period) -> dict[str, Any]:
    """The child's scorecard as the API links it: a wilayah, or a posyandu of a desa (the
    desa and the posyandu id)."""
    return {
        "wilayah": child["code"],
        "posyandu_id": child.get("posyandu_id"),  # None: not sent
        "period": chosen.label,
    }


def _child(child: dict[str, Any], answer: ApiAnswer) -> Place:
    if child.get("posyandu_id"):
        return Place(str(child["posyandu_id"]), child["name"], _card(answer), "posyandu")
    return Place(child["code"], child["name"], _card(answer))


def _card(answer: ApiAnswer) -> dict[str, Any] | None:
    return answer.data if answer.ok and isinstance(answer.data, dict) else None


def _chart(series: Series, periods: list[str], lang: str, code: str) -> dict[str, Any]:
    t = labels(lang)
    points = [Point(_short(p), v) for p, v in zip(periods, series.values, strict=True)]
    said = "; ".join(
        f"{p}: {t['trend_missing'] if v is None else percent(v, lang)}"
        for p, v in zip(periods, series.values, strict=True)
    )
    desc = t["trend_desc"].format(
        name=series.name,
        first=periods[0],
        last=periods[-1],
        target=f"{series.target:g}",
        values=said,
    )
    chart_id = "tren-" + re.sub(r"[^a-z0-9]+", "-", f"{code}-{series.code}".lower())
    svg = line_chart(
        points,
        chart_id=chart_id,
        title=f"{t['field_' + series.field]}: {series.name}",
        desc=desc,
        target=series.target,
        tick_label=lambda v: f"{v:g}",
    )
    rows = list(zip(periods, series.values, strict=True))
    return {"series": series, "svg": svg, "rows": rows, "id": chart_id}


def _short(period: str) -> str:
    """An axis label: "01" for 2026-01, "Q3" for 2026-Q3."""
    return period[5:] if len(period) > 4 else period


# --------------------------------------------------------------------------- the question


def _wilayah(asked: str | None, own: tuple[str, ...]) -> str | None:
    """The wilayah asked for (a malformed code is not found), else the user's first."""
    if asked:
        if not re.fullmatch(WILAYAH_PATTERN, asked.strip()):
            raise PageRefused(404, asked)
        return asked.strip()
    return next((w for w in own if w != NATIONWIDE), None)


def _period(request: Request, asked: str | None) -> Period:
    """The period asked for (a malformed one is not found), else the current month."""
    if asked:
        if not re.fullmatch(PERIOD_PATTERN, asked.strip()):
            raise PageRefused(404, asked)
        return Period.parse(asked.strip())
    return Period.parse(_now(request).strftime("%Y-%m"))


def _now(request: Request) -> datetime:
    settings: ServiceSettings = request.app.state.settings
    return datetime.now(settings.zone)


def _choices(request: Request, chosen: Period) -> list[tuple[str, list[str]]]:
    """The periods the chooser offers, by year (this year and last, and the chosen one's):
    the year, its quarters, its months."""
    this_year = _now(request).year
    years = sorted({this_year, this_year - 1, chosen.start.year}, reverse=True)
    return [
        (
            str(y),
            [str(y), *(f"{y}-Q{q}" for q in range(1, 5)), *(f"{y}-{m:02d}" for m in range(1, 13))],
        )
        for y in years
    ]


def _parent(code: str) -> str | None:
    parent = code.rsplit(".", 1)[0] if "." in code else None
    return parent if parent and "." in parent else None  # a province has no matrix of its own
