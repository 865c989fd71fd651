"""DPMD's overdue referrals per OPD through the gateway, on real processes: referrals both
ways in every state, counted by hand and by the gateway; the view still answering with a
service down. The stack and calls are ``referral_calls``'.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from referral_calls import (
    DPMD,
    KUKAR,
    KUKAR_DESA,
    OPD_HEALTH,
    OPD_SOCIAL,
    TENGGARONG,
    arrived,
    new_posyandu,
    reaches,
    refer,
    step,
)

from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(referral_stack: Stack) -> Stack:
    return referral_stack


# --- 5. DPMD's overdue counts through the gateway -------------------------------------------


def kk(serial: int) -> str:
    return f"64020601012000{serial:02d}"


def nik(serial: int) -> str:
    return f"64020652059{serial:05d}"  # a woman born 12 May 1990 (day + 40), serial 1..


async def test_the_gateway_counts_overdue_referrals_per_opd_as_counted_by_hand(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    posyandu = await new_posyandu(client, stack, "Posyandu Mawar", KUKAR_DESA)
    to_social: dict[str, str] = {}
    to_health: dict[str, str] = {}

    async def health_refers(name: str, serial: int, requested_on: str | None) -> None:
        body = {
            "target_field": "social",
            "posyandu_id": posyandu,
            "reason_code": "dtsen_assessment",
            "no_kk": kk(serial),
        }
        if requested_on:
            body["requested_on"] = requested_on
        to_social[name] = (await refer(client, stack, "health", OPD_HEALTH, **body))["id"]

    async def social_refers(name: str, serial: int, requested_on: str | None) -> None:
        body = {
            "target_field": "health",
            "posyandu_id": posyandu,
            "reason_code": "lansia_not_screened",
            "nik": nik(serial),
        }
        if requested_on:
            body["requested_on"] = requested_on
        to_health[name] = (await refer(client, stack, "social", OPD_SOCIAL, **body))["id"]

    # September and October 2026 have no national holiday: due = 5 weekdays later.
    await health_refers("open_overdue", 1, "2026-09-07")  # Mon → due Mon 14 Sep, never answered
    await health_refers("accepted_overdue", 2, "2026-09-08")  # Tue → due Tue 15 Sep
    await health_refers("on_time", 3, "2026-09-01")  # Tue → due Tue 8 Sep, resolved on 8 Sep
    await health_refers("late", 4, "2026-09-02")  # Wed → due Wed 9 Sep, resolved Thu 10 Sep
    await health_refers("rejected", 5, "2026-09-03")  # Thu → due Thu 10 Sep, rejected 4 Sep
    await health_refers("not_yet_due", 6, None)  # today → due 5 working days from now
    await social_refers("open_overdue", 1, "2026-10-05")  # Mon → due Mon 12 Oct
    await social_refers("on_time", 2, "2026-10-06")  # Tue → due Tue 13 Oct, resolved 7 Oct
    await social_refers("late", 3, "2026-10-07")  # Wed → due Wed 14 Oct, resolved Thu 15 Oct
    await social_refers("not_yet_due", 4, None)

    for rid in to_social.values():
        await arrived(client, stack, "social", rid, OPD_SOCIAL)
    for rid in to_health.values():
        await arrived(client, stack, "health", rid, OPD_HEALTH)
    # The target's steps, each dated in the past as the OPD recorded them.
    answers: list[tuple[str, str, str, dict[str, str], dict[str, str]]] = [
        ("social", to_social["accepted_overdue"], "accept", OPD_SOCIAL,
         {"accepted_on": "2026-09-09"}),
        ("social", to_social["on_time"], "resolve", OPD_SOCIAL,
         {"outcome_code": "assessed", "resolved_on": "2026-09-08"}),
        ("social", to_social["late"], "accept", OPD_SOCIAL, {"accepted_on": "2026-09-03"}),
        ("social", to_social["late"], "resolve", OPD_SOCIAL,
         {"outcome_code": "not_eligible", "resolved_on": "2026-09-10"}),
        ("social", to_social["rejected"], "reject", OPD_SOCIAL,
         {"rejection_code": "duplicate", "rejected_on": "2026-09-04"}),
        ("health", to_health["on_time"], "resolve", OPD_HEALTH,
         {"outcome_code": "screened", "resolved_on": "2026-10-07"}),
        ("health", to_health["late"], "resolve", OPD_HEALTH,
         {"outcome_code": "screened", "resolved_on": "2026-10-15"}),
    ]  # fmt: skip
    for target, rid, action, headers, body in answers:
        await step(client, stack, target, rid, action, headers, **body)
    # Each source's copy hears the answers by events: the profile below reads both sides.
    for name, status in (
        ("accepted_overdue", "accepted"),
        ("on_time", "resolved"),
        ("late", "resolved"),
        ("rejected", "rejected"),
    ):
        await reaches(client, stack, "health", to_social[name], OPD_HEALTH, status)
    for name in ("on_time", "late"):
        await reaches(client, stack, "social", to_health[name], OPD_SOCIAL, "resolved")

    # By hand, per target OPD.
    expected = {
        "social": {
            "total": 6,
            "open": 3,
            "overdue": 2,
            "rejected": 1,
            "resolved": 2,
            "resolved_on_time": 1,
        },
        "health": {
            "total": 4,
            "open": 2,
            "overdue": 1,
            "rejected": 0,
            "resolved": 2,
            "resolved_on_time": 1,
        },
    }
    overdue_ids = [
        to_social["open_overdue"],
        to_social["accepted_overdue"],
        to_health["open_overdue"],
    ]

    url = f"{stack.url('gateway')}/v1/referrals"
    response = await client.get(url, headers=DPMD, params={"wilayah": KUKAR, "status": "overdue"})
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["complete"] is True and view["group"] == "kecamatan"
    rows = {row["field"]: row for row in view["by_field"]}
    assert {f: row["status"] for f, row in rows.items()} == {
        "health": "ok",
        "education": "not_available",
        "social": "ok",
        "housing": "not_available",
        "public_works": "not_available",
        "trantib": "not_available",
    }
    assert rows["social"]["counts"] == expected["social"]
    assert rows["health"]["counts"] == expected["health"]
    assert rows["social"]["by_source_field"] == {"health": expected["social"]}
    assert rows["health"]["by_source_field"] == {"social": expected["health"]}
    assert view["totals"] == {
        name: expected["social"][name] + expected["health"][name] for name in expected["social"]
    }
    assert [r["id"] for r in view["overdue"]] == overdue_ids  # longest overdue first
    assert [r["target_field"] for r in view["overdue"]] == ["social", "social", "health"]
    assert all(r["overdue"] for r in view["overdue"])
    assert [(g["code"], g["counts"]["overdue"]) for g in view["by_group"]] == [(TENGGARONG, 3)]
    drill = await client.get(f"{stack.url('gateway')}{view['by_group'][0]['href']}", headers=DPMD)
    assert drill.status_code == 200, drill.text
    assert [(g["code"], g["counts"]["overdue"]) for g in drill.json()["by_group"]] == [
        (posyandu, 3)
    ]
    assert drill.json()["by_group"][0]["href"] == f"/v1/posyandu/{posyandu}/profile"

    on_time = await client.get(
        url, headers=DPMD, params={"wilayah": KUKAR, "status": "resolved_on_time"}
    )
    assert on_time.status_code == 200, on_time.text
    assert on_time.json()["totals"]["resolved_on_time"] == 2
    assert on_time.json()["overdue"] == []  # resolved ones wait no more
    social_only = await client.get(
        url, headers=DPMD, params={"wilayah": KUKAR, "status": "overdue", "field": "social"}
    )
    assert social_only.json()["totals"] == expected["social"]
    assert [r["id"] for r in social_only.json()["overdue"]] == overdue_ids[:2]

    # The posyandu's profile lists its open referrals, each once, though both fields hold one.
    profile = await client.get(
        f"{stack.url('gateway')}/v1/posyandu/{posyandu}/profile", headers=DPMD
    )
    assert profile.status_code == 200, profile.text
    listed = [r["id"] for r in profile.json()["referrals"]]
    open_ids = {*overdue_ids, to_social["not_yet_due"], to_health["not_yet_due"]}
    assert len(listed) == len(open_ids) and set(listed) == open_ids
    assert listed[:3] == overdue_ids  # earliest due first
    statuses = {r["id"]: r["status"] for r in profile.json()["referrals"]}
    assert statuses[to_social["accepted_overdue"]] == "accepted"

    # The share resolved in time of the referrals each OPD owns that fell due in the month:
    # social, September: on time of (open overdue, accepted overdue, on time, late) - the
    # rejected one asked the wrong field; health, October: on time of (overdue, on time, late).
    for field, period, share in (("social", "2026-09", (1, 4)), ("health", "2026-10", (1, 3))):
        values = await client.get(
            f"{stack.url(field)}/v1/indicators",
            headers=DPMD,
            params={"wilayah": KUKAR, "period": period},
        )
        assert values.status_code == 200, values.text
        (indicator,) = [
            v for v in values.json() if v["code"] == f"{field}.referrals_resolved_in_time"
        ]
        assert (indicator["numerator"], indicator["denominator"]) == share, field

    # Health's copies of the referrals social owns heard every answer (above): with social
    # down, the profile still lists each open referral once, from health's side.
    stack.processes["social"].stop()
    try:
        without = await client.get(
            f"{stack.url('gateway')}/v1/posyandu/{posyandu}/profile", headers=DPMD
        )
        assert without.status_code == 200, without.text
        assert {s["field"]: s["status"] for s in without.json()["referrals_status"]}["social"] == (
            "unavailable"
        )
        assert sorted(r["id"] for r in without.json()["referrals"]) == sorted(open_ids)
        down = await client.get(url, headers=DPMD, params={"wilayah": KUKAR, "status": "overdue"})
        assert down.status_code == 200, down.text
        rows = {row["field"]: row for row in down.json()["by_field"]}
        assert rows["social"]["status"] == "unavailable" and rows["social"]["counts"] is None
        assert rows["health"]["status"] == "ok"
        assert down.json()["complete"] is False
        assert down.json()["totals"] == expected["health"]
        assert [r["id"] for r in down.json()["overdue"]] == [to_health["open_overdue"]]
    finally:
        await asyncio.to_thread(stack.restart, "social")
