"""The data the dashboard's browser tests read, seeded only through the services' REST APIs,
and how they read a page's figures.

Kutai Kartanegara (64.02) with a target of 6 posyandu, Tenggarong (64.02.06) with a target of 3.
Posyandu Mawar in Rapak Lambur (Tenggarong) runs health and social with two health kader, held a
day a week ago (one kader present) and opens again in a week; two of its four balita are stunted
in poor households, so health refers both to social and social opens two priority cases; and
social referred one lansia to health. Posyandu Cempaka in Sebulu (64.02.07) is another kecamatan's.

The stack runs as in development (development secrets), so the sign-in page offers the mint form.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

import httpx
from e2e_calls import child_in_household, child_nik, post_created

from simpul_platform.auth import mint_token
from simpul_platform.settings import DEV_JWT_SECRET, DEV_PSEUDONYM_SECRET, ServiceSettings
from simpul_platform.testing.stack import Stack

TENGGARONG, SEBULU = "64.02.06", "64.02.07"
RAPAK_LAMBUR, SEBULU_DESA = "64.02.06.2012", "64.02.07.2001"
TODAY = date.today()
PERIOD = TODAY.strftime("%Y-%m")
DEVELOPMENT_ENV = {
    "SIMPUL_ENVIRONMENT": "development",
    "SIMPUL_JWT_SECRET": DEV_JWT_SECRET,
    "SIMPUL_PSEUDONYM_SECRET": DEV_PSEUDONYM_SECRET,
}
TOKENS = ServiceSettings(environment="development")
DPMD_TOKEN = mint_token(TOKENS, "dpmd-kukar", ["dpmd"], ["64.02"])
TP_TENGGARONG_TOKEN = mint_token(TOKENS, "tp-tenggarong", ["tp:kecamatan"], [TENGGARONG])


def bearer(roles: list[str], wilayah: list[str], sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, roles, wilayah)}"}


DPMD = {"Authorization": f"Bearer {DPMD_TOKEN}"}
OPD_HEALTH = bearer(["opd:health"], ["64.02"], "dinkes-kukar")
OPD_SOCIAL = bearer(["opd:social"], ["64.02"], "dinsos-kukar")


async def seed(stack: Stack) -> dict[str, str]:
    """The data above; the posyandu ids by name, once social's cases and the referral show in
    the gateway's profile."""
    async with httpx.AsyncClient(timeout=30) as client:
        registry = stack.url("registry")
        mawar = (
            await post_created(
                client,
                f"{registry}/v1/posyandu",
                {
                    "name": "Posyandu Mawar",
                    "desa_code": RAPAK_LAMBUR,
                    "fields": ["health", "social"],
                },
                DPMD,
            )
        )["id"]
        cempaka = (
            await post_created(
                client,
                f"{registry}/v1/posyandu",
                {"name": "Posyandu Cempaka", "desa_code": SEBULU_DESA, "fields": ["health"]},
                DPMD,
            )
        )["id"]
        for code, target in (("64.02", 6), (TENGGARONG, 3)):
            put = await client.put(
                f"{registry}/v1/registration-targets/{code}", headers=DPMD, json={"target": target}
            )
            assert put.status_code == 200, put.text
        await _days(client, registry, mawar)
        await _children(client, stack, mawar)
        referred = await post_created(
            client,
            f"{stack.url('social')}/v1/referrals",
            {
                "target_field": "health",
                "posyandu_id": mawar,
                "reason_code": "lansia_not_screened",
                "nik": child_nik(date(1950, 3, 4), "F", 77),
            },
            OPD_SOCIAL,
        )
        assert referred["status"] == "requested", referred
        await _wait_for_profile(client, stack, mawar)
    return {"Posyandu Mawar": mawar, "Posyandu Cempaka": cempaka}


async def _days(client: httpx.AsyncClient, registry: str, posyandu: str) -> None:
    held, upcoming = TODAY - timedelta(days=7), TODAY + timedelta(days=7)
    base = f"{registry}/v1/posyandu/{posyandu}"
    schedule = await client.put(
        f"{base}/schedule",
        headers=DPMD,
        json={"one_off": [{"day": held.isoformat()}, {"day": upcoming.isoformat()}]},
    )
    assert schedule.status_code == 200, schedule.text
    kader = []
    for serial, role in ((91, "kader"), (92, "kader"), (93, "ketua_bidang")):
        body = {
            "nik": child_nik(date(1985, 8, 17), "M", serial),
            "name": f"Kader {serial}",
            "role": role,
            "field": "health",
            "start_date": "2025-01-01",
        }
        kader.append((await post_created(client, f"{base}/people", body, DPMD))["id"])
    attendance = [
        {"person_id": kader[0], "status": "present"},
        {"person_id": kader[1], "status": "absent"},
    ]
    attended = await client.put(
        f"{base}/days/{held.isoformat()}/attendance", headers=DPMD, json={"items": attendance}
    )
    assert attended.status_code == 200, attended.text
    recorded = await client.put(
        f"{base}/days/{held.isoformat()}", headers=DPMD, json={"held": True, "fields": ["health"]}
    )
    assert recorded.status_code == 200, recorded.text


async def _children(client: httpx.AsyncClient, stack: Stack, posyandu: str) -> None:
    # Height for a 24-month-old: under 82 cm is stunted; deciles 1–4 are poor.
    children = [("M", 78.0, 2), ("F", 77.0, 2), ("M", 88.0, 2), ("F", 87.0, 8)]
    birth = TODAY - timedelta(days=740)
    for serial, (sex, height, decile) in enumerate(children, start=1):
        await child_in_household(
            client,
            (stack.url("social"), stack.url("health")),
            (OPD_SOCIAL, OPD_HEALTH),
            posyandu=posyandu,
            kk=f"64020601012000{serial:02d}",
            decile=decile,
            nik=child_nik(birth, sex, serial),
            serial=serial,
            sex=sex,
            birth=birth,
            height_cm=height,
            measured_on=TODAY,
        )


async def _wait_for_profile(client: httpx.AsyncClient, stack: Stack, posyandu: str) -> None:
    """Social's two priority cases and health's two automatic stunting referrals to social
    come from health's events, the lansia referral's copy at health from social's: all arrive
    over Kafka."""
    deadline = time.monotonic() + 90
    profile: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = await client.get(
            f"{stack.url('gateway')}/v1/posyandu/{posyandu}/profile",
            headers=DPMD,
            params={"period": PERIOD},
        )
        profile = answer.json()
        if (
            answer.status_code == 200
            and len(profile["open_cases"]) == 2
            and len(profile["referrals"]) == 3
        ):
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"the profile never showed two cases and three referrals: {profile}")
