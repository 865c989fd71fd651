"""API bodies and responses, one module per router in ``api/``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """A response read from a row's attributes."""

    model_config = ConfigDict(from_attributes=True)
