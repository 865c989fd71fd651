"""A health database built before the platform migrated its own tables upgrades in place.

``frozen/migrations`` holds health's revisions as they were at that change (each creating the
outbox, inbox and idempotency keys itself); today's revisions, starting on the platform's
branches, must take such a database as it is: no error for the tables it has, no row lost,
and a schema no different from a fresh database's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simpul_health.app import MIGRATIONS
from simpul_health.models import metadata
from simpul_platform.replica import replica_metadata
from simpul_platform.testing.migrations import upgrade_in_place

pytestmark = pytest.mark.integration
FROZEN = Path(__file__).parent / "frozen" / "migrations"


async def test_a_database_of_the_old_layout_upgrades_in_place(postgres_server: Any) -> None:
    outcome = await upgrade_in_place(
        FROZEN, MIGRATIONS, postgres_server, metadata, replica_metadata
    )
    assert set(outcome.rows_before) >= {"outbox", "inbox", "idempotency_keys", "posyandu_replica"}
    assert all(outcome.rows_before.values())
    assert outcome.rows_after == outcome.rows_before
    assert outcome.schema == outcome.fresh_schema
    assert outcome.drift == []
