"""Who reads a roster: DPMD the whole kabupaten, a kecamatan's Tim Pembina its own kader only
(totals and exports included), nobody else; rosters are found by kabupaten and year. And an
inactive posyandu holds no day from its deactivation on."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from registry_days_kit import appoint, attend, one_off, record
from registry_testkit import DOCUMENTS, SEBULU_DESA, TENGGARONG, TENGGARONG_DESA, Registry

from simpul_platform.clock import local_today

pytestmark = pytest.mark.integration
SEBULU = "64.02.07"


def tp_of(registry: Registry, kecamatan: str) -> dict[str, str]:
    return registry.auth(["tp:kecamatan"], [kecamatan], sub=f"tp-{kecamatan}")


async def registered(registry: Registry, name: str, desa: str, kecamatan: str) -> str:
    pid: str = (await registry.create(name, desa))["id"]
    steps = [
        ("submit", DOCUMENTS, registry.dpmd),
        ("verify", None, tp_of(registry, kecamatan)),
        ("register", {"registration_number": f"{desa}.001"}, registry.dpmd),
    ]
    for action, body, headers in steps:
        response = await registry.act(pid, action, body, headers)
        assert response.status_code == 200, response.text
    return pid


async def two_kecamatan_roster(registry: Registry) -> tuple[str, dict[str, str]]:
    """Kader 1 and 2 in Tenggarong, kader 3 in Sebulu, each present once in May."""
    mawar = await registered(registry, "Posyandu Mawar", TENGGARONG_DESA, TENGGARONG)
    kenanga = await registered(registry, "Posyandu Kenanga", SEBULU_DESA, SEBULU)
    kader = {
        "1": await appoint(registry, mawar, 1),
        "2": await appoint(registry, mawar, 2),
        "3": await appoint(registry, kenanga, 3),
    }
    for pid, people in ((mawar, ("1", "2")), (kenanga, ("3",))):
        await one_off(registry, pid, "2026-05-12")
        assert (await record(registry, pid, "2026-05-12")).status_code == 200
        items = [{"person_id": kader[k], "status": "present"} for k in people]
        assert (await attend(registry, pid, "2026-05-12", items)).status_code == 200
    body = {"kabupaten": "64.02", "month": "2026-05"}
    draft = await registry.client.post("/v1/incentive-rosters", json=body, headers=registry.dpmd)
    assert draft.status_code == 201, draft.text
    return draft.json()["id"], kader


async def test_registry_roster_read_by_kecamatan_is_its_own_part(registry: Registry) -> None:
    rid, kader = await two_kecamatan_roster(registry)
    url = f"/v1/incentive-rosters/{rid}"

    whole = (await registry.client.get(url, headers=registry.dpmd)).json()
    assert whole["wilayah"] == ["64.02"]
    assert {r["person_id"] for r in whole["rows"]} == set(kader.values())
    assert whole["totals"]["kader"] == 3 and whole["totals"]["included"] == 3

    part = await registry.client.get(url, headers=tp_of(registry, TENGGARONG))
    assert part.status_code == 200, part.text
    assert part.json()["wilayah"] == [TENGGARONG]
    assert {r["person_id"] for r in part.json()["rows"]} == {kader["1"], kader["2"]}
    assert part.json()["totals"] == {
        "kader": 2, "included": 2, "excluded": {}, "total_amount": 2 * 250_000
    }  # fmt: skip

    exported = await registry.client.get(f"{url}.csv", headers=tp_of(registry, SEBULU))
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["name"] for r in rows] == ["Kader Nomor 3"]
    assert [r["desa_code"] for r in rows] == [SEBULU_DESA]

    # Another kabupaten's Tim Pembina, and a kader, read nothing of it.
    elsewhere = await registry.client.get(url, headers=tp_of(registry, "64.03.01"))
    assert elsewhere.status_code == 403
    kader_token = registry.auth(["kader"], [TENGGARONG_DESA])
    assert (await registry.client.get(url, headers=kader_token)).status_code == 403
    assert (await registry.client.get(f"{url}.xlsx", headers=kader_token)).status_code == 403


async def test_registry_rosters_are_listed_by_kabupaten_and_year(registry: Registry) -> None:
    rid, _ = await two_kecamatan_roster(registry)
    listed = await registry.client.get(
        "/v1/incentive-rosters?kabupaten=64.02&year=2026", headers=tp_of(registry, TENGGARONG)
    )
    assert listed.status_code == 200, listed.text
    assert [(r["id"], r["month"], r["status"]) for r in listed.json()] == [
        (rid, "2026-05", "draft")
    ]
    other_year = await registry.client.get(
        "/v1/incentive-rosters?kabupaten=64.02&year=2025", headers=registry.dpmd
    )
    assert other_year.json() == []
    refused = await registry.client.get(
        "/v1/incentive-rosters?kabupaten=64.03", headers=tp_of(registry, TENGGARONG)
    )
    assert refused.status_code == 403
    unnamed = await registry.client.get("/v1/incentive-rosters", headers=registry.dpmd)
    assert unnamed.status_code == 422 and "kabupaten" in unnamed.text


async def test_registry_inactive_posyandu_holds_no_day_from_its_deactivation(
    registry: Registry,
) -> None:
    pid = await registered(registry, "Posyandu Mawar", TENGGARONG_DESA, TENGGARONG)
    kader = await appoint(registry, pid, 1)
    today = local_today(registry.settings)
    before, on = (today - timedelta(days=3)).isoformat(), today.isoformat()
    await one_off(registry, pid, before, on)
    deactivated = await registry.act(pid, "deactivate", {"reason": "Tidak ada kegiatan"})
    assert deactivated.status_code == 200, deactivated.text

    present = [{"person_id": kader, "status": "present"}]
    for refused in (await record(registry, pid, on), await attend(registry, pid, on, present)):
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["errors"][0]["field"] == "path.day"
        assert problem["errors"][0]["rule"] == "posyandu_inactive"
    # The days before it closed are still written late; a day not held is always recordable.
    assert (await record(registry, pid, before)).status_code == 200
    assert (await attend(registry, pid, before, present)).status_code == 200
    not_held = await record(registry, pid, on, held=False, reason="other")
    assert not_held.status_code == 200, not_held.text

    assert (await registry.act(pid, "reactivate")).status_code == 200
    assert (await record(registry, pid, on)).status_code == 200
    assert (await attend(registry, pid, on, present)).status_code == 200
