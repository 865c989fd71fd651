"""COPY-loading a field's generated rows into its migrated database, for the benchmarks that
measure reads at Kutai Kartanegara's size: the demo population's Kukar posyandu and their
replica rows, the models' columns for rows built as dicts, and the COPY itself.

A generator builds ``Tables`` (table → column names and rows, in load order); ``copy_tables``
copies them in one connection and leaves the statistics as autovacuum would.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import MetaData

from bench.common import dsn
from simpul_platform.devstack.population import generate_kukar

Tables = dict[str, tuple[list[str], list[Any]]]
Rows = dict[str, list[dict[str, Any]]]
Place = tuple[str, str]  # (posyandu id, desa code)

NOW = datetime.now(UTC)  # the replica's last event: the load
REPLICA_COLUMNS = [
    "posyandu_id", "name", "desa_code", "kecamatan_code", "kabupaten_code", "status",
    "fields", "last_event_at", "last_event_id", "updated_at",
]  # fmt: skip


def kukar_places(count: int) -> list[Place]:
    """``count`` of the demo population's Kukar posyandu (real desa codes), with ids made
    here (``UUID(int=n)``) so each run loads the same rows."""
    return [
        (str(uuid.UUID(int=i + 1)), p.desa_code) for i, p in enumerate(generate_kukar(count=count))
    ]


def replica_table(
    places: Iterable[Place], field: str, now: datetime
) -> tuple[list[str], list[Any]]:
    """The posyandu replica as the registry's events would leave it: every posyandu
    registered, serving ``field``."""
    rows = [
        (pid, f"Posyandu {pid[-4:]}", desa, desa[:8], desa[:5], "registered", field, now, pid, now)
        for pid, desa in places
    ]
    return REPLICA_COLUMNS, rows


def model_tables(metadata: MetaData, rows: Mapping[str, list[dict[str, Any]]]) -> Tables:
    """Rows built as dicts, as tuples of their model's columns (a missing key is NULL)."""
    out: Tables = {}
    for name, table_rows in rows.items():
        columns = [c.name for c in metadata.tables[name].columns]
        out[name] = (columns, [tuple(row.get(c) for c in columns) for row in table_rows])
    return out


def field_tables(
    field: str,
    places: Iterable[Place],
    metadata: MetaData,
    rows: Mapping[str, list[dict[str, Any]]],
) -> Tables:
    """The posyandu replica of ``field`` first, then ``rows`` as their models' columns."""
    return {"posyandu_replica": replica_table(places, field, NOW), **model_tables(metadata, rows)}


async def copy_tables(url: str, data: Tables) -> None:
    """COPY every table in order, then ``VACUUM ANALYZE`` them (as autovacuum would leave
    them: statistics, and a visibility map for index-only scans); prints the row counts.
    Only the loaded tables: autovacuum never analyzes a table nothing was written to, and an
    analyzed empty table is planned as one for good (a foreign key's check on it, planned
    once per connection, would scan it whole as it grows)."""
    connection = await asyncpg.connect(dsn(url))
    try:
        for table, (columns, rows) in data.items():
            await connection.copy_records_to_table(table, records=rows, columns=columns)
        await connection.execute("VACUUM ANALYZE " + ", ".join(f'"{table}"' for table in data))
    finally:
        await connection.close()
    print("loaded " + ", ".join(f"{len(rows):,} {table}" for table, (_, rows) in data.items()))
