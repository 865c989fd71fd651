"""Kader attendance in bulk answered row by row, and the inactivity flag at exactly three
months, published once per transition (pseudonyms only), never removing anyone."""

from __future__ import annotations

from typing import Any

import pytest
from registry_days_kit import appoint, attend, nik, one_off, pengurus, published, record
from registry_testkit import Registry

from simpul_platform.pseudonym import person_ref

pytestmark = pytest.mark.integration


async def test_attendance_in_bulk_with_bad_rows(registry: Registry) -> None:
    p = await registry.create()
    pid = p["id"]
    await one_off(registry, pid, "2026-02-10", "2026-02-24")
    first, second = await appoint(registry, pid, 1), await appoint(registry, pid, 2)
    ketua = await appoint(registry, pid, 3, role="ketua", field=None)
    gone = await appoint(registry, pid, 4, end="2026-02-01")
    late = await appoint(registry, pid, 5, start="2026-03-01")
    elsewhere = await appoint(registry, (await registry.create("Posyandu Melati"))["id"], 6)
    answer = await attend(
        registry,
        pid,
        "2026-02-10",
        [
            {"person_id": first, "status": "present"},
            {"person_id": second, "status": "excused"},
            {"person_id": ketua, "status": "present"},
            {"person_id": gone, "status": "present"},
            {"person_id": late, "status": "present"},
            {"person_id": elsewhere, "status": "present"},
            {"person_id": second, "status": "absent"},
            {"person_id": first, "status": "late"},
        ],
        headers=pengurus(registry),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["recorded"], body["errors"]) == (2, 6)
    assert [
        (r["status"], r.get("attendance"), [(e["field"], e["rule"]) for e in r["errors"]])
        for r in body["results"]
    ] == [
        ("recorded", "present", []),
        ("recorded", "excused", []),
        ("error", None, [("body.items[2].person_id", "not_a_kader")]),
        ("error", None, [("body.items[3].person_id", "ended_before_day")]),
        ("error", None, [("body.items[4].person_id", "not_yet_started")]),
        ("error", None, [("body.items[5].person_id", "not_a_kader")]),
        ("error", None, [("body.items[6].person_id", "duplicate_in_batch")]),
        ("error", None, [("body.items[7].status", "literal_error")]),
    ]
    # A second send replaces a kader's row: the day then has one present, one absent.
    again = await attend(registry, pid, "2026-02-10", [{"person_id": second, "status": "absent"}])
    assert again.json()["recorded"] == 1
    days = await registry.client.get(
        f"/v1/posyandu/{pid}/days?from=2026-02-01&to=2026-02-28", headers=registry.dpmd
    )
    assert [d["record"] for d in days.json()["days"]] == [None, None]
    held = await record(registry, pid, "2026-02-10")
    assert held.json()["record"]["kader_present"] == 1

    off_calendar = await attend(
        registry, pid, "2026-02-11", [{"person_id": first, "status": "present"}]
    )
    assert off_calendar.json()["errors"][0]["rule"] == "not_an_open_day"
    await record(registry, pid, "2026-02-24", held=False, reason="no_health_worker")
    not_held = await attend(
        registry, pid, "2026-02-24", [{"person_id": first, "status": "present"}]
    )
    assert not_held.json()["errors"][0]["rule"] == "day_not_held"


