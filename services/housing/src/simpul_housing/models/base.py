"""The housing service's table base, on its own metadata (platform tables live beside it)."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

housing_registry = registry()
metadata = housing_registry.metadata


class HousingModel(SQLModel, registry=housing_registry):
    pass
