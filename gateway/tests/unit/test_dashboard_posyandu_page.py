"""The Posyandu page over a profile answer the API gives (the API call stands in for the
gateway's own route): each field's figures in its section, a field whose service is down
saying so while the rest shows, the open cases and referrals, the exports equal to the page,
and the refusals (another wilayah's posyandu is not found, a malformed id never reaches the
API)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from simpul_gateway.app import create_app
from simpul_gateway.dashboard import posyandu as posyandu_page
from simpul_gateway.dashboard.api import ApiAnswer
from simpul_gateway.dashboard.i18n import EN, ID
from simpul_gateway.dashboard.posyandu_tables import field_figures, figure_label
from simpul_gateway.dashboard.session import COOKIE
from simpul_gateway.settings import GatewaySettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

SETTINGS = GatewaySettings(
    environment="test",
    jwt_secret=TEST_JWT_SECRET,
    pseudonym_secret=TEST_PSEUDONYM_SECRET,
    registry_url="http://127.0.0.1:9",
    upstream_timeout_s=0.5,
    upstream_retries=0,
)
PID = "3f1c2a9e-1111-4c7e-9a55-000000000001"
HEALTH = {
    "period": "2026-11",
    "stunting": {"posyandu_id": PID, "measured": 4, "stunted": 1, "stunting_percent": 50.0},
    "indicators": [
        {
            "code": "health.balita",
            "name": "Balita ditimbang",
            "numerator": 3,
            "denominator": 4,
            "percent": 75.0,
        },
    ],
}
PROFILE: dict[str, Any] = {
    "posyandu": {
        "id": PID,
        "name": "Posyandu Mawar",
        "desa_code": "64.02.06.2012",
        "kecamatan_code": "64.02.06",
        "kabupaten_code": "64.02",
        "address": None,
        "fields": ["health", "social"],
        "status": "registered",
        "registration_number": "64.02.06.2012.001",
    },
    "staffing": {
        "status": "ok",
        "data": [
            {
                "field": "health",
                "ketua_bidang": None,
                "active_kader": 2,
                "missing_ketua_bidang": True,
                "no_kader": False,
            },
        ],
    },
    "fields": [
        {"field": "health", "status": "ok", "data": HEALTH},
        {"field": "education", "status": "not_available", "data": None},
        {"field": "social", "status": "timeout", "data": None, "detail": "social: timeout"},
        {"field": "housing", "status": "not_available", "data": None},
        {"field": "public_works", "status": "not_available", "data": None},
        {"field": "trantib", "status": "not_available", "data": None},
    ],
    "open_cases": [
        {
            "field": "social",
            "case_id": "c-1",
            "kind": "priority_case",
            "status": "open",
            "due_on": "2026-12-01",
            "overdue": False,
        }
    ],
    "referrals": [
        {
            "id": "r-1",
            "source_field": "health",
            "target_field": "social",
            "automatic": True,
            "posyandu_id": PID,
            "desa_code": "64.02.06.2012",
            "reason_code": "bansos_need",
            "status": "requested",
            "requested_on": "2026-11-02",
            "accepted_on": None,
            "due_on": "2026-11-09",
            "overdue": True,
        }
    ],
    "referrals_status": [
        {"field": "social", "status": "timeout"},
        {"field": "trantib", "status": "not_available"},
    ],
    "period": "2026-11",
    "days": {
        "status": "ok",
        "next_open_day": "2026-12-10",
        "last_held_day": {
            "day": "2026-11-10",
            "kader_present": 2,
            "kader_expected": 3,
            "percent": 66.67,
            "fields": ["health"],
        },
    },
}


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The profile route answers ``PROFILE``; the calls made are recorded."""
    calls: list[tuple[str, dict[str, Any]]] = []

    async def fake_get(request: Any, path: str, params: Any = None) -> ApiAnswer:
        calls.append((path, params or {}))
        if PID not in path:
            return ApiAnswer(404, {"detail": "No posyandu"})
        return ApiAnswer(200, PROFILE)

    monkeypatch.setattr(posyandu_page.api, "get", fake_get)
    return calls


async def _client_get(path: str, **params: Any) -> Any:
    token = mint_token(SETTINGS, "dpmd", ["dpmd"], ["64.02"])
    async with running_app(create_app(SETTINGS)) as client:
        client.cookies.set(COOKIE, token, path="/dashboard")
        return await client.get(path, params=params)


