"""What the referral end-to-end tests share (``test_referrals.py``, ``test_referral_counts``):
registry, health, social and the gateway as uvicorn processes on the real broker and
PostgreSQL, one stack per test module, seeded only through their REST APIs; tokens; the calls
that refer, read, answer and wait for a referral.

The flows work in Kota Samarinda (64.72); the gateway's counts are asked for Kabupaten Kutai
Kartanegara (64.02), where only the counting test refers anyone. Health's deployment keeps one
regional holiday social does not (25 March 2026), so health's own reckoning of a due date
differs from social's there: the copy must take the target's.
"""

from __future__ import annotations

from typing import Any

import httpx
from e2e_calls import consumer_progress, eventually, post_created

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

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
