"""A field service's posyandu replica, in its own database, follows the registry over Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from simpul_platform.auth import mint_token
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
from simpul_platform.testing.asgi import running_app
from simpul_registry.app import create_app
from simpul_registry.settings import RegistrySettings

pytestmark = pytest.mark.integration
DESA = "64.02.06.2012"
DOCUMENTS = {
    "sk_tp_number": "1/SK-TP/2025",
    "sk_tp_date": "2025-08-01",
    "sk_kepengurusan_number": "2/SK-KP/2025",
    "sk_kepengurusan_date": "2025-08-02",
    "rekap_number": "REKAP/3",
    "rekap_date": "2025-08-05",
}


def _registry_app(settings_factory, url):
    settings = settings_factory(RegistrySettings, database_url=url)
    return settings, create_app(settings)


async def _wait_for(db: Database, posyandu_id: str, predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        async with db.sessions() as session:
            row = await get_posyandu(session, posyandu_id)
        if row is not None and predicate(row):
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"replica never reached the expected state; last row: {row}")


async def test_replica_follows_a_posyandu_through_its_lifecycle(
    make_settings, postgres_url, postgres_server
):
    field_name = f"t_field_{uuid.uuid4().hex[:8]}"
    field_url = postgres_server.create_database(field_name)
    field_settings = make_settings(ServiceSettings, database_url=field_url, service_name="toy")
    field_db = Database(field_url)
    await field_db.create_all(replica_metadata)
    runner = ConsumerRunner(
        posyandu_replica_consumer("toy.posyandu-replica"), field_db, field_settings
    )
    consuming = asyncio.create_task(runner.run())
    settings, app = _registry_app(make_settings, postgres_url)
    dpmd = {"Authorization": "Bearer " + mint_token(settings, "dpmd", ["dpmd"], ["64.02"])}
    tp = {"Authorization": "Bearer " + mint_token(settings, "tp", ["tp:kecamatan"], ["64.02.06"])}
    try:
        async with running_app(app) as client:
            created = await client.post(
                "/v1/posyandu",
                headers=dpmd,
                json={"name": "Posyandu Mawar", "desa_code": DESA, "fields": ["health"]},
            )
            pid = created.json()["id"]
            row = await _wait_for(field_db, pid, lambda r: True)
            assert (row["name"], row["status"], row["fields"]) == (
                "Posyandu Mawar",
                "draft",
                "health",
            )
            assert (row["kecamatan_code"], row["kabupaten_code"]) == ("64.02.06", "64.02")
            async with field_db.sessions() as session:
                assert (await require_active_posyandu(session, pid))["desa_code"] == DESA

            steps = [
                ("submit", DOCUMENTS, dpmd),
                ("verify", {}, tp),
                ("register", {"registration_number": f"{DESA}.001"}, dpmd),
            ]
            for action, body, headers in steps:
                response = await client.post(
                    f"/v1/posyandu/{pid}/{action}", json=body, headers=headers
                )
                assert response.status_code == 200, response.text
            await client.patch(
                f"/v1/posyandu/{pid}",
                headers=dpmd,
                json={"name": "Posyandu Mawar Indah", "fields": ["health", "trantib"]},
            )
            row = await _wait_for(
                field_db,
                pid,
                lambda r: r["name"] == "Posyandu Mawar Indah" and r["fields"] == "health,trantib",
            )
            assert (row["status"], row["registration_number"]) == ("registered", f"{DESA}.001")

            await client.post(
                f"/v1/posyandu/{pid}/deactivate",
                headers=dpmd,
                json={"reason": "No activity for a year"},
            )
            await _wait_for(field_db, pid, lambda r: r["status"] == "inactive")
            async with field_db.sessions() as session:
                with pytest.raises(InvalidInput) as inactive:
                    await require_active_posyandu(session, pid)
                assert inactive.value.errors[0].model_dump()["rule"] == "posyandu_inactive"
                assert inactive.value.errors[0].field == "posyandu_id"
                with pytest.raises(InvalidInput) as unknown:
                    await require_active_posyandu(session, str(uuid.uuid4()))
                assert unknown.value.errors[0].rule == "unknown_posyandu"

            await client.post(f"/v1/posyandu/{pid}/reactivate", headers=dpmd, json={})
            row = await _wait_for(field_db, pid, lambda r: r["status"] == "registered")
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
        postgres_server.drop_database(field_name)


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
