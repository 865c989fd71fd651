"""Disaster protection cases worked: emergency and recovery services, closing and declining,
the steps' refusals, the caller's wilayah, and the brief by disaster the gateway reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from social_disaster_testkit import (
    CASES,
    Trantib,
    case_of,
    cases_of,
    open_disaster,
    struck,
)
from social_testkit import (
    MANGKURAWANG,
    RAPAK_LAMBUR,
    SEBULU,
    TENGGARONG,
    Social,
)

from simpul_platform.clock import local_today
from simpul_platform.events import new_id
from simpul_platform.testing.polling import eventually
from simpul_social.models import DisasterProtectionCase

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------- steps


async def test_steps_from_emergency_to_closing_and_their_refusals(
    social: Social, trantib: Trantib
) -> None:
    posyandu_id = new_id()
    disaster = await open_disaster(
        social, trantib, [struck("ref-a", posyandu_id), struck("ref-b", posyandu_id)]
    )
    case_id = await case_of(social, disaster, "ref-a")
    today = local_today(social.settings)

    async def step(action: str, body: dict[str, Any], who: dict[str, str] | None = None) -> Any:
        return await social.client.post(
            f"{CASES}/{case_id}/{action}", json=body, headers=who or social.kader
        )

    early = await step("close", {})
    assert early.status_code == 409
    assert early.json()["allowed"] == ["serve_emergency", "decline"]
    assert early.json()["current_status"] == "opened"
    future = await step(
        "serve-emergency",
        {"services": ["permakanan"], "served_on": (today + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422
    assert future.json()["errors"][0] == {
        "field": "body.served_on",
        "rule": "not_in_future",
        "message": future.json()["errors"][0]["message"],
    }
    before = await step(
        "serve-emergency",
        {"services": ["permakanan"], "served_on": (today - timedelta(days=1)).isoformat()},
    )
    assert before.json()["errors"][0]["rule"] == "before_previous_step"
    repeated = await step("serve-emergency", {"services": ["sandang", "sandang"]})
    assert repeated.json()["errors"][0]["rule"] == "service_repeated"
    unknown = await step("serve-emergency", {"services": ["jaminan_hidup"]})
    assert unknown.status_code == 422  # a recovery service is not an emergency one

    served = await step("serve-emergency", {"services": ["permakanan", "penampungan"]})
    assert served.status_code == 200, served.text
    body = served.json()
    assert body["status"] == "emergency_served" and body["protected"] is True
    assert body["emergency_served_on"] == today.isoformat()
    assert body["allowed_actions"] == ["serve_emergency", "serve_recovery", "close", "decline"]
    more = await step(
        "serve-emergency", {"services": ["sandang"], "note": "hari kedua"}, social.opd
    )
    assert more.status_code == 200 and more.json()["updated_by"] == "dinsos-kukar"
    recovery = await step("serve-recovery", {"services": ["jaminan_hidup", "dukungan_psikososial"]})
    assert recovery.json()["status"] == "recovery_served"
    late = await step("serve-emergency", {"services": ["permakanan"]})
    assert late.status_code == 409 and late.json()["allowed"] == ["serve_recovery", "close"]
    closed = await step("close", {"note": "kebutuhan terpenuhi"})
    assert closed.status_code == 200
    detail = closed.json()
    assert detail["status"] == "closed" and detail["closed_on"] == today.isoformat()
    assert detail["protected"] is True and detail["allowed_actions"] == []
    on = today.isoformat()
    assert detail["services"] == [
        {"service": "permakanan", "stage": "emergency", "on": on},
        {"service": "penampungan", "stage": "emergency", "on": on},
        {"service": "sandang", "stage": "emergency", "on": on},
        {"service": "jaminan_hidup", "stage": "recovery", "on": on},
        {"service": "dukungan_psikososial", "stage": "recovery", "on": on},
    ]
    history = [
        (h["action"], h["from_status"], h["to_status"], h["actor"]) for h in detail["history"]
    ]
    assert history == [
        ("open", None, "opened", "social.disaster-protection"),
        ("serve_emergency", "opened", "emergency_served", "kader-rapak"),
        ("serve_emergency", "emergency_served", "emergency_served", "dinsos-kukar"),
        ("serve_recovery", "emergency_served", "recovery_served", "kader-rapak"),
        ("close", "recovery_served", "closed", "kader-rapak"),
    ]
    assert detail["history"][2]["codes"] == {"services": ["sandang"]}
    assert detail["history"][2]["note"] == "hari kedua"
    after = await step("decline", {"reason": "moved"})
    assert after.status_code == 409 and after.json()["allowed"] == []

    other = await case_of(social, disaster, "ref-b")
    declined = await social.client.post(
        f"{CASES}/{other}/decline", json={"reason": "not_found"}, headers=social.kader
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "closed" and declined.json()["protected"] is False
    assert declined.json()["decline_reason"] == "not_found"
    listed = await social.client.get(
        CASES, params={"source_event_id": disaster, "status": "closed"}, headers=social.kader
    )
    assert sorted(c["household_ref"] for c in listed.json()) == ["ref-a", "ref-b"]


async def test_cases_outside_the_wilayah_are_refused(social: Social, trantib: Trantib) -> None:
    posyandu_id = new_id()
    disaster = await open_disaster(
        social,
        trantib,
        [struck("ref-rapak", posyandu_id), struck("ref-sebulu", posyandu_id, SEBULU)],
    )
    sebulu_case = await case_of(social, disaster, "ref-sebulu")
    seen = await social.client.get(
        CASES, params={"source_event_id": disaster}, headers=social.kader
    )
    assert [c["household_ref"] for c in seen.json()] == ["ref-rapak"]
    assert (
        await social.client.get(f"{CASES}/{sebulu_case}", headers=social.kader)
    ).status_code == 404
    refused = await social.client.post(
        f"{CASES}/{sebulu_case}/serve-emergency",
        json={"services": ["permakanan"]},
        headers=social.kader,
    )
    assert refused.status_code == 404
    elsewhere = await social.client.get(CASES, params={"wilayah": SEBULU}, headers=social.kader)
    assert elsewhere.status_code == 403
    for role in (social.dpmd, social.auth(["opd:health"], ["64.02"])):
        assert (await social.client.get(CASES, headers=role)).status_code == 403
    async with social.app.state.db.sessions() as session:
        case = await session.get(DisasterProtectionCase, sebulu_case)
    assert case is not None and case.status == "opened"


# --------------------------------------------------------------------------- the gateway's brief


async def test_the_brief_by_disaster_for_the_gateway(social: Social, trantib: Trantib) -> None:
    posyandu_id = new_id()
    flood = await open_disaster(
        social,
        trantib,
        [struck("ref-1", posyandu_id), struck("ref-2", posyandu_id, MANGKURAWANG)],
    )
    fire = new_id()
    today = local_today(social.settings)
    await trantib.fire(fire, SEBULU, [struck("ref-3", posyandu_id, SEBULU)], today)
    await eventually(lambda: cases_of(social, 3))
    served = await social.client.post(
        f"{CASES}/{await case_of(social, flood, 'ref-1')}/serve-emergency",
        json={"services": ["permakanan"]},
        headers=social.opd,
    )
    assert served.status_code == 200
    ids = {"source_event_id": [flood, fire, "unknown"]}

    async def brief(headers: dict[str, str]) -> Any:
        response = await social.client.get(f"{CASES}/by-source", params=ids, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    everything = await brief(social.dpmd)
    expected = [
        (flood, "ref-1", RAPAK_LAMBUR, "emergency_served", True),
        (flood, "ref-2", MANGKURAWANG, "opened", False),
        (fire, "ref-3", SEBULU, "opened", False),
    ]
    assert sorted(
        everything, key=lambda b: (b["source_event_id"] != flood, b["household_ref"])
    ) == [
        dict(
            zip(
                ["source_event_id", "household_ref", "desa_code", "status", "protected"],
                row,
                strict=True,
            )
        )
        for row in expected
    ]
    gateway = social.auth(["gateway"], [TENGGARONG], sub="gateway")
    assert {b["household_ref"] for b in await brief(gateway)} == {"ref-1", "ref-2"}
    assert {b["household_ref"] for b in await brief(social.kader)} == {"ref-1"}
    too_many = {"source_event_id": [f"d-{i}" for i in range(201)]}
    over = await social.client.get(f"{CASES}/by-source", params=too_many, headers=social.dpmd)
    assert over.status_code == 422
    none = await social.client.get(f"{CASES}/by-source", headers=social.dpmd)
    assert none.status_code == 422
    empty = {"source_event_id": [flood, ""]}
    blank = await social.client.get(f"{CASES}/by-source", params=empty, headers=social.dpmd)
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"].startswith("query.source_event_id")
    health = social.auth(["opd:health"], ["64.02"])
    assert (
        await social.client.get(f"{CASES}/by-source", params=ids, headers=health)
    ).status_code == 403