async def test_inactive_at_exactly_three_months_published_once(
    relayed_registry: Registry, kafka_broker: Any
) -> None:
    registry = relayed_registry
    p = await registry.create()
    pid = p["id"]
    await one_off(registry, pid, "2026-01-15", "2026-03-10", "2026-04-20")
    sari = await appoint(registry, pid, 1, start="2025-12-01")
    budi = await appoint(registry, pid, 2, start="2026-01-01")
    newcomer = await appoint(registry, pid, 3, start="2026-02-01")  # never attends
    for day in ("2026-01-15", "2026-03-10"):
        await record(registry, pid, day)
    await attend(
        registry,
        pid,
        "2026-01-15",
        [{"person_id": sari, "status": "present"}, {"person_id": budi, "status": "present"}],
    )
    await attend(
        registry,
        pid,
        "2026-03-10",
        [{"person_id": sari, "status": "absent"}, {"person_id": budi, "status": "present"}],
    )

    async def check(on: str) -> dict[str, Any]:
        response = await registry.client.post(
            f"/v1/kader/inactivity-check?on={on}", headers=registry.dpmd
        )
        assert response.status_code == 200, response.text
        out: dict[str, Any] = response.json()
        return out

    before = await check("2026-04-14")  # three months less a day since 15 January
    assert (before["checked"], before["inactive"], before["became_inactive"]) == (3, 0, 0)
    at = await check("2026-04-15")
    assert (at["inactive"], at["became_inactive"], at["active_again"]) == (1, 1, 0)
    assert (await check("2026-04-15"))["became_inactive"] == 0  # once per transition
    activity = await registry.client.get(
        f"/v1/posyandu/{pid}/kader-activity?on=2026-04-15", headers=registry.tp
    )
    assert [
        (a["person_id"], a["last_present_on"], a["inactive_from"], a["inactive"])
        for a in activity.json()
    ] == sorted(
        [
            (sari, "2026-01-15", "2026-04-15", True),
            (budi, "2026-03-10", "2026-06-10", False),
            (newcomer, None, "2026-05-01", False),  # a newcomer's three months run from the start
        ]
    )
    at_start = await check("2026-05-01")
    assert at_start["became_inactive"] == 1  # the newcomer, on the day three months after

    await record(registry, pid, "2026-04-20")
    await attend(registry, pid, "2026-04-20", [{"person_id": sari, "status": "present"}])
    back = await check("2026-05-02")
    assert (back["became_inactive"], back["active_again"]) == (0, 1)
    assert (await check("2026-05-02"))["active_again"] == 0
    people = await registry.client.get(f"/v1/posyandu/{pid}/people", headers=registry.dpmd)
    assert all(x["active"] for x in people.json())  # flagged, never removed
    future = await registry.client.post(
        "/v1/kader/inactivity-check?on=2999-01-01", headers=registry.dpmd
    )
    assert future.json()["errors"][0] == {
        "field": "query.on",
        "rule": "not_in_future",
        "message": future.json()["errors"][0]["message"],
    }
    not_dpmd = await registry.client.post("/v1/kader/inactivity-check", headers=pengurus(registry))
    assert not_dpmd.status_code == 403

    events = await published(registry, kafka_broker.bootstrap_servers)
    activity_events = [
        e
        for e in events
        if e.type.startswith("registry.kader.")
        and e.type.split(".")[2] in ("inactive", "active_again")
    ]
    secret = registry.settings.pseudonym_secret
    assert [(e.type, e.data) for e in activity_events] == [
        (
            "registry.kader.inactive.v1",
            {
                "posyandu_id": pid,
                "person_ref": person_ref(secret, nik(1)),
                "field": "health",
                "last_present_on": "2026-01-15",
                "inactive_since": "2026-04-15",
            },
        ),
        (
            "registry.kader.inactive.v1",
            {
                "posyandu_id": pid,
                "person_ref": person_ref(secret, nik(3)),
                "field": "health",
                "last_present_on": None,
                "inactive_since": "2026-05-01",
            },
        ),
        (
            "registry.kader.active_again.v1",
            {
                "posyandu_id": pid,
                "person_ref": person_ref(secret, nik(1)),
                "field": "health",
                "last_present_on": "2026-04-20",
            },
        ),
    ]
    assert {e.wilayah for e in activity_events} == {p["desa_code"]}
    raw = repr([(e.data, e.subject, e.extra) for e in activity_events])
    assert all(text not in raw for text in (nik(1), nik(3), "Kader Nomor"))
