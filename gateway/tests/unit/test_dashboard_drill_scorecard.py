"""The scorecard's last level, desa → posyandu, over scripted upstreams: a desa's scorecard
lists its posyandu (every page of the registry's list) as children linking to their own
scorecard; ``posyandu_id`` gives that posyandu's, each field asked for it alone; a malformed id
is a 422 before any upstream call, and a posyandu outside the wilayah asked (or the caller's)
is a 404, as the profile hides it."""

from __future__ import annotations

from typing import Any

import pytest
from test_gateway_education import DESA_A, DESA_B, DPMD, POSYANDU, SETTINGS, Scripted, gateway

from simpul_gateway.clients import CLIENTS
from simpul_gateway.upstream import Answer, Status
from simpul_gateway.upstreams import Upstreams
from simpul_platform.auth import mint_token
from simpul_platform.indicators import SPM_FIELDS, IndicatorValue

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared

PERIOD = "2026-07"
OTHER = "3f1c2a9e-1111-4c7e-9a55-000000000002"
HEALTH = [
    IndicatorValue.of(
        "health.balita", "health", "Balita", 1, 2, "ditimbang ÷ balita", "SPM"
    ).model_dump(mode="json")
]


def posyandu(pid: str, name: str, desa: str = DESA_A) -> dict[str, Any]:
    return {"id": pid, "name": name, "desa_code": desa}


def world(registry: dict[str, Any]) -> Upstreams:
    """The registry as given; health and social answering their indicators; the rest absent."""
    fields = {"health": {"/v1/indicators": HEALTH}, "social": {"/v1/indicators": []}}
    return Upstreams(
        registry=Scripted("registry", registry),
        fields={f: CLIENTS[f](Scripted(f, fields.get(f))) for f in SPM_FIELDS},
    )


REGISTRY = {
    f"/v1/wilayah/{DESA_A}": {"code": DESA_A, "name": "Rapak Lambur", "children": []},
    f"/v1/wilayah/{DESA_B}": {"code": DESA_B, "name": "Desa B", "children": []},
    "/v1/wilayah/64.02.06": {
        "code": "64.02.06",
        "name": "Tenggarong",
        "children": [{"code": DESA_A, "name": "Rapak Lambur"}],
    },
    "/v1/posyandu": {
        "items": [posyandu(POSYANDU, "Mawar"), posyandu(OTHER, "Kenanga")],
        "total": 2,
        "page": 1,
        "page_size": 500,
    },
    f"/v1/posyandu/{POSYANDU}": posyandu(POSYANDU, "Mawar"),
}


async def ask(gateway: Any, ups: Upstreams, headers: dict[str, str] = DPMD, **query: Any) -> Any:
    app, client = gateway
    app.state.upstreams = ups
    return await client.get("/v1/scorecard", params={"period": PERIOD, **query}, headers=headers)


def asked(ups: Upstreams, name: str) -> list[tuple[str, dict[str, Any] | None]]:
    upstream = ups.registry if name == "registry" else ups.fields[name].upstream  # type: ignore[index]
    result: list[tuple[str, dict[str, Any] | None]] = upstream.asked  # type: ignore[attr-defined]
    return result


async def test_a_desas_children_are_its_posyandu_each_linking_to_its_scorecard(gateway):
    ups = world(REGISTRY)
    response = await ask(gateway, ups, wilayah=DESA_A)
    assert response.status_code == 200, response.text
    card = response.json()
    assert (card["name"], card["posyandu_id"]) == ("Rapak Lambur", None)
    assert card["children"] == [
        {
            "code": DESA_A,
            "name": name,
            "posyandu_id": pid,
            "href": f"/v1/scorecard?wilayah={DESA_A}&posyandu_id={pid}&period={PERIOD}",
        }
        for pid, name in ((POSYANDU, "Mawar"), (OTHER, "Kenanga"))
    ]
    listed = [params for path, params in asked(ups, "registry") if path == "/v1/posyandu"]
    assert listed == [{"wilayah": DESA_A, "page_size": 500}]
    assert asked(ups, "health") == [("/v1/indicators", {"wilayah": DESA_A, "period": PERIOD})]


