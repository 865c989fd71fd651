"""A field service's posyandu replica, in its own database, follows the registry over Kafka
(the registry's test peer announces its lifecycle as the registry would; that those are the
registry's events is the workspace's contract test's job)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from simpul_platform.consumer import ConsumerRunner
from simpul_platform.db import Database
from simpul_platform.errors import InvalidInput
from simpul_platform.replica import (
    apply_posyandu_event,
    get_posyandu,
    posyandu_replica_consumer,
    replica_metadata,
    require_active_posyandu,
)
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.peers import RegistryPeer, until_replicated

pytestmark = pytest.mark.integration
DESA = "64.02.06.2012"


async def test_replica_follows_a_posyandu_through_its_lifecycle(make_settings, postgres_url):
    field_settings = make_settings(ServiceSettings, database_url=postgres_url, service_name="toy")
    field_db = Database(postgres_url)
    await field_db.create_all(replica_metadata)
    runner = ConsumerRunner(
        posyandu_replica_consumer("toy.posyandu-replica"), field_db, field_settings
    )
    consuming = asyncio.create_task(runner.run())
    try:
        async with RegistryPeer.running(field_settings) as registry:
            pid = await registry.register(
                DESA, name="Posyandu Mawar", status="draft", fields=("health",)
            )
            row = await until_replicated(field_db, pid)
            assert (row["name"], row["status"], row["fields"]) == (
                "Posyandu Mawar",
                "draft",
                "health",
            )
            assert (row["kecamatan_code"], row["kabupaten_code"]) == ("64.02.06", "64.02")
            async with field_db.sessions() as session:
                assert (await require_active_posyandu(session, pid))["desa_code"] == DESA

            await registry.change_status(pid, "submitted", action="submit")
            await registry.change_status(pid, "verified", action="verify")
            await registry.change_status(
                pid, "registered", action="register", registration_number=f"{DESA}.001"
            )
            await registry.update(pid, name="Posyandu Mawar Indah", fields=["health", "trantib"])
            row = await until_replicated(
                field_db,
                pid,
                lambda r: r["name"] == "Posyandu Mawar Indah" and r["fields"] == "health,trantib",
            )
            assert (row["status"], row["registration_number"]) == ("registered", f"{DESA}.001")

            await registry.deactivate(pid)
            await until_replicated(field_db, pid, lambda r: r["status"] == "inactive")
            async with field_db.sessions() as session:
                with pytest.raises(InvalidInput) as inactive:
                    await require_active_posyandu(session, pid)
                assert inactive.value.errors[0].model_dump()["rule"] == "posyandu_inactive"
                assert inactive.value.errors[0].field == "posyandu_id"
                with pytest.raises(InvalidInput) as unknown:
                    await require_active_posyandu(session, str(uuid.uuid4()))
                assert unknown.value.errors[0].rule == "unknown_posyandu"

            await registry.change_status(pid, "registered", action="reactivate")
            row = await until_replicated(field_db, pid, lambda r: r["status"] == "registered")
            assert runner.dead_lettered == 0

            # A replayed, older event changes nothing: the stored one is newer.
            stale_time = row["last_event_at"] - timedelta(minutes=5)
            stale = _stale_envelope(pid, stale_time)
            async with field_db.transaction() as session:
                await apply_posyandu_event(session, stale)
            async with field_db.sessions() as session:
                after = await get_posyandu(session, pid)
            assert after is not None and after["status"] == "registered"
            assert after["last_event_id"] == row["last_event_id"]
    finally:
        consuming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consuming
        await field_db.dispose()


def _stale_envelope(pid: str, when):
    from simpul_platform.events import Envelope

    base = Envelope(
        id=str(uuid.uuid4()),
        type="registry.posyandu.status_changed.v1",
        source="/simpul/registry",
        time=when,
        data={},
    )
    return replace(
        base,
        data={
            "posyandu_id": pid,
            "name": "Old name",
            "desa_code": DESA,
            "status": "draft",
            "fields": ["health"],
            "version": 1,
            "something_new": True,
        },
    )
