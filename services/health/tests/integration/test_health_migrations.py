"""Health's database from before the platform migrated its own tables upgrades in place.

``frozen/migrations`` is health's revisions as they were then (their initial one creating the
outbox, inbox, idempotency keys and posyandu replica itself); simpul_platform.testing.migrations
builds a database with them, upgrades it with today's and compares it with a fresh one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simpul_health.app import MIGRATIONS
from simpul_health.models import metadata
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_platform.testing.migrations import upgrade_in_place

pytestmark = pytest.mark.integration
FROZEN = Path(__file__).parent / "frozen" / "migrations"


async def test_a_database_of_the_old_layout_upgrades_in_place(postgres_server: Any) -> None:
    outcome = await upgrade_in_place(
        FROZEN, MIGRATIONS, postgres_server, metadata, replica_metadata, referral_metadata
    )
    assert set(outcome.rows_before) == {"outbox", "inbox", "idempotency_keys", "posyandu_replica"}
    assert outcome.differences() == []
