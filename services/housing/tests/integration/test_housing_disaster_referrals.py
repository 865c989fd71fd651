"""Referrals that open housing cases, over the real PostgreSQL and Kafka: a ``disaster_damage``
referral opens a disaster house (accepted with it) that its completion resolves; a
``relocation_needed`` referral opens a relocated household that its end resolves
(``not_eligible`` or ``relocation_facilitated``); and the opening a trantib consumer will
call, idempotent by the source event's id."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from disaster_calls import (
    ALL_MET,
    affect,
    disaster,
    move,
    report,
    reported,
    rules,
    set_sk,
    step,
)
from housing_testkit import RAPAK_LAMBUR, TENGGARONG, Housing

from simpul_housing.ops.disaster import open_disaster_house
from simpul_housing.ops.disaster_events import event_from_source
from simpul_housing.ops.disaster_household import Household
from simpul_housing.schemas.disaster import DisasterIn
from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.polling import eventually
from simpul_platform.uow import UnitOfWork

pytestmark = pytest.mark.integration

KK = "6402061234560001"
UNRECORDED = "6402061234560007"


async def referred(
    housing: Housing, posyandu: str, reason: str, kk: str, **details: Any
) -> dict[str, Any]:
    """A referral social's kader sent to housing, once housing has received it."""
    view = next(v for v in requested_views("housing") if v.event_type.startswith("social."))
    request = view(
        referral_id=new_id(),
        source_field="social",
        target_field="housing",
        posyandu_id=posyandu,
        desa_code=RAPAK_LAMBUR,
        reason_code=reason,
        details=details,
        household_ref=housing.household_ref(kk),
        requested_on=date(2026, 2, 9),
    )
    await housing.producers.social.send(request)
    return await referral(housing, request.referral_id, "requested")


async def referral(housing: Housing, referral_id: str, status: str) -> dict[str, Any]:
    async def read() -> dict[str, Any] | None:
        got = await housing.client.get(f"/v1/referrals/{referral_id}", headers=housing.kader)
        body: dict[str, Any] = got.json()
        return body if got.status_code == 200 and body["status"] == status else None

    found: dict[str, Any] = await eventually(read)
    return found


async def test_a_disaster_damage_referral_opens_a_house_its_completion_resolves(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    home = await housing.house(posyandu, kks=(KK,))
    asked = await referred(
        housing, posyandu, "disaster_damage", KK, occurred_on="2026-02-08", damage="rs"
    )
    flood = await disaster(housing)
    both = await report(housing, flood["id"], referral_id=asked["id"], kk=KK)
    assert rules(both) == [("body.kk", "not_applicable")]
    house = await reported(housing, flood["id"], referral_id=asked["id"])
    assert (house["source"], house["referral_id"], house["house_id"]) == (
        "referral",
        asked["id"],
        home["id"],
    )
    assert house["history"][0]["codes"] == {"source": "referral", "reported_damage": "rs"}
    accepted = await referral(housing, asked["id"], "accepted")
    assert accepted["case_ref"] == house["id"]
    again = await report(housing, flood["id"], referral_id=asked["id"])
    assert again.status_code == 409 and again.json()["current_status"] == "accepted"
    await step(housing, house["id"], "assess", {"damage": "rs", "assessed_on": "2026-02-12"})
    assert (await set_sk(housing, flood["id"])).status_code == 200
    await step(
        housing, house["id"], "handle", {"handling": "rehabilitation", "started_on": "2026-04-01"}
    )
    await step(housing, house["id"], "complete", {"program": "apbd", "completed_on": "2026-08-15"})
    resolved = await referral(housing, asked["id"], "resolved")
    assert (resolved["outcome_code"], resolved["resolved_on"]) == ("rehabilitated", "2026-08-15")


async def test_a_relocation_referral_opens_a_household_its_end_resolves(
    housing: Housing,
) -> None:
    posyandu = await housing.known_posyandu()
    await housing.house(posyandu, kks=(KK,))
    dam = (
        await housing.client.post(
            "/v1/relocation-programmes",
            json={"name": "Relokasi", "wilayah_code": TENGGARONG, "year": 2026, "reason": "jalan"},
            headers=housing.opd,
        )
    ).json()
    unknown = await referred(housing, posyandu, "relocation_needed", UNRECORDED)
    flood = await disaster(housing)
    wrong_reason = await report(housing, flood["id"], referral_id=unknown["id"])
    assert rules(wrong_reason) == [("body.referral_id", "referral_mismatch")]
    assert rules(await affect(housing, dam["id"], referral_id=unknown["id"])) == [
        ("body.kk", "kk_required")
    ]
    mismatch = await affect(housing, dam["id"], referral_id=unknown["id"], kk=KK)
    assert rules(mismatch) == [("body.kk", "referral_mismatch")]
    opened = await affect(housing, dam["id"], referral_id=unknown["id"], kk=UNRECORDED)
    assert opened.status_code == 201, opened.text
    assert (await referral(housing, unknown["id"], "accepted"))["case_ref"] == opened.json()["id"]
    answers = {**ALL_MET, "mbr": False}
    await move(housing, opened.json()["id"], "check", {"criteria": answers})
    resolved = await referral(housing, unknown["id"], "resolved")
    assert resolved["outcome_code"] == "not_eligible"

    known = await referred(housing, posyandu, "relocation_needed", KK)
    row = (await affect(housing, dam["id"], referral_id=known["id"])).json()
    assert row["kk_masked"] == "640206********01"  # the KK housing recorded for the household
    await move(housing, row["id"], "check", {"criteria": ALL_MET})
    await move(housing, row["id"], "facilitate")
    await referral(housing, known["id"], "accepted")  # facilitated is not the end yet
    await move(housing, row["id"], "house")
    done = await referral(housing, known["id"], "resolved")
    assert done["outcome_code"] == "relocation_facilitated"


async def test_a_trantib_event_opens_its_houses_once(housing: Housing) -> None:
    posyandu = await housing.known_posyandu()
    fire = DisasterIn(
        kind="kebakaran",
        name="Kebakaran Rapak Lambur",
        occurred_on=date(2026, 3, 1),
        wilayah_code=RAPAK_LAMBUR,
    )
    household = Household(housing.household_ref(KK), posyandu, RAPAK_LAMBUR, None)
    ids = []
    for _ in range(2):  # a redelivery finds the same disaster
        async with housing.app.state.db.sessions() as session:
            uow = UnitOfWork(session, housing.app.state.outbox)
            event = await event_from_source(
                uow, fire, source="trantib", source_event_id="trantib-evt-1", actor="field:trantib"
            )
            ids.append(event.id)
            if len(ids) == 1:
                await open_disaster_house(
                    uow,
                    event,
                    household,
                    reported_on=date(2026, 3, 1),
                    source="trantib",
                    actor="field:trantib",
                )
            await uow.commit()
    assert ids[0] == ids[1]
    read = await housing.client.get(f"/v1/disasters/{ids[0]}", headers=housing.kader)
    body = read.json()
    assert (body["source"], body["source_event_id"]) == ("trantib", "trantib-evt-1")
    assert body["houses_by_status"] == {"reported": 1}
