"""Calls the end-to-end tests share."""

from __future__ import annotations

from typing import Any

import httpx


async def post_created(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """A write right after the registry's 201: the field service confirms a posyandu its
    replica has not heard of yet with the registry, so there is nothing to wait for."""
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
