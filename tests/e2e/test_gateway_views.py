"""DPMD's views through the gateway, with registry, health, social and the gateway as real
uvicorn processes on the real broker and PostgreSQL, seeded only through their REST APIs
(``gateway_views_seed``: two posyandu in Tenggarong, Mawar with two stunted balita in poor
households, Melati with none).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import child_nik, post_created
from gateway_views_seed import (
    DPMD,
    MAWAR_DESA,
    MELATI_DESA,
    PERIOD,
    TIMEOUT_S,
    TODAY,
    bearer,
    by_field,
    get,
    seed_views,
)
from jsonschema import Draft7Validator

from simpul_platform.testing.asyncapi_schema import asyncapi_schema
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    extra = {"GATEWAY_UPSTREAM_TIMEOUT_S": str(TIMEOUT_S), "GATEWAY_BREAKER_RESET_S": "2"}
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "social", "gateway"],
        extra,
        kafka=kafka_broker.managed,
    ).start()
    try:
        yield started
    finally:
        for name in ("health", "social"):  # a failed test may leave one paused
            process = started.processes[name]._process
            if process is not None:
                os.killpg(process.pid, signal.SIGCONT)
        started.stop()


@pytest.fixture(scope="module")
async def seeded(stack: Stack) -> dict[str, str]:
    return await seed_views(stack)


async def test_posyandu_profile_shows_every_field_and_the_open_cases(stack, seeded):
    mawar = seeded["Posyandu Mawar"]
    response = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    assert response.status_code == 200, response.text
    profile = response.json()
    registry = (await get(stack, "registry", f"/v1/posyandu/{mawar}")).json()
    assert profile["posyandu"] == registry
    assert profile["staffing"]["status"] == "ok"
    fields = by_field(profile["fields"])
    assert list(fields) == ["health", "education", "social", "housing", "public_works", "trantib"]
    assert {f: s["status"] for f, s in fields.items()} == {
        "health": "ok",
        "education": "not_available",
        "social": "ok",
        "housing": "not_available",
        "public_works": "not_available",
        "trantib": "not_available",
    }
    stunting = fields["health"]["data"]["stunting"]
    assert (stunting["measured"], stunting["stunted"] + stunting["severely_stunted"]) == (4, 2)
    assert fields["social"]["data"]["deciles_1_4"] == 4
    assert [case["field"] for case in profile["open_cases"]] == ["social", "social"]
    assert all(date.fromisoformat(case["due_on"]) > TODAY for case in profile["open_cases"])


async def test_scorecard_rows_equal_the_services_own_figures(stack, seeded):
    response = await get(stack, "gateway", "/v1/scorecard", wilayah="64.02", period=PERIOD)
    assert response.status_code == 200, response.text
    card = response.json()
    for field in ("health", "social"):
        own = (await get(stack, field, "/v1/indicators", wilayah="64.02", period=PERIOD)).json()
        rows = [row["indicator"] for row in card["rows"] if row["field"] == field]
        assert rows == own and rows, field
    health = [row["indicator"] for row in card["rows"] if row["field"] == "health"]
    # all twelve SPM kesehatan services in the regulation's order, then the growth context
    assert [i["code"] for i in health if i["kind"] == "spm"] == [
        f"health.{code}"
        for code in (
            "ibu_hamil",
            "ibu_bersalin",
            "bayi_baru_lahir",
            "balita",
            "usia_pendidikan_dasar",
            "usia_produktif",
            "usia_lanjut",
            "hipertensi",
            "diabetes",
            "odgj_berat",
            "terduga_tbc",
            "risiko_hiv",
        )
    ] + ["health.referrals_resolved_in_time"]
    context = [i["code"] for i in health if i["kind"] == "context"]
    assert context[:4] == [
        f"health.{c}" for c in ("stunting", "wasting", "underweight", "overweight")
    ]
    missing = {
        row["field"]: row["status"]
        for row in card["rows"]
        if row["field"] not in ("health", "social")
    }
    assert missing == dict.fromkeys(
        ("education", "housing", "public_works", "trantib"), "not_available"
    )
    assert card["name"] == "Kabupaten Kutai Kartanegara"
    assert len(card["children"]) == 20  # Kukar's kecamatan, each a drill-down link
    assert card["children"][0]["href"].startswith("/v1/scorecard?wilayah=64.02.")


async def test_a_province_scorecard_sums_its_kabupaten_and_links_each(stack, seeded):
    """Kalimantan Timur's scorecard: each field's figures for the province (every posyandu
    here is in Kukar, so they are Kukar's) and its ten kabupaten/kota as links one level down;
    a kabupaten's coordinator may not ask for the province."""
    kaltim = bearer(["dpmd"], ["64"], "dpmd-kaltim")
    response = await get(
        stack, "gateway", "/v1/scorecard", headers=kaltim, wilayah="64", period=PERIOD
    )
    assert response.status_code == 200, response.text
    card = response.json()
    for field in ("health", "social"):
        own = await get(stack, field, "/v1/indicators", headers=kaltim, wilayah="64", period=PERIOD)
        kukar = await get(stack, field, "/v1/indicators", wilayah="64.02", period=PERIOD)
        rows = [row["indicator"] for row in card["rows"] if row["field"] == field]
        assert rows == own.json() == kukar.json() and rows, field
    assert any(row["indicator"]["numerator"] for row in card["rows"] if row["field"] == "health")
    assert card["name"] == "Kalimantan Timur"
    kabupaten = ["64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71", "64.72"]
    assert [child["code"] for child in card["children"]] == [*kabupaten, "64.74"]
    assert card["children"][1] == {
        "code": "64.02",
        "name": "Kabupaten Kutai Kartanegara",
        "posyandu_id": None,
        "href": f"/v1/scorecard?wilayah=64.02&period={PERIOD}",
    }
    refused = await get(stack, "gateway", "/v1/scorecard", wilayah="64", period=PERIOD)
    assert refused.status_code == 403


async def test_registration_progress_is_the_registry_answer(stack, seeded):
    through = await get(stack, "gateway", "/v1/registration-progress", wilayah="64.02")
    direct = await get(stack, "registry", "/v1/progress/64.02")
    assert through.status_code == 200 and through.json() == direct.json()
    assert through.json()["wilayah"]["total"] == 2 and through.json()["wilayah"]["target"] == 4


async def test_priority_loci_rank_the_stunted_and_poor_desa_first(stack, seeded):
    response = await get(stack, "gateway", "/v1/priority-loci", wilayah="64.02.06", period=PERIOD)
    assert response.status_code == 200, response.text
    loci = response.json()["loci"]
    assert [locus["code"] for locus in loci] == [MAWAR_DESA, MELATI_DESA]
    first = {c["name"]: c for c in loci[0]["components"]}
    assert (
        first["stunting_prevalence"]["numerator"],
        first["stunting_prevalence"]["denominator"],
        first["stunting_prevalence"]["percent"],
    ) == (2, 4, 50.0)
    assert first["poverty_deciles_1_4"]["percent"] == 100.0
    assert loci[0]["score"] == round(0.6 * 50.0 + 0.4 * 100.0, 2)
    assert loci[1]["score"] == 0.0 and loci[0]["complete"] and loci[0]["name"]
    reweighted = await get(
        stack,
        "gateway",
        "/v1/priority-loci",
        wilayah="64.02.06",
        period=PERIOD,
        weight_stunting=1,
        weight_poverty=0,
    )
    assert reweighted.json()["loci"][0]["score"] == 50.0


async def test_event_catalogue_validates_and_lists_every_published_type(stack, seeded):
    response = await get(stack, "gateway", "/v1/events/asyncapi.json")
    document = response.json()
    assert list(Draft7Validator(asyncapi_schema()).iter_errors(document)) == []
    types = set(document["components"]["messages"])
    for expected in (
        "registry.posyandu.registered.v1",
        "registry.kader.assigned.v1",
        "health.child.measured.v1",
        "health.stunting.detected.v1",
        "social.priority_case.opened.v1",
        "social.aid.distributed.v1",
        "education.child.status_changed.v1",
        "health.referral.requested.v1",
        "social.referral.resolved.v1",
        "public_works.household.wash_assessed.v1",
        "public_works.issue.status_changed.v1",
        "trantib.fire.attended.v1",
        "trantib.disaster.assessed.v1",
    ):
        assert expected in types
    assert set(document["channels"]) == {
        "simpul.registry.v1",
        "simpul.health.v1",
        "simpul.education.v1",
        "simpul.social.v1",
        "simpul.housing.v1",
        "simpul.public-works.v1",
        "simpul.trantib.v1",
    }


async def test_roles_and_wilayah_are_enforced(stack, seeded):
    mawar = seeded["Posyandu Mawar"]
    opd = await get(
        stack,
        "gateway",
        "/v1/scorecard",
        headers=bearer(["opd:health"], ["64.02"]),
        wilayah="64.02",
        period=PERIOD,
    )
    assert opd.status_code == 403 and "Cross-field" in opd.json()["detail"]
    other_kabupaten = bearer(["dpmd"], ["64.03"])
    assert (
        await get(
            stack,
            "gateway",
            "/v1/scorecard",
            headers=other_kabupaten,
            wilayah="64.02",
            period=PERIOD,
        )
    ).status_code == 403
    assert (
        await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", headers=other_kabupaten)
    ).status_code == 404
    tp = bearer(["tp:kecamatan"], ["64.02.06"])
    assert (
        await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", headers=tp, period=PERIOD)
    ).status_code == 200
    assert (
        await get(stack, "gateway", "/v1/scorecard", headers=tp, wilayah="64.02", period=PERIOD)
    ).status_code == 403
    assert (
        await get(stack, "gateway", "/v1/scorecard", headers={}, wilayah="64.02")
    ).status_code == 401


async def test_a_stopped_service_gives_a_partial_answer_in_time(stack, seeded):
    mawar = seeded["Posyandu Mawar"]
    stack.processes["social"].stop()
    try:
        started = time.monotonic()
        response = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        fields = by_field(response.json()["fields"])
        assert fields["social"]["status"] == "unavailable"
        assert fields["health"]["status"] == "ok"
        assert response.json()["open_cases"] == []
        assert elapsed < TIMEOUT_S + 1.0
    finally:
        stack.restart("social")


async def test_a_hanging_service_is_cut_off_at_the_timeout(stack, seeded):
    health = stack.processes["health"]._process
    assert health is not None
    os.killpg(health.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        started = time.monotonic()
        response = await get(stack, "gateway", "/v1/scorecard", wilayah="64.02", period=PERIOD)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(health.pid, signal.SIGCONT)
    assert response.status_code == 200
    statuses = {row["field"]: row["status"] for row in response.json()["rows"]}
    assert statuses["health"] == "timeout" and statuses["social"] == "ok"
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 1.0


async def test_gateway_days_profile_reads_the_registrys_days_over_rest(stack, seeded):
    """Melati held a day a week ago (one of its two kader present) and opens again in a week;
    Mawar has no schedule and no record: its days are nulls, still answered."""
    melati = seeded["Posyandu Melati"]
    held, upcoming = TODAY - timedelta(days=7), TODAY + timedelta(days=7)
    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=30) as registry:
        schedule = await registry.put(
            f"/v1/posyandu/{melati}/schedule",
            headers=DPMD,
            json={"one_off": [{"day": held.isoformat()}, {"day": upcoming.isoformat()}]},
        )
        assert schedule.status_code == 200, schedule.text
        kader = []
        for serial in (91, 92):
            appointed = await post_created(
                registry,
                f"/v1/posyandu/{melati}/people",
                {
                    "nik": child_nik(date(1985, 8, 17), "M", serial),
                    "name": f"Kader {serial}",
                    "role": "kader",
                    "field": "health",
                    "start_date": "2025-01-01",
                },
                DPMD,
            )
            kader.append(appointed["id"])
        attended = await registry.put(
            f"/v1/posyandu/{melati}/days/{held.isoformat()}/attendance",
            headers=DPMD,
            json={
                "items": [
                    {"person_id": kader[0], "status": "present"},
                    {"person_id": kader[1], "status": "absent"},
                ]
            },
        )
        assert attended.json()["recorded"] == 2, attended.text
        recorded = await registry.put(
            f"/v1/posyandu/{melati}/days/{held.isoformat()}",
            headers=DPMD,
            json={"held": True, "fields": ["health", "social"]},
        )
        assert recorded.status_code == 200, recorded.text
    response = await get(stack, "gateway", f"/v1/posyandu/{melati}/profile", period=PERIOD)
    assert response.status_code == 200, response.text
    assert response.json()["days"] == {
        "status": "ok",
        "detail": None,
        "next_open_day": upcoming.isoformat(),
        "last_held_day": {
            "day": held.isoformat(),
            "kader_present": 1,
            "kader_expected": 2,
            "percent": 50.0,
            "fields": ["health", "social"],
        },
    }
    mawar = seeded["Posyandu Mawar"]
    bare = await get(stack, "gateway", f"/v1/posyandu/{mawar}/profile", period=PERIOD)
    assert bare.json()["days"] == {
        "status": "ok",
        "detail": None,
        "next_open_day": None,
        "last_held_day": None,
    }
