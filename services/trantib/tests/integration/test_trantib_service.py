"""The trantib service over the real PostgreSQL and Kafka: it migrates, replicates the
registry's posyandu, receives referrals other fields address to it (its three reasons) and
publishes the referral events of its own catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from trantib_testkit import RAPAK_LAMBUR, Trantib

from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration


async def referred(tr: Trantib, posyandu: str, reason: str, **details: Any) -> dict[str, Any]:
    """A request social sent trantib, once received."""
    view = next(v for v in requested_views("trantib") if v.event_type.startswith("social."))
    request = view(
        referral_id=new_id(),
        source_field="social",
        target_field="trantib",
        posyandu_id=posyandu,
        desa_code=RAPAK_LAMBUR,
        reason_code=reason,
        details=details,
        household_ref=tr.household_ref("6402061234560001"),
        requested_on=date(2026, 2, 27),
    )
    await tr.producers.social.send(request)

    async def read() -> dict[str, Any] | None:
        got = await tr.client.get(f"/v1/referrals/{request.referral_id}", headers=tr.kader)
        body: dict[str, Any] = got.json()
        return body if got.status_code == 200 else None

    found: dict[str, Any] = await eventually(read)
    return found


async def test_trantib_receives_and_answers_its_referrals(trantib: Trantib) -> None:
    tr = trantib
    ready = await tr.client.get("/readyz")
    assert ready.json()["database"] == "ok", ready.text
    posyandu = await tr.known_posyandu()
    asked = await referred(tr, posyandu, "disturbance_report", category="keributan")
    assert (asked["reason_code"], asked["status"]) == ("disturbance_report", "requested")
    hazard = await referred(tr, posyandu, "fire_hazard")
    answered = await tr.client.post(
        f"/v1/referrals/{hazard['id']}/accept", json={}, headers=tr.damkar
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "accepted"
    [event] = [e for e in await tr.events(1) if e.type == "trantib.referral.accepted.v1"]
    assert (event.data["referral_id"], event.data["source_field"]) == (hazard["id"], "social")
