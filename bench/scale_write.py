"""``bench.scale``'s write: how long from a write in one field to the kabupaten scorecard
showing it. A Dinas Sosial user records BLT Desa for the month for a poor household that had
none (``POST /v1/distributions``), then the gateway's scorecard for the month is asked again
and again until social's coverage rows differ from before the write: the time from sending
the POST to that answer, ``writes`` times (a different household each time).
"""

from __future__ import annotations

import time
from datetime import date

import httpx

from bench.common import DPMD, KUKAR, OPD_SOCIAL, connect, ms
from simpul_social.domain.periods import bounds

PROGRAM = "BLT-DESA"
DEADLINE_S = 10.0


async def poor_households_without(url: str, period: str, count: int) -> list[str]:
    """Households of Kukar in deciles 1–4 without the program's benefit for ``period``."""
    async with connect(url) as conn:
        rows = await conn.fetch(
            """SELECT h.id FROM household h
               WHERE h.decile BETWEEN 1 AND 4 AND h.desa_code LIKE $1
                 AND NOT EXISTS (SELECT 1 FROM distribution d WHERE d.household_id = h.id
                                 AND d.program_code = $2 AND d.period = $3)
               ORDER BY h.id LIMIT $4""",
            f"{KUKAR}.%",
            PROGRAM,
            period,
            count,
        )
    return [r["id"] for r in rows]


def _social_rows(answer: dict[str, object]) -> list[tuple[object, ...]]:
    rows = answer["rows"]
    assert isinstance(rows, list)
    return [
        (r["indicator"]["code"], r["indicator"]["numerator"], r["indicator"]["denominator"])
        for r in rows
        if r["field"] == "social" and r.get("indicator")
    ]


async def write_to_scorecard(
    client: httpx.AsyncClient, social: str, gateway: str, social_db: str, month: str, writes: int
) -> dict[str, float]:
    """Seconds from each write to the scorecard showing it: p50/p99/max in ms."""
    start, _ = bounds(month)
    distributed_on: date = start.replace(day=15)
    params = {"wilayah": KUKAR, "period": month}
    latencies = []
    for household_id in await poor_households_without(social_db, month, writes):
        before = await client.get(f"{gateway}/v1/scorecard", params=params, headers=DPMD)
        before.raise_for_status()
        seen = _social_rows(before.json())
        started = time.perf_counter()
        body = {
            "household_id": household_id,
            "program_code": PROGRAM,
            "period": month,
            "amount_idr": 300_000,
            "distributed_on": distributed_on.isoformat(),
        }
        posted = await client.post(f"{social}/v1/distributions", json=body, headers=OPD_SOCIAL)
        if posted.status_code != 201:
            raise RuntimeError(f"distribution refused: {posted.status_code} {posted.text[:300]}")
        while True:
            after = await client.get(f"{gateway}/v1/scorecard", params=params, headers=DPMD)
            after.raise_for_status()
            if _social_rows(after.json()) != seen:
                latencies.append(time.perf_counter() - started)
                break
            if time.perf_counter() - started > DEADLINE_S:
                raise TimeoutError(f"the scorecard did not show a write in {DEADLINE_S} s")
    return ms(latencies)
