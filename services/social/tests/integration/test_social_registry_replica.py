"""The posyandu replica fed by the registry's events over the real broker (the registry's
stand-in announces them; that its events are what the registry sends is the workspace's
contract test's job)."""

from __future__ import annotations

from typing import Any

import pytest
from social_testkit import RAPAK_LAMBUR, Social

from simpul_platform.testing.peers import until_replicated

pytestmark = pytest.mark.integration


async def _household(social: Social, posyandu_id: str, kk: str) -> Any:
    return await social.client.post(
        "/v1/households",
        headers=social.opd,
        json={"kk": kk, "posyandu_id": posyandu_id, "address": "x"},
    )


async def test_posyandu_registered_in_the_registry_accepts_households(social: Social) -> None:
    registry = social.producers.registry
    posyandu_id = await registry.register(
        RAPAK_LAMBUR, name="Posyandu Melati", status="draft", fields=("health", "social")
    )
    row = await until_replicated(social.app.state.db, posyandu_id)
    assert (row["name"], row["desa_code"], row["status"]) == (
        "Posyandu Melati",
        RAPAK_LAMBUR,
        "draft",
    )
    created = await _household(social, posyandu_id, "6402061234560001")
    assert created.status_code == 201, created.text
    assert created.json()["desa_code"] == RAPAK_LAMBUR
    assert registry.asked == []  # the replica knew it: the registry was not asked


async def test_a_household_written_right_after_the_registry_announced_its_posyandu(
    social: Social,
) -> None:
    posyandu_id = await social.producers.registry.register(RAPAK_LAMBUR, status="draft")
    # Sent at once, before the replica may have the event: confirmed with the registry.
    created = await _household(social, posyandu_id, "6402061234560002")
    assert created.status_code == 201, created.text
    assert created.json()["desa_code"] == RAPAK_LAMBUR
    row = await until_replicated(social.app.state.db, posyandu_id)
    assert row["desa_code"] == RAPAK_LAMBUR