async def test_a_kecamatan_asks_for_no_posyandu_and_a_long_list_is_read_to_its_end(gateway):
    ups = world(REGISTRY)
    kecamatan = (await ask(gateway, ups, wilayah="64.02.06")).json()
    assert [(c["code"], c["posyandu_id"]) for c in kecamatan["children"]] == [(DESA_A, None)]
    assert all(path != "/v1/posyandu" for path, _ in asked(ups, "registry"))
    # 501 posyandu: two pages (the script answers the same page twice).
    many = world({**REGISTRY, "/v1/posyandu": {**REGISTRY["/v1/posyandu"], "total": 501}})
    card = (await ask(gateway, many, wilayah=DESA_A)).json()
    assert len(card["children"]) == 4
    pages = [p for path, p in asked(many, "registry") if path == "/v1/posyandu"]
    assert [(p or {}).get("page") for p in pages] == [None, 2]
    # A page the registry does not answer: no children rather than a short list.
    down = world({**REGISTRY, "/v1/posyandu": Answer(Status.UNAVAILABLE, detail="down")})
    assert (await ask(gateway, down, wilayah=DESA_A)).json()["children"] == []


async def test_a_posyandus_scorecard_asks_each_field_for_that_posyandu(gateway):
    ups = world(REGISTRY)
    for wilayah in (DESA_A, "64.02.06", "64.02"):  # its desa or an ancestor
        response = await ask(gateway, ups, wilayah=wilayah, posyandu_id=POSYANDU)
        assert response.status_code == 200, response.text
        card = response.json()
        assert (card["wilayah"], card["name"], card["posyandu_id"]) == (wilayah, "Mawar", POSYANDU)
        assert card["children"] == []
        health = [r["indicator"] for r in card["rows"] if r["field"] == "health"]
        assert health == HEALTH
        statuses = {r["field"]: r["status"] for r in card["rows"]}
        assert statuses["education"] == "not_available" and statuses["social"] == "ok"
    for field in ("health", "social"):
        assert (
            asked(ups, field)
            == [("/v1/indicators", {"posyandu_id": POSYANDU, "period": PERIOD})] * 3
        )


@pytest.mark.parametrize("posyandu_id", ["\x17bad", "a?b=c", "x" * 37, "../wilayah/64", ""])
async def test_a_malformed_posyandu_id_is_a_422_before_any_upstream_call(gateway, posyandu_id):
    ups = world(REGISTRY)
    response = await ask(gateway, ups, wilayah=DESA_A, posyandu_id=posyandu_id)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "query.posyandu_id"
    assert error["rule"] in ("string_pattern_mismatch", "string_too_long", "string_too_short")
    assert asked(ups, "registry") == [] and asked(ups, "health") == []


async def test_a_posyandu_outside_the_wilayah_or_the_callers_is_not_found(gateway):
    # Mawar lies in desa A: asked under desa B, it is not found.
    other_desa = await ask(gateway, world(REGISTRY), wilayah=DESA_B, posyandu_id=POSYANDU)
    assert other_desa.status_code == 404, other_desa.text
    assert POSYANDU in other_desa.json()["detail"]
    # A desa B user: the registry shows Mawar (a DPMD-wide script), the gateway still hides it.
    tp_b = {"Authorization": f"Bearer {mint_token(SETTINGS, 'tp', ['tp:desa'], [DESA_B])}"}
    hidden = await ask(gateway, world(REGISTRY), tp_b, wilayah=DESA_B, posyandu_id=POSYANDU)
    assert hidden.status_code == 404, hidden.text
    unknown = await ask(gateway, world(REGISTRY), wilayah=DESA_A, posyandu_id=OTHER)
    assert unknown.status_code == 404  # the registry has no such posyandu (or hides it)
    # Asking for a wilayah outside the caller's is refused as before, whatever the posyandu.
    elsewhere = await ask(gateway, world(REGISTRY), tp_b, wilayah=DESA_A, posyandu_id=POSYANDU)
    assert elsewhere.status_code == 403
    down = world({**REGISTRY, f"/v1/posyandu/{POSYANDU}": Answer(Status.TIMEOUT, detail="slow")})
    unanswered = await ask(gateway, down, wilayah=DESA_A, posyandu_id=POSYANDU)
    assert unanswered.status_code == 503
