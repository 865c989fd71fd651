"""Trantib's disasters and fires on Kafka → disaster protection cases in social, once per
(disaster or fire, household); their steps, refusals and wilayah; the gateway's brief by
disaster; and the SPM sosial indicator (jenis 5) against a hand count."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from social_testkit import (
    MANGKURAWANG,
    RAPAK_LAMBUR,
    SEBULU,
    TENGGARONG,
    Producers,
    Social,
    start_social,
)
from sqlalchemy import func, select

from simpul_platform.clock import local_today
from simpul_platform.consumer import ConsumerRunner
from simpul_platform.events import Envelope, new_id
from simpul_platform.pseudonym import household_ref
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.peers import Peer
from simpul_platform.testing.polling import eventually
from simpul_social.consumers import DISASTER_CONSUMER
from simpul_social.events import DisasterAssessed, FireAttended, StruckHousehold
from simpul_social.models import DisasterProtectionCase, DisasterProtectionHistory

pytestmark = pytest.mark.integration
CASES = "/v1/disaster-protection"


@dataclass
class Trantib:
    """Trantib as social sees it: its disaster and fire events, with the fields trantib sends
    that social's views do not read."""

    peer: Peer

    async def disaster(
        self,
        disaster_id: str,
        households: list[dict[str, Any]],
        *,
        assessed_on: date,
        kind: str = "banjir",
    ) -> Envelope:
        view = DisasterAssessed(
            disaster_id=disaster_id,
            kind=kind,
            name=f"Banjir Tenggarong {disaster_id[:4]}",
            occurred_on=assessed_on - timedelta(days=2),
            assessed_on=assessed_on,
            households=[StruckHousehold(**h) for h in households],
        )
        extra = {
            "wilayah_code": TENGGARONG,
            "counts": {"displaced": sum(h["displaced"] for h in households)},
            "houses": {"rb": sum(h["damage"] == "rb" for h in households)},
            "facilities": {},
        }
        return await self.peer.send(view, posyandu_id=disaster_id, wilayah=TENGGARONG, extra=extra)

    async def fire(
        self, incident_id: str, desa: str, households: list[dict[str, Any]], occurred_on: date
    ) -> Envelope:
        view = FireAttended(
            incident_id=incident_id,
            posyandu_id=households[0]["posyandu_id"],
            desa_code=desa,
            occurred_on=occurred_on,
            damaged_households=[StruckHousehold(**h) for h in households],
        )
        extra = {
            "object_kind": "rumah",
            "cause": "listrik",
            "response_seconds": 750,
            "response_met": True,
            "inside_wmk": True,
            "casualties": {"direct_injured": 0},
            "loss_rupiah": 25_000_000,
        }
        return await self.peer.send(view, extra=extra)


@pytest.fixture
async def trantib(make_settings: Any) -> AsyncIterator[Trantib]:
    async with Peer.running(make_settings(ServiceSettings, service_name="peer"), "trantib") as peer:
        yield Trantib(peer)


def struck(
    ref: str, posyandu_id: str, desa: str = RAPAK_LAMBUR, damage: str = "rb"
) -> dict[str, Any]:
    return {
        "household_ref": ref,
        "posyandu_id": posyandu_id,
        "desa_code": desa,
        "damage": damage,
        "displaced": damage in ("rb", "hilang"),
        "members": 4,
    }


async def cases_of(social: Social, count: int | None = None) -> list[DisasterProtectionCase]:
    async with social.app.state.db.sessions() as session:
        query = select(DisasterProtectionCase).order_by(DisasterProtectionCase.created_at)
        found = list((await session.execute(query)).scalars())
    return found if count is None or len(found) == count else []


async def opened_steps(social: Social) -> int:
    async with social.app.state.db.sessions() as session:
        query = select(func.count()).where(DisasterProtectionHistory.action == "open")
        return int((await session.execute(query)).scalar_one())


def runner(social: Social) -> ConsumerRunner:
    runners: list[ConsumerRunner] = social.app.state.runners
    return next(r for r in runners if r.consumer.name == DISASTER_CONSUMER)