def test_a_summary_reads_as_its_numbers_and_indicators_not_its_identity():
    rows = field_figures(HEALTH, ID)
    assert [(r["code"], r["value"]) for r in rows] == [
        ("stunting.measured", 4),
        ("stunting.stunted", 1),
        ("stunting.stunting_percent", 50.0),
        ("health.balita", 75.0),
    ]
    assert (rows[-1]["figure"], rows[-1]["numerator"], rows[-1]["denominator"]) == (
        "Balita ditimbang",
        3,
        4,
    )
    assert rows[0]["figure"] == ID["posyandu_fig_stunting__measured"] == "Balita diukur"


def test_a_figure_is_labelled_by_its_own_label_its_parents_or_its_key():
    assert figure_label("households_by_decile.3", ID) == "Rumah tangga desil 3"
    assert figure_label("households_by_decile.3", EN) == "Households in decile 3"
    assert figure_label("priority_cases.open", EN) == "Priority cases still open"
    assert figure_label("rtlh.newly_found", ID) == "rtlh.newly_found"  # not known yet
    unanswered = field_figures({"rtlh_pupr_percent": None, "note": None}, EN)
    assert [(r["figure"], r["value"]) for r in unanswered] == [
        ("RTLH, PUPR criteria (% surveyed)", None)  # a null percent shows; other nulls do not
    ]


async def test_the_page_shows_the_field_that_answered_and_says_which_did_not(answered):
    page = await _client_get(f"/dashboard/posyandu/{PID}", period="2026-11")
    assert page.status_code == 200, page.text
    assert answered == [(f"/v1/posyandu/{PID}/profile", {"period": "2026-11"})]
    text = page.text
    assert "Posyandu Mawar" in text and "64.02.06.2012.001" in text
    assert 'data-field="health" data-status="ok"' in text
    assert 'data-field="social" data-status="down"' in text
    assert f"{ID['posyandu_field_down']} {ID['posyandu_state_timeout']}." in text
    assert 'id="figures-health"' in text and 'id="figures-social"' not in text
    assert 'data-key="value" data-value="75.0"' in text
    assert 'data-key="next_open_day" data-value="2026-12-10"' in text
    assert 'data-key="reason_code" data-value="bansos_need"' in text
    assert 'data-key="case_id" data-value="c-1"' in text
    assert f"{ID['posyandu_referrals_missing']} — {ID['field_social']}" in text
    assert "/dashboard/capaian?wilayah=64.02.06.2012&amp;period=2026-11" in text
    assert "/dashboard/ringkasan?wilayah=64.02.06" in text


async def test_the_figures_export_holds_every_field_with_its_status(answered):
    exported = await _client_get(f"/dashboard/posyandu/{PID}.csv", period="2026-11")
    assert exported.status_code == 200, exported.text
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0] == ["Wilayah", f"64.02.06.2012 Posyandu Mawar ({PID})"]
    assert lines[1] == ["Periode", "2026-11"]
    body = lines[5:]
    assert body[0] == [
        "Kesehatan",
        "menjawab",
        "Balita diukur",
        "4",
        "",
        "",
        "stunting.measured",
    ]
    assert ["Sosial", "layanan terlalu lama menjawab", "", "", "", "", ""] in body
    assert len(body) == 4 + 5  # health's four figures, one row per other field


async def test_the_referrals_export_is_the_page_table(answered):
    exported = await _client_get(
        f"/dashboard/posyandu/{PID}.xlsx", period="2026-11", table="referrals"
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "posyandu-referrals-" in exported.headers["content-disposition"]


async def test_another_wilayahs_posyandu_and_a_malformed_id_are_not_found(answered):
    hidden = await _client_get("/dashboard/posyandu/other-id")
    malformed = await _client_get("/dashboard/posyandu/a_b")
    bad_period = await _client_get(f"/dashboard/posyandu/{PID}", period="2026-13")
    assert hidden.status_code == 404 and ID["not_found_body"] in hidden.text
    assert malformed.status_code == 404
    assert bad_period.status_code == 404
    assert [path for path, _ in answered] == ["/v1/posyandu/other-id/profile"]


async def test_with_the_registry_down_the_page_says_the_service_did_not_answer():
    page = await _client_get(f"/dashboard/posyandu/{PID}")
    assert page.status_code == 503
    assert ID["error_body"] in page.text
