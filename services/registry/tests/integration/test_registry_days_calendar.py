"""A posyandu's schedule, its calendar across month ends and holidays, the day's record and
its rules, the next open day, and the held event on Kafka."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from registry_days_kit import appoint, attend, pengurus, published, record
from registry_testkit import SEBULU_DESA, Registry

from simpul_platform import clock

pytestmark = pytest.mark.integration
SCHEDULE = {
    "rules": [{"week": 3, "weekday": "tuesday", "valid_from": "2026-01-01"}],
    "one_off": [{"day": "2026-01-22", "note": "Vitamin A"}],
    "cancelled": [{"day": "2026-03-17", "note": "Banjir"}],
}


def rules_of(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


async def test_schedule_rules_and_who_may_set_them(registry: Registry) -> None:
    p = await registry.create()
    url = f"/v1/posyandu/{p['id']}/schedule"
    fifth = await registry.client.put(
        url,
        headers=pengurus(registry),
        json={"rules": [{"week": 5, "weekday": "tuesday", "valid_from": "2026-01-01"}]},
    )
    assert fifth.status_code == 422
    assert rules_of(fifth) == [("body.rules[0].week", "week_of_month")]
    both = await registry.client.put(
        url,
        headers=registry.dpmd,
        json={"one_off": [{"day": "2026-02-02"}], "cancelled": [{"day": "2026-02-02"}]},
    )
    assert rules_of(both) == [("body.cancelled[0].day", "one_off_and_cancelled")]
    elsewhere = await registry.client.put(
        url, json=SCHEDULE, headers=pengurus(registry, SEBULU_DESA)
    )
    assert elsewhere.status_code == 403
    kader = await registry.client.put(
        url, json=SCHEDULE, headers=registry.auth(["kader:health"], ["64.02"])
    )
    assert kader.status_code == 403
    saved = await registry.client.put(url, json=SCHEDULE, headers=pengurus(registry))
    assert saved.status_code == 200, saved.text
    assert saved.json()["rules"] == [
        {"week": 3, "weekday": "tuesday", "valid_from": "2026-01-01", "valid_until": None}
    ]
    again = await registry.client.get(url, headers=registry.tp)
    assert again.json() == saved.json()


async def test_calendar_records_and_held_events(
    relayed_registry: Registry, kafka_broker: Any
) -> None:
    registry = relayed_registry
    p = await registry.create(fields=["health", "education"])
    pid = p["id"]
    put = await registry.client.put(
        f"/v1/posyandu/{pid}/schedule", json=SCHEDULE, headers=pengurus(registry)
    )
    assert put.status_code == 200
    serentak = await registry.client.post(
        "/v1/serentak-days", headers=registry.dpmd, json={"wilayah": "64.02", "day": "2026-03-12"}
    )
    assert serentak.status_code == 201, serentak.text
    twice = await registry.client.post(
        "/v1/serentak-days", headers=registry.dpmd, json={"wilayah": "64.02", "day": "2026-03-12"}
    )
    assert twice.status_code == 409
    other = await registry.client.post(
        "/v1/serentak-days", headers=registry.dpmd, json={"wilayah": "64.01", "day": "2026-03-12"}
    )
    assert other.status_code == 403
    by_pengurus = await registry.client.post(
        "/v1/serentak-days",
        headers=pengurus(registry),
        json={"wilayah": "64.02", "day": "2026-03-19"},
    )
    assert by_pengurus.status_code == 403

    days = await registry.client.get(
        f"/v1/posyandu/{pid}/days?from=2026-01-01&to=2026-03-31", headers=registry.tp
    )
    assert [(d["day"], d["kinds"], d["planned_on"]) for d in days.json()["days"]] == [
        ("2026-01-20", ["recurring"], None),
        ("2026-01-22", ["one_off"], None),
        ("2026-02-18", ["recurring"], "2026-02-17"),  # Imlek: moved to the next working day
        ("2026-03-12", ["serentak"], None),  # 17 March is cancelled
    ]

    async def refused(day: str, **kwargs: Any) -> list[tuple[str, str]]:
        response = await record(registry, pid, day, **kwargs)
        assert response.status_code == 422, response.text
        return rules_of(response)

    tomorrow = (clock.local_today(registry.settings) + timedelta(days=1)).isoformat()
    assert await refused(tomorrow) == [("path.day", "not_in_future")]
    assert await refused("2026-03-17") == [("path.day", "day_cancelled")]
    assert await refused("2026-02-18", fields=[]) == [("body.fields", "fields_required")]
    assert await refused("2026-02-18", fields=["trantib"]) == [("body.fields[0]", "field_not_run")]
    assert await refused("2026-02-18", held=False) == [("body.reason", "reason_required")]
    assert await refused("2026-02-18", held=False, reason="weather", fields=["health"]) == [
        ("body.fields", "fields_not_allowed")
    ]
    future_closed = await record(registry, pid, tomorrow, held=False, reason="disaster")
    assert future_closed.status_code == 200  # announcing a day will not open is allowed

    held = await record(
        registry, pid, "2026-02-18", fields=["health", "education"], headers=pengurus(registry)
    )
    assert held.status_code == 200, held.text
    assert held.json()["record"]["fields"] == ["health", "education"]
    assert held.json()["record"]["recorded_by"] == "pengurus-64.02.06.2012"
    same = await record(registry, pid, "2026-02-18", fields=["health", "education"])
    assert same.status_code == 200  # nothing new: no second event
    off = await record(registry, pid, "2026-02-25", held=False, reason="weather")
    assert off.json()["kinds"] == ["one_off"] and off.json()["record"]["reason"] == "weather"

    after = await registry.client.get(
        f"/v1/posyandu/{pid}/next-open-day?after=2026-02-18", headers=registry.tp
    )
    assert after.json()["day"] == "2026-03-12"  # 25 Feb did not open; 17 Mar is cancelled
    cancel_recorded = await registry.client.put(
        f"/v1/posyandu/{pid}/schedule",
        headers=registry.dpmd,
        json={**SCHEDULE, "cancelled": [{"day": "2026-02-18"}]},
    )
    assert rules_of(cancel_recorded) == [("body.cancelled[0].day", "day_recorded")]

    kader = [await appoint(registry, pid, n) for n in (1, 2)]
    came = await attend(
        registry,
        pid,
        "2026-02-18",
        [
            {"person_id": kader[0], "status": "present"},
            {"person_id": kader[1], "status": "present"},
        ],
    )
    assert came.json()["recorded"] == 2

    events = [
        e
        for e in await published(registry, kafka_broker.bootstrap_servers)
        if e.type == "registry.posyandu_day.held.v1"
    ]
    assert [e.data for e in events] == [
        {
            "posyandu_id": pid,
            "desa_code": p["desa_code"],
            "day": "2026-02-18",
            "fields": ["health", "education"],
            "kader_present": count,
            "serentak": False,
        }
        for count in (0, 2)
    ]  # recorded before the attendance: the count follows it
    assert {(e.posyandu_id, e.wilayah) for e in events} == {(pid, p["desa_code"])}
    raw = repr([(e.data, e.subject, e.extra) for e in events])
    assert "Kader Nomor" not in raw and "640206" not in raw
