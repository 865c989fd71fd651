"""The registry stand-in puts on the test's registry topic what the replica reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simpul_platform.db import Database
from simpul_platform.replica import (
    INACTIVE,
    REGISTRY_TOPIC,
    apply_posyandu_event,
    get_posyandu,
    replica_metadata,
)
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.peers import RegistryPeer

pytestmark = pytest.mark.integration
DESA = "64.02.06.2012"


async def test_registered_then_deactivated_reaches_a_replica_as_the_registry_would_send_it(
    make_settings: Callable[..., ServiceSettings], sqlite_url: str
) -> None:
    settings = make_settings(database_url=sqlite_url, service_name="field")
    async with RegistryPeer.running(settings) as registry:
        pid = await registry.register(DESA, name="Posyandu Mawar", fields=("health",))
        await registry.deactivate(pid)
    envelopes = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(REGISTRY_TOPIC), expected=3
    )
    assert [e.type for e in envelopes] == [
        "registry.posyandu.registered.v1",
        "registry.posyandu.status_changed.v1",
        "registry.posyandu.deactivated.v1",
    ]
    assert {(e.posyandu_id, e.wilayah, e.source) for e in envelopes} == {
        (pid, DESA, "/simpul/registry")
    }
    changed: dict[str, Any] = envelopes[1].data
    assert (changed["from_status"], changed["to_status"], changed["version"]) == (
        "registered",
        INACTIVE,
        2,
    )

    db = Database(sqlite_url)
    try:
        await db.create_all(replica_metadata)
        async with db.transaction() as session:
            for envelope in envelopes:
                await apply_posyandu_event(session, envelope)
        async with db.sessions() as session:
            row = await get_posyandu(session, pid)
    finally:
        await db.dispose()
    assert row is not None
    assert (row["name"], row["status"], row["fields"], row["kabupaten_code"]) == (
        "Posyandu Mawar",
        INACTIVE,
        "health",
        "64.02",
    )
