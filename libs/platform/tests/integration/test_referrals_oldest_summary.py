"""The referral summary's ``oldest_open`` on PostgreSQL: a field's open referrals (requested or
accepted, overdue or not) in the asked wilayah and direction, the earliest requested first,
at most ``limit``; the counts and the overdue list stay as they were.

The rows are written straight into the platform's ``referral`` table (the summary only reads
it), then read through the routes a field service mounts, as DPMD and as a kecamatan user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.referrals.api import ReferralAccess, referral_router
from simpul_platform.referrals.domain import OPEN
from simpul_platform.referrals.tables import referral, referral_metadata
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app

pytestmark = pytest.mark.integration

TENGGARONG, SEBULU = "64.02.06", "64.02.07"
# (id, direction, desa, status, days since requested): due five days after the request, so
# those requested more than five days ago and still open are overdue.
ROWS = [
    ("r-a", "incoming", f"{TENGGARONG}.2001", "requested", 30),
    ("r-b", "incoming", f"{SEBULU}.2001", "accepted", 30),  # same day as r-a: by id
    ("r-c", "incoming", f"{TENGGARONG}.2002", "resolved", 40),  # older, but closed
    ("r-d", "incoming", f"{TENGGARONG}.2001", "rejected", 35),  # older, but closed
    ("r-e", "incoming", f"{SEBULU}.2002", "requested", 20),
    ("r-f", "incoming", f"{TENGGARONG}.2002", "accepted", 2),  # open, not yet due
    ("r-g", "outgoing", f"{TENGGARONG}.2001", "requested", 50),  # sent, not owned
    ("r-h", "incoming", "64.03.01.2001", "requested", 60),  # another kabupaten
    ("r-i", "incoming", f"{TENGGARONG}.2001", "requested", 0),  # today
]


def _row(id: str, direction: str, desa: str, status: str, age: int, today: date) -> dict[str, Any]:
    requested = today - timedelta(days=age)
    now = datetime.now(UTC)
    return {
        "id": id,
        "direction": direction,
        "source_field": "health" if direction == "incoming" else "social",
        "target_field": "social" if direction == "incoming" else "health",
        "automatic": False,
        "posyandu_id": f"pos-{desa}",
        "desa_code": desa,
        "kecamatan_code": desa.rsplit(".", 1)[0],
        "reason_code": "bansos_need",
        "details": {},
        "need_key": f"need-{id}",
        "status": status,
        "requested_on": requested,
        "due_on": requested + timedelta(days=5),
        "accepted_on": requested if status == "accepted" else None,
        "rejected_on": requested if status == "rejected" else None,
        "resolved_on": requested if status == "resolved" else None,
        "rejection_code": "not_our_field" if status == "rejected" else None,
        "outcome_code": "bansos_granted" if status == "resolved" else None,
        "requested_by": "kader-1",
        "created_at": now,
        "updated_at": now,
    }


@pytest.fixture
async def service(
    make_settings: Any, postgres_url: str
) -> AsyncIterator[tuple[ServiceSettings, httpx.AsyncClient]]:
    settings = make_settings(
        ServiceSettings, service_name="social", database_url=postgres_url, consumers_enabled=False
    )
    app = create_service_app(
        ServiceSpec(
            settings=settings,
            title="Referrals",
            description="the platform's referral routes alone",
            metadata=[referral_metadata],
            routers=[referral_router(ReferralAccess("social", ("opd:social",)))],
        )
    )
    async with running_app(app) as client:
        today = local_today(settings)
        async with app.state.db.transaction() as session:
            await session.execute(insert(referral), [_row(*r, today) for r in ROWS])
        yield settings, client


async def _summary(
    service: tuple[ServiceSettings, httpx.AsyncClient], roles: list[str], scope: str, **params: Any
) -> dict[str, Any]:
    settings, client = service
    token = mint_token(settings, "reader", roles, [scope])
    response = await client.get(
        "/v1/referrals/summary", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(briefs: list[dict[str, Any]]) -> list[str]:
    return [b["id"] for b in briefs]


async def test_the_open_ones_of_the_wilayah_earliest_requested_first(service):
    body = await _summary(service, ["dpmd"], "64.02", wilayah="64.02")
    # Closed ones (r-c, r-d), the sent one (r-g) and another kabupaten's (r-h) are left out.
    assert _ids(body["oldest_open"]) == ["r-a", "r-b", "r-e", "r-f", "r-i"]
    assert {b["status"] for b in body["oldest_open"]} == set(OPEN)
    requested = [b["requested_on"] for b in body["oldest_open"]]
    assert requested == sorted(requested)
    assert [b["overdue"] for b in body["oldest_open"]] == [True, True, True, False, False]
    # As many as the counts say are open; the existing fields are what they were.
    assert len(body["oldest_open"]) == body["totals"]["open"] == 5
    assert _ids(body["overdue"]) == ["r-a", "r-b", "r-e"]
    assert body["totals"]["overdue"] == 3 and body["totals"]["total"] == 7


async def test_the_limit_keeps_the_oldest(service):
    two = await _summary(service, ["dpmd"], "64.02", wilayah="64.02", limit=2)
    assert _ids(two["oldest_open"]) == ["r-a", "r-b"]
    assert _ids(two["overdue"]) == ["r-a", "r-b"]
    none = await _summary(service, ["dpmd"], "64.02", wilayah="64.02", limit=0)
    assert none["oldest_open"] == [] and none["totals"]["open"] == 5


async def test_a_wilayah_asked_or_held_narrows_the_list(service):
    sebulu = await _summary(service, ["dpmd"], "64.02", wilayah=SEBULU)
    assert _ids(sebulu["oldest_open"]) == ["r-b", "r-e"]
    # A kecamatan user asking nothing sees their own kecamatan only.
    tenggarong = await _summary(service, ["tp:kecamatan"], TENGGARONG)
    assert _ids(tenggarong["oldest_open"]) == ["r-a", "r-f", "r-i"]
    assert all(b["desa_code"].startswith(f"{TENGGARONG}.") for b in tenggarong["oldest_open"])


async def test_the_outgoing_direction_lists_the_sent_ones(service):
    sent = await _summary(service, ["dpmd"], "64.02", wilayah="64.02", direction="outgoing")
    assert _ids(sent["oldest_open"]) == ["r-g"]
    assert sent["oldest_open"][0]["direction"] == "outgoing"
