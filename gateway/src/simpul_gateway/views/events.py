"""The AsyncAPI catalogue for subscribers of Simpul's topics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from simpul_gateway.catalogue import catalogue

router = APIRouter(prefix="/v1", tags=["events"])


@router.get("/events/asyncapi.json", response_model=dict[str, Any], operation_id="getAsyncApi")
async def asyncapi() -> dict[str, Any]:
    """Every topic and event type, with payload schemas and CloudEvents headers (AsyncAPI 3)."""
    return catalogue()
