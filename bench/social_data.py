"""The social indicators benchmark's data: a seeded Kukar of balita targets, DTSEN
households, PPKS cases and stunting reactions over the 12 months before ``END``, COPY-loaded
into a migrated social database (``bench.social_indicators`` times reads over it)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench import scale_social
from simpul_platform.devstack.population import generate_balita, generate_kukar, month_ends
from simpul_platform.testing.stack import TEST_PSEUDONYM_SECRET
from simpul_social.domain.ppks import PPKS_CATEGORIES

END = date(2026, 1, 1)  # the data covers the 12 months before
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# --------------------------------------------------------------------------- data


def _targets(posyandu: int, balita: int, end: date = END) -> list[dict[str, Any]]:
    """As bench.scale makes them: the demo balita on the registry demo's Kukar posyandu."""
    places = [
        (str(uuid.UUID(int=i + 1)), p.desa_code)
        for i, p in enumerate(generate_kukar(count=posyandu))
    ]
    per = -(-balita // posyandu)
    children = generate_balita(places, per_posyandu=per, end=end, secret=TEST_PSEUDONYM_SECRET)
    seen, out = set(), []
    for child in children[:balita]:
        if child.target["nik"] not in seen:
            seen.add(child.target["nik"])
            out.append(child.target)
    return out


def _seeded_ids(tables: dict[str, list[dict[str, Any]]], rng: random.Random) -> None:
    """Replace the generators' uuid4 ids (and the references to them) with seeded ones."""

    def fresh() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128)))

    homes = {h["id"]: fresh() for h in tables["household"]}
    for h in tables["household"]:
        h["id"] = homes[h["id"]]
    for table in ("distribution", "priority_case"):
        for row in tables[table]:
            row["id"] = fresh()
            row["household_id"] = homes[row["household_id"]]


def _ppks(
    places: list[tuple[str, str]], count: int, rng: random.Random, end: date = END
) -> list[dict[str, Any]]:
    """PPKS identified through the year; about two in three served, some of those closed."""
    out = []
    for n in range(count):
        pid, desa = rng.choice(places)
        identified = end - timedelta(days=rng.randint(1, 365))
        served = identified + timedelta(days=rng.randint(1, 40)) if rng.random() < 0.65 else None
        closed = served + timedelta(days=30) if served and rng.random() < 0.5 else None
        status = "closed" if closed else "served" if served else "identified"
        out.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "category": rng.choice(PPKS_CATEGORIES),
                "status": status,
                "posyandu_id": pid,
                "desa_code": desa,
                "name": f"PPKS {n}",
                "identified_on": identified,
                "assessed_on": identified if served else None,
                "served_on": served,
                "closed_on": closed,
                "outcome": "rehabilitated" if closed else None,
                "created_by": "bench",
                "created_at": NOW,
                "updated_by": "bench",
                "updated_at": NOW,
            }
        )
    return out


def _reactions(
    cases: list[dict[str, Any]], places: list[tuple[str, str]], rng: random.Random, end: date = END
) -> Any:
    """A decision per priority case plus as many others; an open lead for one in ten others."""
    decisions, leads = [], []
    others = ("not_priority_decile", "receiving_bansos", "unmatched")
    rows = [("case_opened", c["posyandu_id"], c["desa_code"], c["detected_on"]) for c in cases]
    for _ in range(len(cases)):
        pid, desa = rng.choice(places)
        rows.append((rng.choice(others), pid, desa, end - timedelta(days=rng.randint(1, 365))))
    for decision, pid, desa, detected in rows:
        episode = uuid.UUID(int=rng.getrandbits(128)).hex
        decisions.append(
            {
                "stunting_episode_id": episode,
                "decision": decision,
                "reason": decision,
                "child_person_ref": episode,
                "posyandu_id": pid,
                "desa_code": desa,
                "severity": "stunted",
                "detected_on": detected,
                "detections": 1,
                "last_event_id": episode,
                "decided_at": NOW,
                "updated_at": NOW,
            }
        )
        if decision == "unmatched" and rng.random() < 0.3:
            leads.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "stunting_episode_id": episode,
                    "reason": "household_unknown",
                    "child_person_ref": episode,
                    "posyandu_id": pid,
                    "desa_code": desa,
                    "severity": "stunted",
                    "measurement_id": episode,
                    "detected_on": detected,
                    "status": rng.choice(("open", "open", "found")),
                    "created_at": NOW,
                }
            )
    return decisions, leads


def _replica(places: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "posyandu_id": pid,
            "name": f"Posyandu {pid[-4:]}",
            "desa_code": desa,
            "kecamatan_code": desa[:8],
            "kabupaten_code": desa[:5],
            "status": "active",
            "fields": "health,social",
            "last_event_at": NOW,
            "last_event_id": pid,
            "updated_at": NOW,
        }
        for pid, desa in places
    ]


def tables(
    posyandu: int, balita: int, ppks: int, end: date = END
) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, in load order; the data covers the 12 months before ``end``."""
    targets = _targets(posyandu, balita, end)
    places = sorted({(t["posyandu_id"], t["desa_code"]) for t in targets})
    homes = scale_social.households(targets, 3)
    months = month_ends(12, end)
    out = {
        "program": scale_social.programs(),
        "household": homes,
        "distribution": scale_social.distributions(homes, months),
        "priority_case": scale_social.priority_cases(targets, homes, months),
    }
    rng = random.Random(64_02)
    _seeded_ids(out, rng)
    out["ppks_case"] = _ppks(places, ppks, rng, end)
    out["stunting_reaction"], out["stunting_lead"] = _reactions(
        out["priority_case"], places, rng, end
    )
    out["posyandu_replica"] = _replica(places)
    return out


async def load(url: str, data: dict[str, list[dict[str, Any]]]) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for table, rows in data.items():
            columns = list(rows[0])
            await connection.copy_records_to_table(
                table, records=[tuple(r[c] for c in columns) for r in rows], columns=columns
            )
        # As autovacuum would leave it in service: statistics, and a visibility map that
        # lets index-only scans skip the table.
        await connection.execute("VACUUM ANALYZE")
        collation = await connection.fetchval(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()"
        )
    finally:
        await connection.close()
    sizes = ", ".join(f"{len(rows):,} {table}" for table, rows in data.items())
    print(f"loaded {sizes}; database collation {collation}")
