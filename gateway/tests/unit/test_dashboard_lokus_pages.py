"""The Lokus, Rujukan and Kedaruratan pages from canned API answers: the tables' rows are the
answers' figures in the answers' order, a field that is down is said, the weights form carries
what was asked (else the defaults), and drill-down links go one level down."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta, timezone
from typing import Any

import pytest

from simpul_gateway.app import create_app
from simpul_gateway.dashboard import api, emergencies, loci, referrals
from simpul_gateway.dashboard.api import ApiAnswer
from simpul_gateway.dashboard.i18n import EN, ID
from simpul_gateway.dashboard.session import COOKIE
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

SETTINGS = GatewaySettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
DESA_A, DESA_B = "64.02.06.2012", "64.02.06.1002"


def component(
    name: str,
    field: str,
    percent: float | None,
    weight: float,
    n: int | None = None,
    d: int | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "field": field,
        "percent": percent,
        "weight": weight,
        "numerator": n,
        "denominator": d,
    }


def field(name: str, status: str = "ok") -> dict[str, Any]:
    return {"field": name, "status": status, "data": None, "detail": None}


LOCI = {
    "wilayah": "64.02.06",
    "period": "2026-11",
    "weights": {"stunting_prevalence": 0.6, "poverty_deciles_1_4": 0.4, "rtlh_pupr": 0.0},
    "fields": [
        field("health"),
        field("education", "not_available"),
        field("social", "timeout"),
        field("housing"),
        field("public_works", "not_available"),
    ],
    "loci": [
        {
            "rank": 1,
            "code": DESA_A,
            "name": "Rapak Lambur",
            "score": 50.0,
            "complete": False,
            "components": [
                component("poverty_deciles_1_4", "social", None, 0.4),
                component("rtlh_pupr", "housing", 10.0, 0.0, 1, 10),
                component("stunting_prevalence", "health", 50.0, 0.6, 2, 4),
            ],
        },
        {
            "rank": 2,
            "code": DESA_B,
            "name": None,
            "score": 0.0,
            "complete": False,
            "components": [component("stunting_prevalence", "health", 0.0, 0.6, 0, 2)],
        },
    ],
}


def counts(total: int, open_: int, overdue: int, resolved: int = 0) -> dict[str, int]:
    return {
        "total": total,
        "open": open_,
        "overdue": overdue,
        "rejected": 0,
        "resolved": resolved,
        "resolved_on_time": resolved,
    }


def overdue_referral(rid: str, due_on: str, target: str = "social") -> dict[str, Any]:
    return {
        "id": rid,
        "source_field": "health",
        "target_field": target,
        "automatic": False,
        "posyandu_id": "pos-1",
        "desa_code": DESA_A,
        "reason_code": "dtsen_assessment",
        "status": "requested",
        "requested_on": "2026-09-07",
        "accepted_on": None,
        "due_on": due_on,
        "overdue": True,
    }


REFERRALS = {
    "wilayah": "64.02",
    "as_of": "2026-12-07",
    "group": "kecamatan",
    "status": None,
    "field": None,
    "complete": False,
    "totals": counts(3, 2, 2, 1),
    "by_field": [
        {
            "field": "health",
            "status": "ok",
            "detail": None,
            "counts": counts(0, 0, 0),
            "by_source_field": {},
        },
        {"field": "education", "status": "not_available", "detail": "x", "counts": None},
        {
            "field": "social",
            "status": "ok",
            "detail": None,
            "counts": counts(3, 2, 2, 1),
            "by_source_field": {},
        },
        {"field": "housing", "status": "unavailable", "detail": "down", "counts": None},
    ],
    "by_group": [
        {"code": "64.02.06", "counts": counts(3, 2, 2, 1), "by_field": {}, "href": "/v1/x"},
    ],
    "overdue": [
        overdue_referral("r-1", "2026-09-14"),
        overdue_referral("r-2", "2026-09-15"),
    ],
    "oldest_open": [
        overdue_referral("r-1", "2026-09-14"),
        overdue_referral("r-2", "2026-09-15"),
        {**overdue_referral("r-3", "2026-12-14"), "requested_on": "2026-12-07", "overdue": False},
    ],
}

EMERGENCIES = {
    "wilayah": "64.02.06",
    "period": "2026-12",
    "response_minutes": 15,
    "complete": False,
    "trantib": {"status": "ok", "detail": None},
    "housing": {"status": "ok", "detail": None},
    "social": {"status": "unavailable", "detail": "social failed (500)"},
    "totals": {
        "households": 3,
        "damaged": 2,
        "without_habitable_house": 2,
        "awaiting_housing_case": 1,
        "without_social_protection": None,
    },
    "missed_fires": [
        {
            "incident_id": "f-1",
            "posyandu_id": "pos-1",
            "desa_code": DESA_A,
            "object_kind": "rumah",
            "fire_post_id": None,
            "fire_post_name": "Pos Tenggarong",
            "inside_wmk": True,
            "distance_km": 2.5,
            "report_received_at": "2026-12-06T08:00:00Z",
            "arrived_at": "2026-12-06T08:15:01Z",
            "response_seconds": 901,
        }
    ],
    "emergencies": [
        {
            "kind": "disaster",
            "id": "d-1",
            "name": "Banjir Tenggarong",
            "hazard": "banjir",
            "occurred_on": "2026-12-01",
            "wilayah_code": "64.02.06",
            "households": 3,
            "damaged": 2,
            "without_habitable_house": 2,
            "awaiting_housing_case": 1,
            "without_social_protection": None,
            "by_desa": [
                {
                    "desa_code": DESA_A,
                    "households": 3,
                    "damaged": 2,
                    "without_habitable_house": 2,
                    "awaiting_housing_case": 1,
                    "without_social_protection": None,
                },
            ],
        }
    ],
}


# --- pure shaping ----------------------------------------------------------------------------


def test_the_loci_table_is_the_apis_ranking_with_each_component_in_play():
    table = loci.loci_table(LOCI, ID)
    assert [c.key for c in table.columns] == [
        "rank",
        "code",
        "name",
        "score",
        "complete",
        "stunting_prevalence",
        "poverty_deciles_1_4",
        "rtlh_pupr",
    ]
    assert table.cells() == [
        [1, DESA_A, "Rapak Lambur", 50.0, "tidak", 50.0, None, 10.0],
        [2, DESA_B, "", 0.0, "tidak", 0.0, None, None],
    ]
    assert loci.in_play(LOCI) == ["stunting_prevalence", "poverty_deciles_1_4", "rtlh_pupr"]
    assert [f["field"] for f in loci.silent_fields(LOCI)] == ["social"]


def test_the_weights_form_shows_what_was_asked_else_the_defaults():
    defaults = {w.param: 1.0 for w in loci.WEIGHTS} | {"weight_stunting": 0.6}
    fields = {f["param"]: f for f in loci.weight_fields({"weight_poverty": "3"}, LOCI, defaults)}
    assert (fields["weight_poverty"]["value"], fields["weight_poverty"]["default"]) == ("3", "1")
    assert (fields["weight_stunting"]["value"], fields["weight_stunting"]["default"]) == (
        "0.6",
        "0.6",
    )
    assert fields["weight_rtlh"]["available"] and not fields["weight_wash"]["available"]
    assert not fields["weight_paud_gap"]["available"]
    # Without an answer nothing is known to be missing: every input is offered.
    assert all(f["available"] for f in loci.weight_fields({}, None, defaults))


def test_the_referral_tables_are_the_apis_counts_and_overdue_list():
    fields = referrals.fields_table(REFERRALS, ID)
    by_field = {row.get("code"): row for row in fields.rows}
    assert by_field["social"]["overdue"] == 2 and by_field["health"]["open"] == 0
    assert by_field["housing"]["overdue"] is None
    assert by_field["housing"]["state"] == ID["down_status_unavailable"]
    assert fields.rows[-1]["is_total"] and fields.rows[-1]["overdue"] == 2
    groups = referrals.groups_table(REFERRALS, ID, {"status": "overdue"})
    assert groups.rows[0]["href"] == "/dashboard/rujukan?wilayah=64.02.06&status=overdue"
    overdue = referrals.overdue_table(REFERRALS, EN)
    assert [(r["id"], r["days_overdue"]) for r in overdue.rows] == [("r-1", 84), ("r-2", 83)]
    assert overdue.rows[0]["target_label"] == "Social"


def test_drill_down_goes_one_level_down_to_the_posyandu_page():
    assert [referrals.group_of(c) for c in ("64.02", "64.02.06", DESA_A)] == [
        "kecamatan",
        "desa",
        "posyandu",
    ]
    assert referrals.drill_down("posyandu", "pos 1", {}) == "/dashboard/posyandu/pos%201"
    assert referrals.drill_down("desa", DESA_A, {"field": "social"}) == (
        f"/dashboard/rujukan?wilayah={DESA_A}&field=social"
    )
    assert referrals.days_overdue("2026-12-07", date(2026, 12, 7)) == 0


def test_the_emergency_tables_keep_unknown_counts_unknown():
    fires = emergencies.fires_table(EMERGENCIES, ID)
    assert fires.rows[0]["response_minutes"] == 15.0 and fires.rows[0]["posyandu_id"] == "pos-1"
    victims = emergencies.victims_table(EMERGENCIES, ID)
    assert victims.cells()[0] == [
        "Banjir Tenggarong",
        "Bencana (banjir)",
        "2026-12-01",
        DESA_A,
        3,
        2,
        2,
        1,
        None,
    ]
    assert victims.rows[-1]["is_total"] and victims.rows[-1]["without_social_protection"] is None
    assert emergencies.down_sources(EMERGENCIES) == [("social", "unavailable")]
    assert emergencies.response_minutes(None) is None
    wita = timezone(timedelta(hours=8))
    assert emergencies.local_time("2026-12-06T08:15:01Z", wita) == "2026-12-06 16:15"
    assert emergencies.fires_table(EMERGENCIES, ID, wita).rows[0]["local"] == {
        "report_received_at": "2026-12-06 16:00",
        "arrived_at": "2026-12-06 16:15",
    }


# --- rendered from canned answers ------------------------------------------------------------


@pytest.fixture
def canned(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The pages' API calls answered from the canned views; the calls are recorded."""
    calls: list[tuple[str, dict[str, Any]]] = []
    views = {"/v1/priority-loci": LOCI, "/v1/referrals": REFERRALS, "/v1/emergencies": EMERGENCIES}

    async def get(request: Any, path: str, params: dict[str, Any] | None = None) -> ApiAnswer:
        calls.append((path, dict(params or {})))
        return ApiAnswer(200, views[path])

    monkeypatch.setattr(api, "get", get)
    yield calls


