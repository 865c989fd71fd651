"""The models declare exactly the schema the migrations built (no migration is missing)."""

from __future__ import annotations

import pytest

from simpul_platform.migrations import schema_drift, upgrade
from simpul_registry.app import MIGRATIONS
from simpul_registry.models import metadata

pytestmark = pytest.mark.integration


async def test_migrations_and_models_declare_the_same_schema(postgres_url: str) -> None:
    """The status history built on the platform's StatusHistory columns is the migrated table."""
    await upgrade(MIGRATIONS, postgres_url)
    assert await schema_drift(postgres_url, metadata) == []
