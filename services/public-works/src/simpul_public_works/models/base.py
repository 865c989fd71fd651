"""The public-works service's table base, on its own metadata (platform tables live beside it)."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

public_works_registry = registry()
metadata = public_works_registry.metadata


class PublicWorksModel(SQLModel, registry=public_works_registry):
    pass