async def _page(path: str, **params: Any) -> tuple[int, str]:
    token = mint_token(SETTINGS, "dpmd", ["dpmd"], ["64.02"])
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, token, path="/dashboard")
        response = await client.get(path, params=params)
    return response.status_code, response.text


def _values(html: str, table: str, key: str) -> list[str]:
    body = html.split(f'<table id="{table}">', 1)[1].split("</table>", 1)[0]
    return re.findall(rf'data-key="{key}" data-value="([^"]*)"', body)


async def test_the_loci_page_passes_the_weights_to_the_api_and_says_what_is_missing(canned):
    status, html = await _page(
        "/dashboard/lokus", wilayah="64.02.06", weight_stunting="1", weight_poverty=""
    )
    assert status == 200
    path, params = canned[0]
    assert path == "/v1/priority-loci"
    assert params["weight_stunting"] == "1" and "weight_poverty" not in params
    assert _values(html, "loci", "code") == [DESA_A, DESA_B]
    assert _values(html, "loci", "stunting_prevalence") == ["50.0", "0.0"]
    assert 'id="weight_stunting" name="weight_stunting" type="number"' in html
    assert 'value="1"' in html and "bawaan: 0.6" in html
    assert 'data-components="paud_gap_5_6 out_of_school_7_18 no_basic_water' in html
    assert 'data-field="social"' in html  # social timed out: said
    assert 'href="/dashboard/lokus.csv?wilayah=64.02.06&amp;weight_stunting=1' in html
    assert 'id="loci-reset" href="/dashboard/lokus?wilayah=64.02.06&amp;period=2026-11"' in html


