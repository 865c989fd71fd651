"""Trantib in the gateway's views like the other fields: its client answers the field
contract (indicators, summary, rows per desa, referrals), the profile and the scorecard show
trantib's own figures, and a stack without trantib leaves it undeployed. The services are
scripted upstreams (``test_gateway_education``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_gateway_education import DPMD, PERIOD, POSYANDU, Scripted, gateway, world

from simpul_gateway.clients import CLIENTS, TrantibClient
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Status
from simpul_platform.indicators import IndicatorValue
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared

INDICATORS = [
    IndicatorValue.of(
        "trantib.fire_response",
        "trantib",
        "Fires answered in 15 minutes",
        7,
        9,
        "≤ 15 ÷ all",
        "Permendagri 114/2018",
    ).model_dump(mode="json"),
]
SUMMARY = {"posyandu_id": POSYANDU, "period": PERIOD, "fires": 2, "order_reports_open": 1}
BY_DESA = [{"desa_code": "64.02.06.2001", "fires": 2, "fires_response_met": 1}]
REFERRALS = [
    {
        "id": "r-1",
        "direction": "incoming",
        "source_field": "social",
        "target_field": "trantib",
        "automatic": False,
        "posyandu_id": POSYANDU,
        "desa_code": "64.02.06.2001",
        "reason_code": "fire_hazard",
        "status": "requested",
        "requested_on": "2026-07-01",
        "due_on": "2026-07-08",
        "overdue": True,
        "resolved_on": None,
        "resolved_on_time": None,
    }
]
TRANTIB_UP = {
    "/v1/indicators": INDICATORS,
    "/v1/summary": SUMMARY,
    "/v1/summary/by-desa": BY_DESA,
    f"/v1/referrals/posyandu/{POSYANDU}": REFERRALS,
}


def with_trantib() -> Any:
    ups = world(None)
    ups.fields["trantib"] = CLIENTS["trantib"](Scripted("trantib", TRANTIB_UP))
    return ups


async def test_the_trantib_client_answers_the_field_contract() -> None:
    client = TrantibClient(Scripted("trantib", TRANTIB_UP))
    assert client.has_referrals  # its catalogue: disturbance_report, fire_hazard, apar_needed
    assert (await client.by_desa("tok", "64.02.06", PERIOD)).data == BY_DESA
    assert (await client.indicators("tok", "64.02.06", PERIOD)).data == INDICATORS
    referrals = await client.referrals_of_posyandu("tok", POSYANDU)
    assert referrals.ok and [r.id for r in referrals.data] == ["r-1"]
    assert client.open_cases(SUMMARY) == []
    absent = await TrantibClient(Scripted("trantib", None)).summary("tok", POSYANDU, PERIOD)
    assert absent.status is Status.NOT_AVAILABLE


async def test_profile_and_scorecard_show_trantib_own_figures(gateway: Any) -> None:
    app, client = gateway
    app.state.upstreams = with_trantib()
    profile = await client.get(
        f"/v1/posyandu/{POSYANDU}/profile", params={"period": PERIOD}, headers=DPMD
    )
    assert profile.status_code == 200, profile.text
    body = profile.json()
    section = next(f for f in body["fields"] if f["field"] == "trantib")
    assert (section["status"], section["data"]) == ("ok", SUMMARY)
    assert [r["id"] for r in body["referrals"]] == ["r-1"]
    statuses = {s["field"]: s["status"] for s in body["referrals_status"]}
    assert statuses["trantib"] == "ok"
    card = await client.get(
        "/v1/scorecard", params={"wilayah": "64.02.06", "period": PERIOD}, headers=DPMD
    )
    assert card.status_code == 200, card.text
    rows = [r for r in card.json()["rows"] if r["field"] == "trantib"]
    assert [(r["status"], r["indicator"]) for r in rows] == [("ok", INDICATORS[0])]


def test_the_gateway_finds_trantib_where_the_start_command_or_stack_puts_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert GatewaySettings().trantib_url == "http://127.0.0.1:8107"
    without = Stack("127.0.0.1:9092", postgres=None, names=["registry", "gateway"])
    (entry,) = [e for e in without.entries if e.name == "gateway"]
    for name, value in without.env(entry).items():
        monkeypatch.setenv(name, value)
    assert GatewaySettings().trantib_url == ""
    Path(without.log_dir).rmdir()

    with_it = Stack("127.0.0.1:9092", postgres=None, names=["trantib", "gateway"])
    (entry,) = [e for e in with_it.entries if e.name == "gateway"]
    for name, value in with_it.env(entry).items():
        monkeypatch.setenv(name, value)
    assert GatewaySettings().trantib_url == with_it.url("trantib")
    Path(with_it.log_dir).rmdir()
