"""Public works in the gateway's views: its client reads the rows per desa public works serves
(alone or inside an envelope naming the wilayah), the priority loci weigh households without
basic drinking water and without layak sanitation when public works is deployed (one weight
for both, from the settings or the query), a public works that fails marks both components
missing, and the profile and scorecard show public works' own figures. The start command and
the test stack tell the gateway where public works is. The services are scripted upstreams
(``test_gateway_education``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_gateway_education import (
    DESA_A,
    DESA_B,
    DPMD,
    PERIOD,
    POSYANDU,
    Scripted,
    components,
    gateway,
    loci,
    world,
)

from simpul_gateway.clients import PUBLIC_WORKS_INDICATORS, PublicWorksClient
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, Status
from simpul_platform.indicators import IndicatorValue
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared


def wash_row(desa: str, surveyed: int, no_water: int, no_sanitation: int) -> dict[str, Any]:
    return {
        "desa_code": desa,
        "households_surveyed": surveyed,
        "population_surveyed": surveyed * 4,
        "households_without_basic_water": no_water,
        "households_babs": no_sanitation // 2,
        "households_without_layak_sanitation": no_sanitation,
        "issues_open": 2,
        "issues_overdue": 1,
    }


# Desa A and B are as stunted and as poor; B's households mostly lack basic water (15 of 20)
# and a quarter lack a layak latrine, A's hardly (1 of 8, none).
PUBLIC_WORKS_BY_DESA = [wash_row(DESA_A, 8, 1, 0), wash_row(DESA_B, 20, 15, 5)]
PUBLIC_WORKS_INDICATORS_BODY = [
    IndicatorValue.of(
        code, "public_works", code, 3 + n, 10, "as counted", "Permen PUPR 29/2018"
    ).model_dump(mode="json")
    for n, code in enumerate(PUBLIC_WORKS_INDICATORS)
]
PUBLIC_WORKS_SUMMARY = {
    "posyandu_id": POSYANDU,
    "period": PERIOD,
    "households": 30,
    "households_surveyed": 28,
    "households_without_basic_water": 16,
    "households_babs": 2,
    "issues_open": 2,
}
PUBLIC_WORKS_UP = {
    "/v1/summary/by-desa": PUBLIC_WORKS_BY_DESA,
    "/v1/indicators": PUBLIC_WORKS_INDICATORS_BODY,
    "/v1/summary": PUBLIC_WORKS_SUMMARY,
}
WASH = ("no_basic_water", "no_layak_sanitation")


async def test_the_public_works_client_reads_the_rows_per_desa_bare_or_enveloped() -> None:
    client = PublicWorksClient(Scripted("public_works", PUBLIC_WORKS_UP))
    answer = await client.by_desa("tok", "64.02.06", PERIOD)
    assert answer.ok and answer.data == PUBLIC_WORKS_BY_DESA
    assert client.upstream.asked == [  # type: ignore[attr-defined]
        ("/v1/summary/by-desa", {"wilayah": "64.02.06", "period": PERIOD})
    ]
    envelope = {"wilayah": "64.02.06", "period": PERIOD, "rows": PUBLIC_WORKS_BY_DESA}
    wrapped = PublicWorksClient(Scripted("public_works", {"/v1/summary/by-desa": envelope}))
    assert (await wrapped.by_desa("tok", "64.02.06", PERIOD)).data == PUBLIC_WORKS_BY_DESA


async def test_the_public_works_client_refuses_another_shape_and_knows_when_absent() -> None:
    housing_shape = [{"desa_code": DESA_A, "houses": 3, "surveyed": 2}]
    for body in (housing_shape, {"wilayah": "64.02.06"}):
        wrong = PublicWorksClient(Scripted("public_works", {"/v1/summary/by-desa": body}))
        refused = await wrong.by_desa("tok", "64.02.06", PERIOD)
        assert refused.status is Status.UNAVAILABLE and "cannot read" in (refused.detail or "")
    absent = await PublicWorksClient(Scripted("public_works", None)).by_desa("tok", "64", PERIOD)
    assert absent.status is Status.NOT_AVAILABLE


async def test_loci_weigh_water_and_sanitation_when_public_works_is_deployed(gateway: Any) -> None:
    body = await loci(gateway, world(None, None, PUBLIC_WORKS_UP))
    assert body["weights"] == {
        "stunting_prevalence": 0.6,
        "poverty_deciles_1_4": 0.4,
        "no_basic_water": 0.1,
        "no_layak_sanitation": 0.1,
    }
    assert {f["field"]: f["status"] for f in body["fields"]}["public_works"] == "ok"
    by_code = {locus["code"]: locus for locus in body["loci"]}
    assert {n: components(by_code[DESA_B])[n] for n in WASH} == {
        "no_basic_water": ("public_works", 75.0, 15, 20, 0.1),
        "no_layak_sanitation": ("public_works", 25.0, 5, 20, 0.1),
    }
    assert {n: components(by_code[DESA_A])[n] for n in WASH} == {
        "no_basic_water": ("public_works", 12.5, 1, 8, 0.1),
        "no_layak_sanitation": ("public_works", 0.0, 0, 8, 0.1),
    }
    assert by_code[DESA_B]["score"] == round((0.6 * 30 + 0.4 * 50 + 0.1 * 75 + 0.1 * 25) / 1.2, 2)
    assert [locus["code"] for locus in body["loci"]] == [DESA_B, DESA_A]  # water turns it
    assert all(locus["complete"] for locus in body["loci"])

    only_wash = await loci(
        gateway,
        world(None, None, PUBLIC_WORKS_UP),
        weight_stunting=0,
        weight_poverty=0,
        weight_wash=1,
    )
    assert only_wash["weights"]["no_basic_water"] == only_wash["weights"]["no_layak_sanitation"]
    assert [(c["code"], c["score"]) for c in only_wash["loci"]] == [(DESA_B, 50.0), (DESA_A, 6.25)]


async def test_loci_without_public_works_ignore_weight_wash(gateway: Any) -> None:
    body = await loci(gateway, world(None), weight_wash=5)
    assert body["weights"] == {"stunting_prevalence": 0.6, "poverty_deciles_1_4": 0.4}
    assert {f["field"]: f["status"] for f in body["fields"]}["public_works"] == "not_available"
    assert all(locus["complete"] for locus in body["loci"])


async def test_loci_with_public_works_down_mark_water_and_sanitation_missing(gateway: Any) -> None:
    down = {"/v1/summary/by-desa": Answer(Status.TIMEOUT, detail="public_works did not answer")}
    body = await loci(gateway, world(None, None, down))
    assert {f["field"]: f["status"] for f in body["fields"]}["public_works"] == "timeout"
    for locus in body["loci"]:
        assert not locus["complete"] and locus["score"] == 0.6 * 30 + 0.4 * 50
        assert {n: components(locus)[n] for n in WASH} == {
            n: ("public_works", None, None, None, 0.1) for n in WASH
        }


async def test_a_desa_nobody_surveyed_has_no_wash_share_rather_than_zero(gateway: Any) -> None:
    unsurveyed = {"/v1/summary/by-desa": [wash_row(DESA_A, 0, 0, 0), wash_row(DESA_B, 20, 15, 5)]}
    body = await loci(gateway, world(None, None, unsurveyed))
    first, second = body["loci"]
    assert (first["code"], first["complete"]) == (DESA_B, True)
    assert (second["code"], second["complete"]) == (DESA_A, False)
    assert {n: components(second)[n] for n in WASH} == {
        n: ("public_works", None, 0, 0, 0.1) for n in WASH
    }


async def test_profile_and_scorecard_show_public_works_own_figures(gateway: Any) -> None:
    app, client = gateway
    app.state.upstreams = world(None, None, PUBLIC_WORKS_UP)
    profile = await client.get(
        f"/v1/posyandu/{POSYANDU}/profile", params={"period": PERIOD}, headers=DPMD
    )
    assert profile.status_code == 200, profile.text
    section = next(f for f in profile.json()["fields"] if f["field"] == "public_works")
    assert (section["status"], section["data"]) == ("ok", PUBLIC_WORKS_SUMMARY)
    card = await client.get(
        "/v1/scorecard", params={"wilayah": "64.02", "period": PERIOD}, headers=DPMD
    )
    assert card.status_code == 200, card.text
    rows = [r for r in card.json()["rows"] if r["field"] == "public_works"]
    assert [(r["status"], r["indicator"]) for r in rows] == [
        ("ok", value) for value in PUBLIC_WORKS_INDICATORS_BODY
    ]
    assert [r["indicator"]["code"] for r in rows] == list(PUBLIC_WORKS_INDICATORS)


def test_the_gateway_finds_public_works_where_the_start_command_or_stack_puts_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert GatewaySettings().public_works_url == "http://127.0.0.1:8106"
    monkeypatch.setenv("SIMPUL_PUBLIC_WORKS_URL", "http://127.0.0.1:18106")
    assert GatewaySettings().field_urls()["public_works"] == "http://127.0.0.1:18106"

    # A test stack without public works leaves it undeployed: the gateway shows it
    # not_available rather than asking whatever runs on its default port.
    without = Stack("127.0.0.1:9092", postgres=None, names=["registry", "gateway"])
    (gateway_entry,) = [e for e in without.entries if e.name == "gateway"]
    for name, value in without.env(gateway_entry).items():
        monkeypatch.setenv(name, value)
    assert GatewaySettings().public_works_url == ""
    Path(without.log_dir).rmdir()

    with_it = Stack("127.0.0.1:9092", postgres=None, names=["public-works", "gateway"])
    (gateway_entry,) = [e for e in with_it.entries if e.name == "gateway"]
    for name, value in with_it.env(gateway_entry).items():
        monkeypatch.setenv(name, value)
    assert GatewaySettings().public_works_url == with_it.url("public-works")
    Path(with_it.log_dir).rmdir()
