"""The health service's table registry and the base class every table derives from."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

health_registry = registry()
metadata = health_registry.metadata


class HealthModel(SQLModel, registry=health_registry):
    pass