async def test_the_referrals_page_shows_the_counts_links_and_the_field_down(canned):
    status, html = await _page("/dashboard/rujukan", wilayah="64.02", status="bogus")
    assert status == 200
    assert canned[0] == ("/v1/referrals", {"wilayah": "64.02", "group": "kecamatan"})
    assert _values(html, "ref-groups", "overdue") == ["2"]
    assert 'href="/dashboard/rujukan?wilayah=64.02.06"' in html
    assert _values(html, "ref-overdue", "days_overdue") == ["84", "83"]
    assert _values(html, "ref-open", "days_open") == ["91", "91", "0"]
    assert 'href="/dashboard/rujukan.csv?wilayah=64.02&amp;lang=id&amp;table=open"' in html
    assert 'id="ref-incomplete"' in html and "Perumahan rakyat" in html


async def test_the_emergencies_page_says_which_source_is_down(canned):
    status, html = await _page("/dashboard/kedaruratan", wilayah="64.02.06", lang="en")
    assert status == 200
    assert _values(html, "emg-fires", "response_minutes") == ["15.0"]
    assert 'href="/dashboard/posyandu/pos-1"' in html
    assert 'data-source="social"' in html and "Social data is not available" in html
    assert _values(html, "emg-victims", "without_social_protection") == ["", ""]


async def test_a_weight_the_api_refuses_is_said_and_not_exported(monkeypatch):
    async def refused(request: Any, path: str, params: dict[str, Any] | None = None) -> ApiAnswer:
        return ApiAnswer(422, {"errors": [{"field": "weight_stunting"}]})

    monkeypatch.setattr(api, "get", refused)
    status, html = await _page("/dashboard/lokus", wilayah="64.02.06", weight_stunting="500")
    assert status == 422
    assert ID["loci_refused"] in html and 'id="loci"' not in html
    assert 'value="500"' in html  # the form keeps what was asked, to be corrected
    exported, _ = await _page("/dashboard/lokus.csv", wilayah="64.02.06", weight_stunting="500")
    assert exported == 422


async def test_another_kecamatan_is_refused_by_the_api_on_every_page():
    token = mint_token(SETTINGS, "tp", ["tp:kecamatan"], ["64.02.06"])
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, token, path="/dashboard")
        for path in ("/dashboard/lokus", "/dashboard/rujukan", "/dashboard/kedaruratan"):
            response = await client.get(path, params={"wilayah": "64.02.07"})
            assert response.status_code == 403, path
            assert "Anda tidak berhak melihat wilayah ini" in response.text
