"""Education in the gateway's views: its client reads the rows per desa education serves, the
priority loci weigh its PAUD gap and children out of school when it is deployed (and only
then), and the profile and scorecard show its figures. The services are scripted upstreams:
each answers a path with a fixed body, or is not deployed at all. The profile lists
education's open ATS cases among the posyandu's open cases, earliest due first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simpul_gateway.app import create_app
from simpul_gateway.clients import CLIENTS, EducationClient
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, CircuitBreaker, Status, Upstream
from simpul_gateway.upstreams import Upstreams
from simpul_platform.auth import mint_token
from simpul_platform.indicators import SPM_FIELDS, IndicatorValue
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

DESA_A, DESA_B = "64.02.06.2001", "64.02.06.2002"
POSYANDU = "3f1c2a9e-1111-4c7e-9a55-000000000001"
PERIOD = "2026-07"
SETTINGS = GatewaySettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
DPMD = {"Authorization": f"Bearer {mint_token(SETTINGS, 'dpmd', ['dpmd'], ['64.02'])}"}


class Scripted(Upstream):
    """A service that answers each path from ``replies`` (a body, or an ``Answer`` as is;
    an unknown path is 404), and records what it was asked. Without replies it is not
    deployed."""

    def __init__(self, name: str, replies: dict[str, Any] | None) -> None:
        super().__init__(
            name,
            "http://stub" if replies is not None else "",
            timeout_s=1.0,
            retries=0,
            breaker=CircuitBreaker(3, reset_after_s=60),
        )
        self.replies = replies
        self.asked: list[tuple[str, dict[str, Any] | None]] = []

    async def get(self, path: str, token: str, params: dict[str, Any] | None = None) -> Answer:
        if self.replies is None:
            return await super().get(path, token, params)  # not deployed: not_available
        self.asked.append((path, params))
        reply = self.replies.get(path)
        if isinstance(reply, Answer):
            return reply
        if reply is None:
            return Answer(Status.NOT_FOUND, detail=f"{self.name}: no {path}")
        return Answer(Status.OK, data=reply)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def education_row(desa: str, children_5_6: int, paud: int, children_7_18: int, out: int) -> dict:
    return {
        "desa_code": desa,
        "children": 30,
        "children_5_6": children_5_6,
        "paud_5_6": paud,
        "paud_5_6_percent": percent(paud, children_5_6),
        "children_7_15": 15,
        "dasar_7_15": 14,
        "dasar_7_15_percent": percent(14, 15),
        "children_7_18": children_7_18,
        "out_of_school_7_18": out,
        "out_of_school_percent": percent(out, children_7_18),
        "ats_open": 1,
    }


STUNTING = [
    {"desa_code": DESA_A, "prevalence_percent": 30.0, "stunted": 3, "measured": 10},
    {"desa_code": DESA_B, "prevalence_percent": 30.0, "stunted": 3, "measured": 10},
]
POVERTY = [
    {"desa_code": DESA_A, "share_deciles_1_4": 50.0, "deciles_1_4": 5, "households_assessed": 10},
    {"desa_code": DESA_B, "share_deciles_1_4": 50.0, "deciles_1_4": 5, "households_assessed": 10},
]
# Desa B: as poor and as stunted as A, but four in five of its children 5–6 miss PAUD and a
# quarter of its 7–18 are out of school.
EDUCATION_BY_DESA = [
    education_row(DESA_A, children_5_6=5, paud=4, children_7_18=20, out=1),
    education_row(DESA_B, children_5_6=5, paud=1, children_7_18=20, out=5),
]
EDUCATION_INDICATORS = [
    IndicatorValue.of(
        "education.paud_5_6", "education", "PAUD 5–6", 5, 10, "paud ÷ 5–6", "SPM"
    ).model_dump(mode="json"),
    IndicatorValue.of(
        "education.dasar_7_15", "education", "Dasar 7–15", 28, 30, "dasar ÷ 7–15", "SPM"
    ).model_dump(mode="json"),
]
ATS_OPEN = [  # as education lists them: the longest waiting first
    {
        "case_id": "ats-1",
        "status": "classified",
        "detected_on": "2026-06-01",
        "due_on": "2026-06-15",
        "overdue": True,
    },
    {
        "case_id": "ats-2",
        "status": "referred",
        "detected_on": "2026-06-20",
        "due_on": None,
        "overdue": False,
    },
    {
        "case_id": "ats-3",
        "status": "detected",
        "detected_on": "2026-07-20",
        "due_on": "2026-08-03",
        "overdue": False,
    },
]
EDUCATION_SUMMARY = {
    "posyandu_id": POSYANDU,
    "period": PERIOD,
    "children": 12,
    "by_status": {"paud": 3, "sd": 6, "out_of_school": 1, "not_school_age": 2},
    "ats_cases": {
        "open": 3,
        "by_status": {"detected": 1, "classified": 1, "verified": 0, "referred": 1},
        "overdue": 1,
        "open_cases": ATS_OPEN,
    },
}


def world(
    education: dict[str, Any] | None,
    housing: dict[str, Any] | None = None,
    public_works: dict[str, Any] | None = None,
) -> Upstreams:
    """Registry, health and social answering; education, housing and public works as given
    (None: not deployed)."""
    replies: dict[str, dict[str, Any] | None] = {
        "registry": {
            f"/v1/posyandu/{POSYANDU}": {"id": POSYANDU, "name": "Mawar", "desa_code": DESA_A},
            f"/v1/posyandu/{POSYANDU}/staffing": {"kader": []},
            "/v1/wilayah/64.02.06": {
                "code": "64.02.06",
                "name": "Tenggarong",
                "children": [{"code": DESA_A, "name": "Desa A"}, {"code": DESA_B, "name": "B"}],
            },
        },
        "health": {"/v1/stunting/by-desa": STUNTING, "/v1/indicators": []},
        "social": {"/v1/summary/by-desa": POVERTY, "/v1/indicators": []},
        "education": education,
        "housing": housing,
        "public_works": public_works,
    }
    return Upstreams(
        registry=Scripted("registry", replies["registry"]),
        fields={f: CLIENTS[f](Scripted(f, replies.get(f))) for f in SPM_FIELDS},
    )


EDUCATION_UP = {
    "/v1/summary/by-desa": EDUCATION_BY_DESA,
    "/v1/indicators": EDUCATION_INDICATORS,
    "/v1/summary": EDUCATION_SUMMARY,
}


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(SETTINGS)
    async with running_app(app) as client:
        yield app, client


async def loci(gateway: tuple[Any, httpx.AsyncClient], ups: Upstreams, **query: Any) -> dict:
    app, client = gateway
    app.state.upstreams = ups
    response = await client.get(
        "/v1/priority-loci",
        params={"wilayah": "64.02.06", "period": PERIOD, **query},
        headers=DPMD,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def components(locus: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        c["name"]: (c["field"], c["percent"], c["numerator"], c["denominator"], c["weight"])
        for c in locus["components"]
    }


async def test_the_education_client_reads_the_rows_per_desa_and_refuses_another_shape():
    client = EducationClient(Scripted("education", {"/v1/summary/by-desa": EDUCATION_BY_DESA}))
    answer = await client.by_desa("tok", "64.02.06", PERIOD)
    assert answer.ok and answer.data == EDUCATION_BY_DESA
    assert client.upstream.asked == [  # type: ignore[attr-defined]
        ("/v1/summary/by-desa", {"wilayah": "64.02.06", "period": PERIOD})
    ]
    stunting_shape = EducationClient(Scripted("education", {"/v1/summary/by-desa": STUNTING}))
    wrong = await stunting_shape.by_desa("tok", "64.02.06", PERIOD)
    assert wrong.status is Status.UNAVAILABLE and "cannot read" in (wrong.detail or "")
    absent = await EducationClient(Scripted("education", None)).by_desa("tok", "64.02", PERIOD)
    assert absent.status is Status.NOT_AVAILABLE


async def test_loci_weigh_education_when_it_is_deployed(gateway):
    body = await loci(gateway, world(EDUCATION_UP))
    assert body["weights"] == {
        "stunting_prevalence": 0.6,
        "poverty_deciles_1_4": 0.4,
        "paud_gap_5_6": 0.2,
        "out_of_school_7_18": 0.2,
    }
    assert {f["field"]: f["status"] for f in body["fields"]} == {
        "health": "ok",
        "education": "ok",
        "social": "ok",
        "housing": "not_available",
        "public_works": "not_available",
    }
    first, second = body["loci"]
    assert (first["code"], first["name"], first["complete"]) == (DESA_B, "B", True)
    assert components(first) == {
        "stunting_prevalence": ("health", 30.0, 3, 10, 0.6),
        "poverty_deciles_1_4": ("social", 50.0, 5, 10, 0.4),
        "paud_gap_5_6": ("education", 80.0, 4, 5, 0.2),
        "out_of_school_7_18": ("education", 25.0, 5, 20, 0.2),
    }
    assert first["score"] == round((0.6 * 30 + 0.4 * 50 + 0.2 * 80 + 0.2 * 25) / 1.4, 2)
    assert second["score"] == round((0.6 * 30 + 0.4 * 50 + 0.2 * 20 + 0.2 * 5) / 1.4, 2)
    only_schooling = await loci(
        gateway,
        world(EDUCATION_UP),
        weight_stunting=0,
        weight_poverty=0,
        weight_paud_gap=0,
        weight_out_of_school=1,
    )
    assert [(c["code"], c["score"]) for c in only_schooling["loci"]] == [
        (DESA_B, 25.0),
        (DESA_A, 5.0),
    ]


async def test_loci_without_an_education_service_rank_as_before_and_stay_complete(gateway):
    body = await loci(gateway, world(None), weight_paud_gap=5)
    assert body["weights"] == {"stunting_prevalence": 0.6, "poverty_deciles_1_4": 0.4}
    education = next(f for f in body["fields"] if f["field"] == "education")
    assert education["status"] == "not_available"
    for locus in body["loci"]:
        assert locus["complete"] and locus["score"] == 0.6 * 30 + 0.4 * 50
        assert {c["field"] for c in locus["components"]} == {"health", "social"}


async def test_loci_with_education_down_mark_its_components_missing(gateway):
    down = {"/v1/summary/by-desa": Answer(Status.UNAVAILABLE, detail="education failed (500)")}
    body = await loci(gateway, world(down))
    assert {f["field"]: f["status"] for f in body["fields"]}["education"] == "unavailable"
    for locus in body["loci"]:
        assert not locus["complete"] and locus["score"] == 0.6 * 30 + 0.4 * 50
        missing = {c["name"] for c in locus["components"] if c["percent"] is None}
        assert missing == {"paud_gap_5_6", "out_of_school_7_18"}


async def test_profile_and_scorecard_show_educations_own_figures(gateway):
    app, client = gateway
    app.state.upstreams = world(EDUCATION_UP)
    profile = await client.get(
        f"/v1/posyandu/{POSYANDU}/profile", params={"period": PERIOD}, headers=DPMD
    )
    assert profile.status_code == 200, profile.text
    section = next(f for f in profile.json()["fields"] if f["field"] == "education")
    assert (section["status"], section["data"]) == ("ok", EDUCATION_SUMMARY)
    card = await client.get(
        "/v1/scorecard", params={"wilayah": "64.02", "period": PERIOD}, headers=DPMD
    )
    assert card.status_code == 200, card.text
    rows = [r for r in card.json()["rows"] if r["field"] == "education"]
    assert [(r["status"], r["indicator"]) for r in rows] == [
        ("ok", value) for value in EDUCATION_INDICATORS
    ]


async def test_the_profile_lists_educations_open_ats_cases(gateway):
    app, client = gateway
    social_summary = {
        "priority_cases": {
            "open_cases": [{"case_id": "pc-1", "due_on": "2026-07-01", "overdue": True}]
        }
    }
    ups = world(EDUCATION_UP)
    ups.fields["social"].upstream.replies["/v1/summary"] = social_summary  # type: ignore[attr-defined]
    app.state.upstreams = ups
    profile = await client.get(
        f"/v1/posyandu/{POSYANDU}/profile", params={"period": PERIOD}, headers=DPMD
    )
    assert profile.status_code == 200, profile.text
    assert profile.json()["open_cases"] == [  # earliest due first, none due last
        {
            "field": "education",
            "case_id": "ats-1",
            "kind": "ats_case",
            "status": "classified",
            "due_on": "2026-06-15",
            "overdue": True,
        },
        {
            "field": "social",
            "case_id": "pc-1",
            "kind": "priority_case",
            "status": "open",
            "due_on": "2026-07-01",
            "overdue": True,
        },
        {
            "field": "education",
            "case_id": "ats-3",
            "kind": "ats_case",
            "status": "detected",
            "due_on": "2026-08-03",
            "overdue": False,
        },
        {
            "field": "education",
            "case_id": "ats-2",
            "kind": "ats_case",
            "status": "referred",
            "due_on": None,
            "overdue": False,
        },
    ]


def test_the_education_client_reads_no_case_from_a_summary_without_them_or_in_another_shape():
    client = EducationClient(Scripted("education", {}))
    assert client.open_cases({"children": 0, "by_status": {}}) == []  # before ATS cases
    assert client.open_cases({"ats_cases": {"open_cases": [{"id": "x"}]}}) == []
    assert client.open_cases({"ats_cases": []}) == []
    [case] = client.open_cases({"ats_cases": {"open_cases": ATS_OPEN[1:2]}})
    assert (case.field, case.kind, case.case_id) == ("education", "ats_case", "ats-2")
    assert (case.status, case.due_on, case.overdue) == ("referred", None, False)
