"""The header's posyandu search: a name or an id. An id goes straight to the posyandu's page;
a name lists the posyandu whose name contains it in the user's wilayah (the gateway's
``/v1/posyandu``, so the API's wilayah rule decides what is found), a page at a time, each
linking to its page.

``/dashboard/posyandu?q=mawar`` (``&wilayah=64.02.06`` narrows it, ``&page=2`` pages on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from simpul_gateway.dashboard import api
from simpul_gateway.dashboard.api import PageRefused
from simpul_gateway.dashboard.export import Column, Table
from simpul_gateway.dashboard.i18n import chosen_lang, labels
from simpul_gateway.dashboard.render import page
from simpul_gateway.dashboard.session import SignedIn
from simpul_platform.wilayah import WILAYAH_PATTERN

router = APIRouter()
# The registry's ids (version 4 UUIDs): what the search takes for an id rather than a name.
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
MAX_QUERY = 80  # the API's longest name (the input's maxlength)
PAGE_SIZE = 20
TextParam = Annotated[str, Query(max_length=200)]


@dataclass(frozen=True)
class Results:
    """One page of matches and where it sits among all of them."""

    q: str
    wilayah: str
    wilayah_name: str | None
    table: Table
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.table.rows) - 1


@router.get("/posyandu")
async def find_posyandu(
    request: Request,
    principal: SignedIn,
    q: TextParam = "",
    wilayah: TextParam = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """The header's search: an id to its posyandu's page, a name to the posyandu that bear it."""
    wanted = " ".join(q.split())[:MAX_QUERY]
    if _ID.fullmatch(wanted):
        return RedirectResponse(f"/dashboard/posyandu/{wanted.lower()}", status_code=303)
    code = wilayah.strip()
    if code and not re.fullmatch(WILAYAH_PATTERN, code):
        raise PageRefused(404, code)
    context: dict[str, Any] = {
        "search_q": wanted,
        "results": None,
        "unavailable": False,
        "wilayah": code,  # the header's page links keep a narrowed search's wilayah
    }
    if not wanted:
        return page(request, "posyandu_search.html", context)
    answer = await api.get(
        request,
        "/v1/posyandu",
        {"q": wanted, "wilayah": code or None, "page": page_no, "page_size": PAGE_SIZE},
    )
    if answer.status == 404:
        raise PageRefused(404, code)
    if not answer.ok or not isinstance(answer.data, dict):
        # The search is the whole page: said, with the header's search to try again.
        return page(request, "posyandu_search.html", {**context, "unavailable": True}, 503)
    context["results"] = _results(answer.data, labels(chosen_lang(request)))
    return page(request, "posyandu_search.html", context)


def _results(data: dict[str, Any], t: dict[str, str]) -> Results:
    columns = [
        Column("name", t["search_col_name"]),
        Column("desa_code", t["search_col_desa"]),
        Column("kecamatan_code", t["search_col_kecamatan"]),
        Column("status", t["search_col_status"]),
        Column("registration_number", t["search_col_registration_number"]),
    ]
    rows = [
        {
            "code": item["id"],  # the row's data-code: the posyandu it links to
            "name": item["name"],
            "desa_code": item["desa_code"],
            "desa_name": item.get("desa_name"),
            "kecamatan_code": item["kecamatan_code"],
            "kecamatan_name": item.get("kecamatan_name"),
            "status": item["status"],
            "registration_number": item.get("registration_number"),
        }
        for item in data["items"]
    ]
    return Results(
        q=data.get("q") or "",
        wilayah=data.get("wilayah") or "",
        wilayah_name=data.get("wilayah_name"),
        table=Table(columns, rows),
        total=int(data["total"]),
        page=int(data["page"]),
        page_size=int(data["page_size"]),
    )
