"""The registry's database from before the platform migrated its own tables upgrades in place.

``frozen/migrations`` is the registry's one revision as it was then, outbox, inbox and
idempotency keys included. The registry keeps no posyandu replica, so it must not get one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simpul_platform.testing.migrations import upgrade_in_place
from simpul_registry.app import MIGRATIONS
from simpul_registry.models import metadata

pytestmark = pytest.mark.integration
FROZEN = Path(__file__).parent / "frozen" / "migrations"


async def test_a_database_of_the_old_layout_upgrades_in_place(postgres_server: Any) -> None:
    outcome = await upgrade_in_place(FROZEN, MIGRATIONS, postgres_server, metadata)
    assert set(outcome.rows_before) == {"outbox", "inbox", "idempotency_keys"}  # no replica
    assert outcome.differences() == []
