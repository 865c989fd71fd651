"""The Capaian SPM pages' e2e data, seeded through the registry's and health's APIs: Mawar
and Kenanga in Rapak Lambur, Melati elsewhere in Tenggarong, Cempaka in Sebulu; balita of 24
months, some measured this month (one stunted at Mawar), some not."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from e2e_calls import eventually, post_created

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

RAPAK_LAMBUR, MELATI_DESA, SEBULU_DESA = "64.02.06.2012", "64.02.06.1002", "64.02.07.2001"
TODAY = date.today()
PERIOD = TODAY.strftime("%Y-%m")
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
DPMD_TOKEN = mint_token(TOKENS, "dpmd-kukar", ["dpmd"], ["64.02"])
DPMD = {"Authorization": f"Bearer {DPMD_TOKEN}"}
OPD_HEALTH = {"Authorization": f"Bearer {mint_token(TOKENS, 'dinkes', ['opd:health'], ['64.02'])}"}


async def seed(stack: Stack) -> dict[str, str]:
    """The posyandu ids by name, once health and social both answer the scorecard."""
    async with httpx.AsyncClient(timeout=30) as client:
        posyandu: dict[str, str] = {}
        for name, desa in (
            ("Posyandu Mawar", RAPAK_LAMBUR),
            ("Posyandu Kenanga", RAPAK_LAMBUR),
            ("Posyandu Melati", MELATI_DESA),
            ("Posyandu Cempaka", SEBULU_DESA),
        ):
            created = await client.post(
                f"{stack.url('registry')}/v1/posyandu",
                headers=DPMD,
                json={"name": name, "desa_code": desa, "fields": ["health", "social"]},
            )
            assert created.status_code == 201, created.text
            posyandu[name] = created.json()["id"]
        children = [  # posyandu, sex, height (cm) at 24 months, measured this month
            ("Posyandu Mawar", "M", 78.0, True),
            ("Posyandu Mawar", "F", 87.0, True),
            ("Posyandu Melati", "M", 88.0, True),
            ("Posyandu Cempaka", "F", 86.0, False),
            ("Posyandu Kenanga", "M", 87.0, False),
        ]
        birth = TODAY - timedelta(days=740)
        for serial, (name, sex, height, measured) in enumerate(children, start=1):
            day = birth.day + (40 if sex == "F" else 0)
            target = await post_created(
                client,
                f"{stack.url('health')}/v1/targets",
                {
                    "nik": f"640206{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}",
                    "kk": f"64020601012000{serial:02d}",
                    "name": f"Anak {serial}",
                    "sex": sex,
                    "birth_date": birth.isoformat(),
                    "posyandu_id": posyandu[name],
                },
                OPD_HEALTH,
            )
            if measured:
                await post_created(
                    client,
                    f"{stack.url('health')}/v1/posyandu/{posyandu[name]}/measurements",
                    {
                        "target_id": target["id"],
                        "measured_on": TODAY.isoformat(),
                        "weight_kg": 10.5,
                        "height_cm": height,
                        "measure_position": "standing",
                    },
                    OPD_HEALTH,
                )
        await eventually(lambda: _answered(client, stack))
        return posyandu


async def _answered(client: httpx.AsyncClient, stack: Stack) -> bool | None:
    """Health and social both answer the kabupaten's scorecard (the services are warm)."""
    response = await client.get(
        f"{stack.url('gateway')}/v1/scorecard",
        params={"wilayah": "64.02", "period": PERIOD},
        headers=DPMD,
    )
    statuses = {row["field"]: row["status"] for row in response.json()["rows"]}
    return (statuses["health"], statuses["social"]) == ("ok", "ok") or None
