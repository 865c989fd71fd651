"""The gateway views' e2e data (``test_gateway_views``), seeded through the services' REST APIs
only, and the calls its tests make.

The data: two posyandu in Tenggarong. At Mawar two of four balita are stunted and their
households are poor (decile 2), so social opens priority cases from health's events; at Melati
nobody is stunted and the households are better off.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from e2e_calls import child_in_household, child_nik, eventually

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

MAWAR_DESA, MELATI_DESA = "64.02.06.2012", "64.02.06.1002"
TODAY = date.today()
PERIOD = TODAY.strftime("%Y-%m")
TIMEOUT_S = 1.0
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)


def bearer(roles: list[str], wilayah: list[str], sub: str = "tester") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, sub, roles, wilayah)}"}


DPMD = bearer(["dpmd"], ["64.02"], "dpmd-kukar")


async def seed_views(stack: Stack) -> dict[str, str]:
    """Two posyandu, six children in their households, through the REST APIs only; the
    posyandu ids by name, once social has opened Mawar's two priority cases."""
    async with httpx.AsyncClient(timeout=30) as client:
        posyandu = {}
        for name, desa in (("Posyandu Mawar", MAWAR_DESA), ("Posyandu Melati", MELATI_DESA)):
            created = await client.post(
                f"{stack.url('registry')}/v1/posyandu",
                headers=DPMD,
                json={"name": name, "desa_code": desa, "fields": ["health", "social"]},
            )
            assert created.status_code == 201, created.text
            posyandu[name] = created.json()["id"]
        await client.put(
            f"{stack.url('registry')}/v1/registration-targets/64.02",
            headers=DPMD,
            json={"target": 4, "due_date": "2026-12-31"},
        )
        opd_social = bearer(["opd:social"], ["64.02"], "dinsos-kukar")
        opd_health = bearer(["opd:health"], ["64.02"], "dinkes-kukar")
        children = [  # posyandu, sex, height (cm) for a 24-month-old: < 82 cm is stunted
            ("Posyandu Mawar", "M", 78.0, 2),
            ("Posyandu Mawar", "F", 77.0, 2),
            ("Posyandu Mawar", "M", 88.0, 2),
            ("Posyandu Mawar", "F", 87.0, 2),
            ("Posyandu Melati", "M", 88.0, 8),
            ("Posyandu Melati", "F", 86.0, 8),
        ]
        for serial, (name, sex, height, decile) in enumerate(children, start=1):
            birth = TODAY - timedelta(days=740)
            await child_in_household(
                client,
                (stack.url("social"), stack.url("health")),
                (opd_social, opd_health),
                posyandu=posyandu[name],
                kk=f"64020601012000{serial:02d}",
                decile=decile,
                nik=child_nik(birth, sex, serial),
                serial=serial,
                sex=sex,
                birth=birth,
                height_cm=height,
                measured_on=TODAY,
            )
        await _wait_for_priority_cases(client, stack, posyandu["Posyandu Mawar"], expected=2)
        return posyandu


async def _wait_for_priority_cases(
    client: httpx.AsyncClient, stack: Stack, posyandu_id: str, expected: int
) -> None:
    async def opened() -> bool | None:
        summary = await client.get(
            f"{stack.url('social')}/v1/summary",
            headers=DPMD,
            params={"posyandu_id": posyandu_id, "period": PERIOD},
        )
        ok = summary.status_code == 200
        return (ok and summary.json()["priority_cases"]["open"] == expected) or None

    await eventually(opened, timeout=90)


async def get(
    stack: Stack, service: str, path: str, headers: dict[str, str] = DPMD, **params: Any
) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(f"{stack.url(service)}{path}", params=params, headers=headers)


def by_field(sections: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {section["field"]: section for section in sections}
