"""Bansos programs and distributions: one per program, household and period, also in a race."""

from __future__ import annotations

import asyncio

import pytest
from social_testkit import Social
from sqlalchemy import func, select

from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_social.models import Distribution

pytestmark = pytest.mark.integration


async def _setup(social: Social) -> str:
    posyandu_id = await social.known_posyandu()
    household = await social.household(posyandu_id, "6402061234560001", decile=2)
    await social.program("PKH", "quarter")
    await social.program("SEMBAKO", "month", benefit="goods")
    return str(household["id"])


async def test_distribution_rules(social: Social) -> None:
    household_id = await _setup(social)
    pkh = {
        "household_id": household_id,
        "program_code": "PKH",
        "period": "2026-Q3",
        "amount_idr": 750000,
        "distributed_on": "2026-08-20",
    }
    first = await social.client.post("/v1/distributions", json=pkh, headers=social.kader)
    assert first.status_code == 201, first.text
    assert first.json()["created_by"] == "kader-rapak"
    twice = await social.client.post(
        "/v1/distributions", json={**pkh, "amount_idr": 1}, headers=social.opd
    )
    assert twice.status_code == 409
    assert twice.json()["existing_distribution_id"] == first.json()["id"]
    next_quarter = await social.client.post(
        "/v1/distributions",
        json={**pkh, "period": "2026-Q4", "distributed_on": "2026-10-20"},
        headers=social.opd,
    )
    assert next_quarter.status_code == 201
    refused = [
        ({**pkh, "period": "2026-09"}, "body.period", "period_type_mismatch"),
        ({**pkh, "period": "2026-Q5"}, "body.period", "string_pattern_mismatch"),
        ({**pkh, "program_code": "NOPE"}, "body.program_code", "unknown_program"),
        ({**pkh, "amount_idr": None}, "body.amount_idr", "amount_or_goods"),
        (
            {**pkh, "period": "2026-Q2", "distributed_on": "2999-01-01"},
            "body.distributed_on",
            "not_in_future",
        ),
        ({**pkh, "household_id": "nope"}, "body.household_id", "unknown_household"),
    ]
    for body, field, rule in refused:
        response = await social.client.post("/v1/distributions", json=body, headers=social.opd)
        assert response.status_code == 422, response.text
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [(field, rule)]
    goods = await social.client.post(
        "/v1/distributions",
        headers=social.opd,
        json={
            "household_id": household_id,
            "program_code": "SEMBAKO",
            "period": "2026-10",
            "goods": "beras 10 kg, telur 1 kg",
            "distributed_on": "2026-10-05",
        },
    )
    assert goods.status_code == 201
    topic = social.settings.topic("simpul.social.v1")
    events = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=4)
    distributed = [e for e in events if e.type == "social.aid.distributed.v1"]
    assert sorted(e.data["period"] for e in distributed) == ["2026-10", "2026-Q3", "2026-Q4"]
    assert all(
        "household_id" not in e.data and len(e.data["household_ref"]) == 64 for e in distributed
    )
    programs = await social.client.get("/v1/programs", headers=social.dpmd)
    assert [p["code"] for p in programs.json()] == ["PKH", "SEMBAKO"]


async def test_racing_distributions_have_one_winner(social: Social) -> None:
    household_id = await _setup(social)
    body = {
        "household_id": household_id,
        "program_code": "PKH",
        "period": "2026-Q4",
        "amount_idr": 750000,
        "distributed_on": "2026-10-20",
    }
    responses = await asyncio.gather(
        *(social.client.post("/v1/distributions", json=body, headers=social.opd) for _ in range(5))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409, 409], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 201).json()["id"]
    assert {r.json()["existing_distribution_id"] for r in responses if r.status_code == 409} == {
        winner
    }
    async with social.app.state.db.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(Distribution))).scalar()
    assert count == 1
    topic = social.settings.topic("simpul.social.v1")
    events = await read_envelopes(
        social.settings.kafka_bootstrap_servers, topic, expected=3, timeout=5
    )
    assert [e.data["distribution_id"] for e in events if e.type == "social.aid.distributed.v1"] == [
        winner
    ]
