"""Social's side of ``bench.scale``: a kabupaten's DTSEN households and a year of bansos.

Shape (Kukar-like): every balita's household (the same KK and ``household_ref`` health's
targets carry) plus ``--households-per-balita`` − 1 households without a balita, deciles as the
demo population draws them (lokus desa poorer, 5 % unassessed); for deciles 1–4 households the
demo's aid chances (PKH quarterly, sembako and BLT Desa monthly) for every period of the
measured months; a priority case for each stunted balita in a poor household. All COPY-ed
into social's own tables, then ``ANALYZE``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import connect
from simpul_platform.devstack.population import decile_for, lokus_desa
from simpul_platform.testing.stack import Stack
from simpul_social.demo import AID, PROGRAMS
from simpul_social.domain.periods import PeriodType, bounds, label_of

SEED = 104


def households(targets: Sequence[dict[str, Any]], per_balita: int) -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    lokus = lokus_desa((t["desa_code"] for t in targets), rng)
    now = datetime.now(UTC)
    out, seen = [], set()
    for target in targets:
        for extra in range(per_balita):
            decile = decile_for(rng, lokus=target["desa_code"] in lokus, stunted=False)
            kk, ref = target["kk"], target["household_ref"]
            if extra:  # a neighbour without a balita
                kk, ref = f"{rng.randrange(10**15, 10**16)}", uuid.uuid4().hex
            if kk in seen:  # siblings share their household
                continue
            seen.add(kk)
            out.append(
                {
                    "id": str(uuid.uuid4()),
                    "kk": kk,
                    "household_ref": ref,
                    "posyandu_id": target["posyandu_id"],
                    "desa_code": target["desa_code"],
                    "address": f"RT {rng.randint(1, 20)}",
                    "decile": decile,
                    "decile_source": "DTSEN" if decile else None,
                    "decile_assessed_on": date(2026, 1, 15) if decile else None,
                    "created_by": "bench-scale",
                    "created_at": now,
                    "updated_by": "bench-scale",
                    "updated_at": now,
                }
            )
    return out


def distributions(homes: Sequence[dict[str, Any]], months: Sequence[date]) -> list[dict[str, Any]]:
    """Every period (month or quarter) of ``months`` for each poor household's programs."""
    rng = random.Random(SEED + 1)
    now = datetime.now(UTC)
    out = []
    for home in homes:
        if home["decile"] is None or home["decile"] > 4:
            continue
        for code, chance, amount, goods in AID:
            if rng.random() >= chance:
                continue
            kind: PeriodType = "quarter" if code == "PKH" else "month"
            for label in sorted({label_of(kind, month) for month in months}):
                start, end = bounds(label)
                out.append(
                    {
                        "id": str(uuid.uuid4()),
                        "household_id": home["id"],
                        "program_code": code,
                        "period": label,
                        "period_start": start,
                        "period_end": end,
                        "posyandu_id": home["posyandu_id"],
                        "desa_code": home["desa_code"],
                        "amount_idr": amount,
                        "goods": goods,
                        "distributed_on": min(end, start.replace(day=15)),
                        "status": "distributed",
                        "created_by": "bench-scale",
                        "created_at": now,
                    }
                )
    return out


def priority_cases(
    targets: Sequence[dict[str, Any]], homes: Sequence[dict[str, Any]], months: Sequence[date]
) -> list[dict[str, Any]]:
    """About one poor balita household in eight had a stunting case opened in one of the
    months; two in three of those are resolved, most of them on time."""
    rng = random.Random(SEED + 2)
    by_ref = {h["household_ref"]: h for h in homes}
    now = datetime.now(UTC)
    out = []
    for target in targets:
        home = by_ref[target["household_ref"]]
        if home["decile"] is None or home["decile"] > 4 or rng.random() >= 0.125:
            continue
        detected = rng.choice(months).replace(day=rng.randint(1, 28))
        due = detected + timedelta(days=7)
        resolved = detected + timedelta(days=rng.randint(2, 12)) if rng.random() < 0.66 else None
        out.append(
            {
                "id": str(uuid.uuid4()),
                "stunting_episode_id": uuid.uuid4().hex,
                "household_id": home["id"],
                "household_ref": home["household_ref"],
                "child_person_ref": target["person_ref"],
                "posyandu_id": home["posyandu_id"],
                "desa_code": home["desa_code"],
                "decile": home["decile"],
                "severity": "stunted",
                "detection_measurement_id": uuid.uuid4().hex,
                "detected_on": detected,
                "due_on": due,
                "status": "resolved" if resolved else "open",
                "resolved_on": resolved,
                "outcome": "enrolled_in_bansos" if resolved else None,
                "opened_at": now,
                "updated_at": now,
            }
        )
    return out


def programs() -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {**p.model_dump(), "active": True, "created_by": "bench-scale", "created_at": now}
        for p in PROGRAMS
    ]


async def load(stack: Stack, tables: dict[str, list[dict[str, Any]]]) -> None:
    async with connect(stack.databases["social"]) as conn:
        for table, data in tables.items():
            columns = list(data[0])
            for i in range(0, len(data), 50_000):
                await conn.copy_records_to_table(
                    table,
                    records=[tuple(r[c] for c in columns) for r in data[i : i + 50_000]],
                    columns=columns,
                )
        for table in tables:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
