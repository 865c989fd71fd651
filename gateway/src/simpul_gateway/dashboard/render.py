"""Rendering a page: the package's Jinja2 templates (autoescaped), with the language, its labels,
the signed-in user and the navigation added to every page's context."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from simpul_gateway.dashboard import csrf
from simpul_gateway.dashboard.i18n import LANG_COOKIE, chosen_lang, labels
from simpul_platform.auth import Principal

ASSETS = "/dashboard/assets"
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600
# The six pages, in the order of the header; (label key, path). Each keeps the wilayah (and,
# where it has one, the period) the user is looking at.
NAV: tuple[tuple[str, str], ...] = (
    ("nav_summary", "/dashboard/ringkasan"),
    ("nav_scorecard", "/dashboard/capaian"),
    ("nav_loci", "/dashboard/lokus"),
    ("nav_referrals", "/dashboard/rujukan"),
    ("nav_emergencies", "/dashboard/kedaruratan"),
)


def number(value: Any, lang: str = "id", digits: int = 0) -> str:
    """A figure as people read it: Indonesian groups thousands with "." and decimals with ","."""
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}" if digits else f"{int(value):,}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(value: float | None, lang: str = "id") -> str:
    """A percentage (0–100) with one decimal: "12,5 %"."""
    return "—" if value is None else f"{number(value, lang, 1)} %"


def cell(value: Any, lang: str = "id") -> str:
    """A table cell's text: numbers formatted for the reader, anything else as it is."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return number(value, lang, 0 if isinstance(value, int) else 1)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("simpul_gateway.dashboard", "templates"),
        autoescape=True,  # every template is HTML; data from the API is never trusted markup
        undefined=StrictUndefined,  # a missing label or figure fails the test, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = number
    env.filters["percent"] = percent
    env.filters["cell"] = cell
    env.globals["assets"] = ASSETS
    return env


ENV = _environment()


def url(path: str, **params: Any) -> str:
    """``path`` with the non-empty ``params`` as its query."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render ``template`` with ``context`` plus what every page shows: the language and its
    labels, the signed-in user, the navigation and the language switch."""
    lang = chosen_lang(request)
    principal = getattr(request.state, "principal", None)
    wilayah = context.get("wilayah") or ""
    full = {
        "lang": lang,
        "t": labels(lang),
        "user": principal if isinstance(principal, Principal) else None,
        "nav": [(key, url(path, wilayah=wilayah), path) for key, path in NAV],
        "current_path": request.url.path,
        "lang_urls": {code: _with_lang(request, code) for code in ("id", "en")},
        "url": url,
        "wilayah": wilayah,
        "period": "",
        "csrf": csrf.token_for(request),  # the sign-out form in the header, the sign-in forms
        **context,
    }
    body = ENV.get_template(template).render(full)
    response = HTMLResponse(body, status_code=status)
    csrf.keep(response, request)
    if request.query_params.get("lang") == lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE_S, samesite="lax", httponly=True
        )
    return response


def _with_lang(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = lang
    return f"{request.url.path}?{urlencode(params)}"
