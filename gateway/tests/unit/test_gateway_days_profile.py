"""The posyandu profile's days section, read from the registry's REST API (scripted here):
the next open day after today and the last held day up to today with its kader present ÷
kader appointed on it and the fields it served. A posyandu without schedule or record shows
nulls; a registry call not answered leaves the section empty with its status, and the rest of
the profile still answers."""

from __future__ import annotations

from typing import Any

import pytest
from test_gateway_education import DPMD, POSYANDU, SETTINGS, Scripted, gateway, world

from simpul_gateway.registry_client import LOOK_BACK
from simpul_gateway.upstream import Answer, Status
from simpul_platform.clock import local_today

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared

BASE = f"/v1/posyandu/{POSYANDU}"
NEXT, DAYS, KADER = f"{BASE}/next-open-day", f"{BASE}/days", f"{BASE}/kader-activity"


def record(held: bool, fields: list[str], present: int, reason: str | None = None) -> dict:
    return {
        "held": held,
        "reason": reason,
        "fields": fields,
        "note": None,
        "kader_present": present,
        "recorded_by": "kader-1",
        "updated_by": "kader-1",
    }


def day(on: str, rec: dict[str, Any] | None) -> dict[str, Any]:
    return {"day": on, "kinds": ["recurring"], "planned_on": None, "holiday": False, "record": rec}


def kader(n: int) -> list[dict[str, Any]]:
    return [
        {
            "person_id": f"k-{i}",
            "person_ref": f"ref-{i}",
            "field": "health",
            "last_present_on": None,
            "inactive_from": "2026-09-01",
            "inactive": False,
        }
        for i in range(n)
    ]


# Held on 12 May (2 of 5) and 9 June (4 of 5, health and education); 14 July not held (a
# flood); 21 July planned, not yet recorded. The last held day is 9 June, whatever the order.
CALENDAR = {
    "posyandu_id": POSYANDU,
    "start": "2025-06-25",
    "end": "2026-07-30",
    "days": [
        day("2026-06-09", record(True, ["health", "education"], 4)),
        day("2026-05-12", record(True, ["health"], 2)),
        day("2026-07-14", record(False, [], 0, reason="disaster")),
        day("2026-07-21", None),
    ],
}
NEXT_DAY = {"posyandu_id": POSYANDU, "after": "2026-07-30", "day": "2026-08-11"}


async def profile(gateway: Any, registry: dict[str, Any]) -> tuple[dict[str, Any], Scripted]:
    app, client = gateway
    ups = world(None)
    scripted: Scripted = ups.registry  # type: ignore[assignment]
    assert scripted.replies is not None
    scripted.replies.update(registry)
    app.state.upstreams = ups
    response = await client.get(f"{BASE}/profile", headers=DPMD)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, scripted


async def test_gateway_days_profile_shows_the_next_open_day_and_the_last_held_days_attendance(
    gateway,
):
    body, registry = await profile(gateway, {NEXT: NEXT_DAY, DAYS: CALENDAR, KADER: kader(5)})
    assert body["days"] == {
        "status": "ok",
        "detail": None,
        "next_open_day": "2026-08-11",
        "last_held_day": {
            "day": "2026-06-09",
            "kader_present": 4,
            "kader_expected": 5,
            "percent": 80.0,
            "fields": ["health", "education"],
        },
    }
    today = local_today(SETTINGS)
    asked = [(path, params) for path, params in registry.asked if path in (NEXT, DAYS, KADER)]
    assert sorted(asked, key=lambda a: a[0]) == [
        (DAYS, {"from": (today - LOOK_BACK).isoformat(), "to": today.isoformat()}),
        (KADER, {"on": "2026-06-09"}),  # the kader appointed on the day, not today's
        (NEXT, {"after": today.isoformat()}),
    ]
    assert body["staffing"]["status"] == "ok"  # the rest of the profile as before


async def test_gateway_days_a_posyandu_without_schedule_or_record_shows_nulls(gateway):
    empty = {"posyandu_id": POSYANDU, "start": "2025-06-25", "end": "2026-07-30", "days": []}
    body, registry = await profile(
        gateway, {NEXT: {**NEXT_DAY, "day": None}, DAYS: empty, KADER: kader(5)}
    )
    assert body["days"] == {
        "status": "ok",
        "detail": None,
        "next_open_day": None,
        "last_held_day": None,
    }
    assert KADER not in [path for path, _ in registry.asked]  # no held day: nobody to expect


async def test_gateway_days_only_days_not_held_leave_no_last_held_day(gateway):
    not_held = {**CALENDAR, "days": [day("2026-07-14", record(False, [], 0, reason="disaster"))]}
    body, _ = await profile(gateway, {NEXT: NEXT_DAY, DAYS: not_held})
    assert (body["days"]["status"], body["days"]["next_open_day"]) == ("ok", "2026-08-11")
    assert body["days"]["last_held_day"] is None


async def test_gateway_days_a_held_day_without_kader_expected_has_no_percent(gateway):
    held = {**CALENDAR, "days": [day("2026-06-09", record(True, ["health"], 0))]}
    body, _ = await profile(gateway, {NEXT: NEXT_DAY, DAYS: held, KADER: []})
    assert body["days"]["last_held_day"] == {
        "day": "2026-06-09",
        "kader_present": 0,
        "kader_expected": 0,
        "percent": None,
        "fields": ["health"],
    }


@pytest.mark.parametrize(
    ("failing", "status"),
    [
        (DAYS, "unavailable"),
        (NEXT, "timeout"),
        (KADER, "unavailable"),  # the day is known but not its expected kader: none shown
    ],
)
async def test_gateway_days_a_registry_call_not_answered_gives_the_sections_status(
    gateway, failing, status
):
    replies: dict[str, Any] = {NEXT: NEXT_DAY, DAYS: CALENDAR, KADER: kader(5)}
    replies[failing] = Answer(Status(status), detail=f"registry: {status}")
    body, _ = await profile(gateway, replies)
    assert body["days"] == {
        "status": status,
        "detail": f"registry: {status}",
        "next_open_day": None,
        "last_held_day": None,
    }
    assert body["posyandu"]["id"] == POSYANDU and body["staffing"]["status"] == "ok"


async def test_gateway_days_a_registry_without_days_routes_is_not_found_not_a_failure(gateway):
    body, _ = await profile(gateway, {})  # an older registry: its days paths answer 404
    assert body["days"]["status"] == "not_found"
    assert (body["days"]["next_open_day"], body["days"]["last_held_day"]) == (None, None)


async def test_gateway_days_a_shape_the_gateway_cannot_read_is_unavailable(gateway):
    body, _ = await profile(gateway, {NEXT: NEXT_DAY, DAYS: {"days": [{"when": "soon"}]}})
    assert body["days"]["status"] == "unavailable"
    assert "cannot read" in body["days"]["detail"]
    assert body["days"]["last_held_day"] is None
