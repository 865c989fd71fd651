"""The header's posyandu search page over the gateway's own ``/v1/posyandu`` (its registry
scripted): an id goes straight to the posyandu's page, a name lists the matches equal to the
API's answer, each linking to its page, with the pages around it; none found, no query, the
registry down and an unknown wilayah each say so."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from test_dashboard_search_api import MAWAR, MAWAR_2, PAGE, REPLIES, gateway, search
from test_gateway_education import DPMD

from simpul_gateway.dashboard.i18n import EN, ID
from simpul_gateway.dashboard.session import COOKIE
from simpul_gateway.upstream import Answer, Status

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared

_ROW = re.compile(r'<tr data-code="([^"]+)">(.*?)</tr>', re.S)
_CELL = re.compile(r'data-key="([^"]+)" data-value="([^"]*)"')


async def page(
    gateway: tuple[Any, httpx.AsyncClient], replies: dict[str, Any], **query: Any
) -> tuple[httpx.Response, Any]:
    """The search page as the DPMD user, the registry answering ``replies``."""
    _, registry = await search(gateway, replies)  # installs the scripted registry
    registry.asked.clear()
    _, client = gateway
    client.cookies.set(COOKIE, DPMD["Authorization"].removeprefix("Bearer "), path="/dashboard")
    return await client.get("/dashboard/posyandu", params=query), registry


def rows(html: str) -> list[tuple[str, dict[str, str]]]:
    return [(code, dict(_CELL.findall(body))) for code, body in _ROW.findall(html)]


async def test_dashboard_search_an_id_goes_straight_to_its_page(gateway):
    response, registry = await page(gateway, REPLIES, q=f"  {MAWAR.upper()} ")
    assert response.status_code == 303
    assert response.headers["location"] == f"/dashboard/posyandu/{MAWAR}"
    assert registry.asked == []  # nothing searched: the posyandu page asks for it


async def test_dashboard_search_a_name_lists_the_apis_matches_each_linking_to_its_page(gateway):
    api, _ = await search(gateway, REPLIES, wilayah="64.02", q="mawar", page=2, page_size=20)
    response, registry = await page(gateway, REPLIES, q=" mawar ", wilayah="64.02", page=2)
    assert response.status_code == 200, response.text
    assert ("/v1/posyandu", {"page": 2, "page_size": 20, "wilayah": "64.02", "q": "mawar"}) in (
        registry.asked
    )
    found = rows(response.text)
    assert found == [
        (
            item["id"],
            {
                "name": item["name"],
                "desa_code": item["desa_code"],
                "kecamatan_code": item["kecamatan_code"],
                "status": item["status"],
                "registration_number": item["registration_number"] or "",
            },
        )
        for item in api.json()["items"]
    ]
    assert [code for code, _ in found] == [MAWAR_2, MAWAR]
    html = response.text
    for pid, name in ((MAWAR, "Posyandu Mawar"), (MAWAR_2, "Posyandu Mawar II")):
        assert f'<a href="/dashboard/posyandu/{pid}">{name}</a>' in html
    assert "Rapak Lambur" in html and "Tenggarong" in html and ID["posyandu_status_draft"] in html
    assert 'data-value="7"' in html  # the API's total, over all pages
    # The registry paged by 2 here: page 2 of 4, with both neighbours.
    assert f"{ID['search_page']} 2 {ID['search_of']} 4" in html
    assert 'href="/dashboard/posyandu?q=mawar&amp;wilayah=64.02&amp;page=1"' in html
    assert 'href="/dashboard/posyandu?q=mawar&amp;wilayah=64.02&amp;page=3"' in html
    # The header's search keeps the name, labelled, saying it takes a name or an id.
    assert '<label for="posyandu-search-q">Posyandu</label>' in html
    assert 'name="q"' in html and 'value="mawar"' in html
    assert f'placeholder="{ID["posyandu_search_label"]}"' in html
    assert ID["posyandu_search_label"] == "nama atau ID"


async def test_dashboard_search_none_found_says_so(gateway):
    empty = {**REPLIES, "/v1/posyandu": {"items": [], "total": 0, "page": 1, "page_size": 20}}
    response, _ = await page(gateway, empty, q="melati", lang="en")
    assert response.status_code == 200
    assert EN["search_none_found"] in response.text and "melati" in response.text
    assert EN["search_in_your_wilayah"] in response.text
    assert "<table" not in response.text


async def test_dashboard_search_without_a_name_prompts_and_asks_nothing(gateway):
    response, registry = await page(gateway, REPLIES, q="   ")
    assert response.status_code == 200
    assert ID["search_prompt"] in response.text
    assert registry.asked == []


async def test_dashboard_search_the_registry_down_is_said_on_the_page(gateway):
    down = {**REPLIES, "/v1/posyandu": Answer(Status.UNAVAILABLE, detail="registry failed")}
    response, _ = await page(gateway, down, q="mawar")
    assert response.status_code == 503
    assert ID["search_unavailable"] in response.text
    assert 'id="posyandu-search-q"' in response.text  # the search is there to try again


async def test_dashboard_search_an_unknown_or_malformed_wilayah_is_not_found(gateway):
    for wilayah in ("64.02.99", "64-02"):
        response, _ = await page(gateway, REPLIES, q="mawar", wilayah=wilayah)
        assert response.status_code == 404, wilayah
        assert ID["not_found_body"] in response.text


async def test_dashboard_search_past_the_last_page_points_back_to_the_first(gateway):
    past = {**REPLIES, "/v1/posyandu": {**PAGE, "items": [], "page": 9}}
    response, _ = await page(gateway, past, q="mawar", page=9)
    assert response.status_code == 200
    assert ID["search_page_empty"] in response.text
    assert 'href="/dashboard/posyandu?q=mawar"' in response.text
