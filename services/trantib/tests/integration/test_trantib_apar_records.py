"""APAR over the real PostgreSQL and Kafka: expired by the deployment's date (the day after its
expiry), refilled, checked, retired, counted per desa; an ``apar_needed`` referral accepted and
resolved with the APAR recorded for it; within the wilayah and the roles."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from linmas_calls import broken, today
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, Trantib

from simpul_platform.events import new_id
from simpul_platform.referrals.events import requested_views
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
APAR = "/v1/apar"


async def record(
    tr: Trantib, posyandu: str, expires: date, headers: dict[str, str] | None = None, **over: Any
) -> httpx.Response:
    body = {
        "posyandu_id": posyandu,
        "building_kind": "posyandu",
        "building_name": "Posyandu Melati",
        "location": "Dinding dekat pintu masuk",
        "agent": "powder",
        "capacity_kg": 3.0,
        "last_refilled_on": (expires - timedelta(days=365)).isoformat(),
        "expires_on": expires.isoformat(),
    } | over
    return await tr.client.post(APAR, json=body, headers=headers or tr.damkar)


async def recorded(tr: Trantib, posyandu: str, expires: date, **over: Any) -> dict[str, Any]:
    got = await record(tr, posyandu, expires, **over)
    assert got.status_code == 201, got.text
    body: dict[str, Any] = got.json()
    return body


async def listed(tr: Trantib, **query: Any) -> dict[str, Any]:
    got = await tr.client.get(APAR, params=query, headers=tr.kader)
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def test_apar_expire_by_the_local_date_and_are_counted_per_desa(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu(RAPAK_LAMBUR)
    now = today(tr)
    lapsed = await recorded(tr, posyandu, now - timedelta(days=1))
    last_day = await recorded(tr, posyandu, now, building_kind="kantor_desa", agent="co2")
    fresh = await recorded(tr, posyandu, now + timedelta(days=200), headers=tr.kader)
    assert (lapsed["expired"], last_day["expired"], fresh["expired"]) == (True, False, False)

    expired = await listed(tr, expired="true")
    assert expired["on"] == now.isoformat()
    assert [a["id"] for a in expired["items"]] == [lapsed["id"]]
    assert expired["by_desa"] == [
        {"desa_code": RAPAK_LAMBUR, "total": 3, "expired": 1, "pressure_not_ok": 0}
    ]
    assert [a["id"] for a in (await listed(tr, expired="false"))["items"]] == [
        last_day["id"],
        fresh["id"],
    ]

    step = f"{APAR}/{lapsed['id']}/"
    early = {"refilled_on": str(now - timedelta(days=400)), "expires_on": str(now)}
    assert broken(await tr.client.post(step + "refill", json=early, headers=tr.damkar)) == [
        ("body.refilled_on", "before_previous")
    ]
    backwards = {"expires_on": str(now)}
    assert broken(await tr.client.post(step + "refill", json=backwards, headers=tr.damkar)) == [
        ("body.expires_on", "expires_before_refill")
    ]
    refill = {"expires_on": str(now + timedelta(days=365))}
    refilled = await tr.client.post(step + "refill", json=refill, headers=tr.damkar)
    assert refilled.status_code == 200, refilled.text
    assert (refilled.json()["last_refilled_on"], refilled.json()["expired"]) == (str(now), False)
    checked = await tr.client.post(
        f"{APAR}/{fresh['id']}/check", json={"pressure_ok": False}, headers=tr.linmas
    )
    assert (checked.json()["last_checked_on"], checked.json()["pressure_ok"]) == (str(now), False)
    retired = await tr.client.post(f"{APAR}/{last_day['id']}/retire", json={}, headers=tr.damkar)
    assert retired.json()["retired_on"] == str(now)
    again = await tr.client.post(
        f"{APAR}/{last_day['id']}/check", json={"pressure_ok": True}, headers=tr.kader
    )
    assert again.status_code == 409

    after = await listed(tr)
    assert {a["id"] for a in after["items"]} == {lapsed["id"], fresh["id"]}
    assert after["by_desa"] == [
        {"desa_code": RAPAK_LAMBUR, "total": 2, "expired": 0, "pressure_not_ok": 1}
    ]
    assert [a["id"] for a in (await listed(tr, retired="true"))["items"]] == [last_day["id"]]


async def test_apar_writes_stay_within_the_wilayah_and_the_roles(trantib: Trantib) -> None:
    tr = trantib
    rapak = await tr.known_posyandu(RAPAK_LAMBUR)
    await tr.known_posyandu(MANGKURAWANG)
    now = today(tr)
    apar = await recorded(tr, rapak, now + timedelta(days=90))
    damkar_elsewhere = tr.auth(["opd:trantib:damkar"], [MANGKURAWANG], sub="damkar-mk")
    outside = await record(tr, rapak, now + timedelta(days=90), headers=damkar_elsewhere)
    assert outside.status_code == 403
    hidden = await tr.client.post(f"{APAR}/{apar['id']}/retire", json={}, headers=damkar_elsewhere)
    assert hidden.status_code == 404
    by_linmas = await record(tr, rapak, now + timedelta(days=90), headers=tr.linmas)
    assert by_linmas.status_code == 403  # a Linmas member checks APAR, records none
    kader_elsewhere = tr.auth(["kader:trantib"], [MANGKURAWANG], sub="kader-mk")
    theirs = (await tr.client.get(APAR, headers=kader_elsewhere)).json()
    assert (theirs["items"], theirs["by_desa"]) == ([], [])
    refused = await tr.client.get(APAR, params={"wilayah": RAPAK_LAMBUR}, headers=kader_elsewhere)
    assert refused.status_code == 403
    future = await record(
        tr, rapak, now + timedelta(days=90), last_refilled_on=str(now + timedelta(1))
    )
    assert broken(future) == [("body.last_refilled_on", "not_in_future")]


async def referral(tr: Trantib, referral_id: str, status: str) -> dict[str, Any]:
    async def read() -> dict[str, Any] | None:
        got = await tr.client.get(f"/v1/referrals/{referral_id}", headers=tr.kader)
        body: dict[str, Any] = got.json()
        return body if got.status_code == 200 and body["status"] == status else None

    found: dict[str, Any] = await eventually(read)
    return found


async def referred(tr: Trantib, posyandu: str, reason: str) -> dict[str, Any]:
    """A request social sent trantib, once received."""
    view = next(v for v in requested_views("trantib") if v.event_type.startswith("social."))
    request = view(
        referral_id=new_id(),
        source_field="social",
        target_field="trantib",
        posyandu_id=posyandu,
        desa_code=RAPAK_LAMBUR,
        reason_code=reason,
        details={},
        household_ref=tr.household_ref("6402061234560001"),
        requested_on=today(tr) - timedelta(days=3),
    )
    await tr.producers.social.send(request)
    return await referral(tr, request.referral_id, "requested")


async def test_an_apar_needed_referral_is_accepted_and_resolved_by_its_apar(
    trantib: Trantib,
) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu(RAPAK_LAMBUR)
    expires = today(tr) + timedelta(days=365)
    hazard = await referred(tr, posyandu, "fire_hazard")
    wrong = await record(tr, posyandu, expires, referral_id=hazard["id"])
    assert broken(wrong) == [("body.referral_id", "referral_mismatch")]
    unknown = await record(tr, posyandu, expires, referral_id=new_id())
    assert broken(unknown) == [("body.referral_id", "unknown_referral")]

    asked = await referred(tr, posyandu, "apar_needed")
    apar = await recorded(tr, posyandu, expires, headers=tr.kader, referral_id=asked["id"])
    resolved = await referral(tr, asked["id"], "resolved")
    assert (resolved["case_ref"], resolved["outcome_code"]) == (apar["id"], "apar_installed")
    assert resolved["accepted_on"] == resolved["resolved_on"] == today(tr).isoformat()
    again = await record(tr, posyandu, expires, referral_id=asked["id"])
    assert again.status_code == 409 and again.json()["case_ref"] == apar["id"]

    answers = [e for e in await tr.events(2) if e.data.get("referral_id") == asked["id"]]
    assert [(e.type, e.data["case_ref"]) for e in answers] == [
        ("trantib.referral.accepted.v1", apar["id"]),
        ("trantib.referral.resolved.v1", apar["id"]),
    ]
    assert answers[-1].data["outcome_code"] == "apar_installed"
