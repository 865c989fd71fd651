"""The Lokus, Rujukan and Kedaruratan pages' e2e data, seeded through the services' APIs:
three posyandu (Mawar and Melati in Tenggarong, Cempaka in Sebulu); stunted children in
better-off households at Mawar and better-grown ones in poor households at Melati; referrals
to social overdue, open and elsewhere; a fire answered after 15 minutes and a flood at Mawar."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from e2e_calls import child_in_household, child_nik, eventually, post_created
from emergency_calls import ON, fire, flood
from referral_calls import DPMD, OPD_HEALTH, REGISTRAR, TOKENS, arrived, refer

from simpul_platform.auth import mint_token
from simpul_platform.testing.stack import Stack

TENGGARONG, SEBULU = "64.02.06", "64.02.07"
MAWAR_DESA, MELATI_DESA, CEMPAKA_DESA = "64.02.06.2012", "64.02.06.1002", "64.02.07.2001"
TODAY = date.today()
EMERGENCY_PERIOD = ON.strftime("%Y-%m")
OPD_SOCIAL = {"Authorization": f"Bearer {mint_token(TOKENS, 'dinsos', ['opd:social'], ['64.02'])}"}
ALL_FIELDS = ["health", "education", "social", "housing", "public_works", "trantib"]


async def _child(
    client: httpx.AsyncClient, stack: Stack, posyandu: str, serial: int, height: float, decile: int
) -> None:
    """A 24-month-old measured today at ``height`` (< 82 cm is stunted), in a household of
    ``decile``."""
    kk = f"64020601019000{serial:02d}"  # apart from the emergency households' No. KK
    sex, birth = ("M" if serial % 2 else "F"), TODAY - timedelta(days=740)
    await child_in_household(
        client,
        (stack.url("social"), stack.url("health")),
        (OPD_SOCIAL, OPD_HEALTH),
        posyandu=posyandu,
        kk=kk,
        decile=decile,
        nik=child_nik(birth, sex, serial),
        serial=serial,
        sex=sex,
        birth=birth,
        height_cm=height,
        measured_on=TODAY,
    )


async def _refer(
    client: httpx.AsyncClient, stack: Stack, posyandu: str, serial: int, requested_on: str
) -> None:
    body = {
        "target_field": "social",
        "posyandu_id": posyandu,
        "reason_code": "dtsen_assessment",
        "no_kk": f"64020601018000{serial:02d}",
        "requested_on": requested_on,
    }
    referral = await refer(client, stack, "health", OPD_HEALTH, **body)
    await arrived(client, stack, "social", referral["id"], OPD_SOCIAL)


async def seed(stack: Stack) -> dict[str, str]:
    """The posyandu ids by name, once trantib's emergencies reached housing and social."""
    async with httpx.AsyncClient(timeout=30) as client:
        posyandu = {}
        for name, desa in (
            ("Mawar", MAWAR_DESA),
            ("Melati", MELATI_DESA),
            ("Cempaka", CEMPAKA_DESA),
        ):
            body = {"name": f"Posyandu {name}", "desa_code": desa, "fields": ALL_FIELDS}
            registered = await post_created(
                client, f"{stack.url('registry')}/v1/posyandu", body, REGISTRAR
            )
            posyandu[name] = str(registered["id"])
        for serial, (name, height, decile) in enumerate(
            [("Mawar", 78.0, 8), ("Mawar", 77.0, 8), ("Melati", 88.0, 2), ("Melati", 87.0, 2)],
            start=1,
        ):
            await _child(client, stack, posyandu[name], serial, height, decile)
        await _refer(client, stack, posyandu["Mawar"], 1, "2026-09-07")  # due 14 Sep: overdue
        await _refer(client, stack, posyandu["Mawar"], 2, TODAY.isoformat())  # open, not due
        await _refer(client, stack, posyandu["Cempaka"], 3, "2026-09-08")  # due 15 Sep
        trantib = stack.url("trantib")
        await fire(
            client, trantib, posyandu["Mawar"], timedelta(seconds=901), [(1, "rb"), (2, "rr")]
        )
        await flood(client, trantib, posyandu["Mawar"], ON)

        async def settled() -> bool | None:
            # Housing's and social's consumers open their cases from trantib's events.
            answer = await client.get(
                f"{stack.url('gateway')}/v1/emergencies",
                params={"wilayah": TENGGARONG, "period": EMERGENCY_PERIOD},
                headers=DPMD,
            )
            view = answer.json()
            done = view["complete"] and view["totals"]["awaiting_housing_case"] == 0
            return True if done and len(view["emergencies"]) == 2 else None

        await eventually(settled)
    return posyandu