# --------------------------------------------------------------------------- exactly once


async def test_one_case_per_household_through_redelivery_restart_and_later_naming(
    make_settings: Any, postgres_url: str, producers: Producers, trantib: Trantib
) -> None:
    disaster, fire = new_id(), new_id()
    async with start_social(make_settings, postgres_url, producers) as social:
        secret = social.settings.pseudonym_secret
        posyandu_id = await social.known_posyandu()
        known = await social.household(posyandu_id, "6402061234560001")
        refs = [household_ref(secret, f"640206123456000{i}") for i in range(1, 5)]
        assert refs[0] == known["household_ref"]
        today = local_today(social.settings)
        first = await trantib.disaster(
            disaster, [struck(r, posyandu_id) for r in refs[:3]], assessed_on=today
        )
        await eventually(lambda: cases_of(social, 3))
        # The same event again, and the next part of the assessment naming a household again.
        await trantib.peer.redeliver(first)
        again = [struck(refs[0], posyandu_id, damage="rs"), struck(refs[3], posyandu_id)]
        await trantib.disaster(disaster, again, assessed_on=today)
        await eventually(lambda: cases_of(social, 4))
        await eventually(lambda: _at_least(runner(social).duplicates, 1))
    # While social is down: the first event once more, and a fire at the first household.
    await trantib.peer.redeliver(first)
    fire_day = today - timedelta(days=1)
    await trantib.fire(fire, RAPAK_LAMBUR, [struck(refs[0], posyandu_id)], fire_day)
    async with start_social(make_settings, postgres_url, producers) as social:
        cases = await eventually(lambda: cases_of(social, 5))
        await eventually(lambda: _at_least(runner(social).duplicates, 1))
        assert await opened_steps(social) == 5
    by_key = {(c.source_event_id, c.household_ref): c for c in cases}
    assert len(by_key) == 5
    named_again = by_key[(disaster, refs[0])]
    # The first naming stands, and the case is linked to the household social knows.
    assert named_again.damage == "rb" and named_again.opened_by_event == first.id
    assert named_again.household_id == known["id"]
    assert by_key[(disaster, refs[1])].household_id is None  # unknown to social: still a case
    assert (named_again.source, named_again.kind, named_again.status) == (
        "trantib_disaster",
        "banjir",
        "opened",
    )
    assert named_again.opened_on == today and named_again.occurred_on == today - timedelta(days=2)
    assert named_again.displaced and named_again.members == 4 and named_again.services == []
    burnt = by_key[(fire, refs[0])]
    assert (burnt.source, burnt.kind, burnt.opened_on) == ("trantib_fire", "kebakaran", fire_day)
    assert burnt.desa_code == RAPAK_LAMBUR and burnt.posyandu_id == posyandu_id


async def _at_least(value: int, least: int) -> bool:
    return value >= least


async def test_a_thousand_households_an_event_make_five_thousand_cases(
    social: Social, trantib: Trantib
) -> None:
    disaster = new_id()
    posyandu_id = new_id()  # the households' posyandu need not be known to social
    today = local_today(social.settings)
    for part in range(5):
        households = [struck(f"ref-{part}-{i:04d}", posyandu_id) for i in range(1000)]
        await trantib.disaster(disaster, households, assessed_on=today)
    cases = await eventually(lambda: cases_of(social, 5000), timeout=60)
    assert {c.source_event_id for c in cases} == {disaster}
    assert await opened_steps(social) == 5000


# --------------------------------------------------------------------------- steps


async def _open(social: Social, trantib: Trantib, households: list[dict[str, Any]]) -> str:
    """A disaster naming ``households``, once its cases are in social; its id."""
    disaster = new_id()
    await trantib.disaster(disaster, households, assessed_on=local_today(social.settings))
    await eventually(lambda: cases_of(social, len(households)))
    return disaster


