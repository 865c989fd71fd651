"""The producer stand-ins: a consumer's view sent as its producer would send it, and the
registry's, which puts on the test's registry topic what the replica reads and answers the
registry's read route from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI

from simpul_platform.db import Database
from simpul_platform.events import TolerantPayload
from simpul_platform.replica import (
    INACTIVE,
    REGISTRY_TOPIC,
    apply_posyandu_event,
    get_posyandu,
    replica_metadata,
)
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.peers import Peer, RegistryPeer

pytestmark = pytest.mark.integration
DESA = "64.02.06.2012"


class Weighed(TolerantPayload):
    """A consumer's view of a producer's event, reading only part of it."""

    event_type = "toy.child.weighed.v1"
    topic = "simpul.toy.v1"
    posyandu_id: str
    desa_code: str
    weighed_on: date


class Recovered(TolerantPayload):
    """A view that does not read the posyandu its event is keyed by."""

    event_type = "toy.child.recovered.v1"
    topic = "simpul.toy.v1"
    episode_id: str


async def test_a_view_travels_keyed_and_placed_as_its_producer_sends_it_and_again_by_id(
    make_settings: Callable[..., ServiceSettings],
) -> None:
    settings = make_settings(service_name="field")
    async with Peer.running(settings, "toy") as toy:
        weighed = await toy.send(
            Weighed(posyandu_id="p-1", desa_code=DESA, weighed_on=date(2026, 3, 1)),
            extra={"weight_kg": 9.5},
        )
        recovered = await toy.send(Recovered(episode_id="e-1"), posyandu_id="p-1", wilayah=DESA)
        await toy.redeliver(weighed)
    envelopes = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic("simpul.toy.v1"), expected=3
    )
    assert [e.id for e in envelopes] == [weighed.id, recovered.id, weighed.id]
    assert [e.type for e in envelopes[:2]] == [Weighed.event_type, Recovered.event_type]
    assert {(e.posyandu_id, e.wilayah, e.source) for e in envelopes} == {
        ("p-1", DESA, "/simpul/toy")
    }
    assert envelopes[0].data == {
        "posyandu_id": "p-1",
        "desa_code": DESA,
        "weighed_on": "2026-03-01",
        "weight_kg": 9.5,
    }


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


async def test_the_registry_read_answers_what_was_announced_last(
    make_settings: Callable[..., ServiceSettings],
) -> None:
    settings = make_settings(service_name="field")
    app = FastAPI()
    app.state.settings = settings
    async with RegistryPeer.running(settings) as registry:
        registry.answer(app)
        pid = await registry.register(DESA, name="Posyandu Mawar", status="draft")
        await registry.update(pid, name="Posyandu Mawar Indah", fields=["health"])
        changed = await registry.change_status(pid, "submitted", action="submit")
        record = await app.state.registry.posyandu(pid, "Bearer any")
        assert await app.state.registry.posyandu("no-such-posyandu", "Bearer any") is None
        await app.state.registry.aclose()
    assert record is not None
    assert (record["id"], record["name"], record["status"], record["fields"]) == (
        pid,
        "Posyandu Mawar Indah",
        "submitted",
        ["health"],
    )
    assert record["version"] == 3 and record["updated_at"] == changed.time.isoformat()
    assert registry.asked == [pid, "no-such-posyandu"]
    envelopes = await read_envelopes(
        settings.kafka_bootstrap_servers, settings.topic(REGISTRY_TOPIC), expected=4
    )
    assert [e.type for e in envelopes] == [
        "registry.posyandu.registered.v1",
        "registry.posyandu.updated.v1",
        "registry.posyandu.fields_changed.v1",
        "registry.posyandu.status_changed.v1",
    ]
    assert envelopes[1].data["changed"] == ["name"]
    assert (envelopes[2].data["added"], envelopes[2].data["removed"]) == ([], ["social"])
    assert [e.data["version"] for e in envelopes] == [1, 2, 2, 3]