async def _case_id(social: Social, disaster: str, ref: str) -> str:
    cases = await cases_of(social)
    return next(c.id for c in cases if c.source_event_id == disaster and c.household_ref == ref)


async def test_steps_from_emergency_to_closing_and_their_refusals(
    social: Social, trantib: Trantib
) -> None:
    posyandu_id = new_id()
    disaster = await _open(
        social, trantib, [struck("ref-a", posyandu_id), struck("ref-b", posyandu_id)]
    )
    case_id = await _case_id(social, disaster, "ref-a")
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

    other = await _case_id(social, disaster, "ref-b")
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
    disaster = await _open(
        social,
        trantib,
        [struck("ref-rapak", posyandu_id), struck("ref-sebulu", posyandu_id, SEBULU)],
    )
    sebulu_case = await _case_id(social, disaster, "ref-sebulu")
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
    flood = await _open(
        social,
        trantib,
        [struck("ref-1", posyandu_id), struck("ref-2", posyandu_id, MANGKURAWANG)],
    )
    fire = new_id()
    today = local_today(social.settings)
    await trantib.fire(fire, SEBULU, [struck("ref-3", posyandu_id, SEBULU)], today)
    await eventually(lambda: cases_of(social, 3))
    served = await social.client.post(
        f"{CASES}/{await _case_id(social, flood, 'ref-1')}/serve-emergency",
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


# --------------------------------------------------------------------------- the indicator


async def test_the_spm_indicator_equals_a_hand_count(social: Social, trantib: Trantib) -> None:
    posyandu_id = new_id()
    year = local_today(social.settings).year - 1  # a past year: every step date may be in it
    june, july = date(year, 6, 10), date(year, 7, 2)
    flood = new_id()
    flood_households = [
        struck("f-1", posyandu_id),
        struck("f-2", posyandu_id),
        struck("f-3", posyandu_id, MANGKURAWANG),
        struck("f-4", posyandu_id, SEBULU),
    ]
    await trantib.disaster(flood, flood_households, assessed_on=june)
    fire = new_id()
    await trantib.fire(fire, RAPAK_LAMBUR, [struck("x-1", posyandu_id)], july)
    await eventually(lambda: cases_of(social, 5))

    async def take(ref: str, source: str, action: str, body: dict[str, Any]) -> None:
        case_id = await _case_id(social, source, ref)
        response = await social.client.post(
            f"{CASES}/{case_id}/{action}", json=body, headers=social.opd
        )
        assert response.status_code == 200, response.text

    emergency = {"services": ["permakanan"], "served_on": date(year, 6, 11).isoformat()}
    await take("f-1", flood, "serve-emergency", emergency)  # protected
    await take("f-2", flood, "serve-emergency", emergency)  # protected, then closed: still so
    await take("f-2", flood, "close", {"closed_on": date(year, 8, 1).isoformat()})
    await take("f-3", flood, "decline", {"reason": "refused"})  # not protected
    await take("f-4", flood, "serve-emergency", emergency)  # protected, in Sebulu
    await take("x-1", fire, "serve-emergency", {"services": ["sandang"]})  # the fire's, in July

    async def indicator(**params: str) -> tuple[int, int, float | None]:
        response = await social.client.get("/v1/indicators", params=params, headers=social.dpmd)
        assert response.status_code == 200, response.text
        [value] = [v for v in response.json() if v["code"] == "social.spm.korban_bencana"]
        return value["numerator"], value["denominator"], value["percent"]

    # Hand count: cases opened in the period (the flood's on 10 June, the fire's on 2 July).
    assert await indicator(wilayah="64.02", period=str(year)) == (4, 5, 80.0)
    assert await indicator(wilayah="64.02", period=f"{year}-06") == (3, 4, 75.0)
    assert await indicator(wilayah=TENGGARONG, period=f"{year}-06") == (2, 3, 66.67)
    assert await indicator(wilayah=RAPAK_LAMBUR, period=f"{year}-Q3") == (1, 1, 100.0)
    assert await indicator(wilayah="64.02", period=str(year + 1)) == (0, 0, None)
