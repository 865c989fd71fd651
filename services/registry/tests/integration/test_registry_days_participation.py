"""Kader participation counted in SQL equals a hand count: per posyandu, desa, kecamatan and
kabupaten, for a serentak day and for a period."""

from __future__ import annotations

from typing import Any

import pytest
from registry_days_kit import appoint, attend, one_off, record
from registry_testkit import SEBULU_DESA, TENGGARONG, TENGGARONG_DESA, Registry

from simpul_platform import clock

pytestmark = pytest.mark.integration
SERENTAK = "2026-05-12"


def table(response: Any) -> dict[tuple[str, str], tuple[int, int, int]]:
    assert response.status_code == 200, response.text
    return {
        (r["level"], r["code"]): (r["days"], r["present"], r["expected"])
        for r in response.json()["rows"]
    }


async def test_participation_equals_a_hand_count(registry: Registry) -> None:
    p1 = (await registry.create("Posyandu Mawar"))["id"]
    p2 = (await registry.create("Posyandu Melati"))["id"]
    p3 = (await registry.create("Posyandu Anggrek", desa=SEBULU_DESA))["id"]
    quiet = (await registry.create("Posyandu Kenanga"))["id"]  # its day is not held
    serentak = await registry.client.post(
        "/v1/serentak-days", headers=registry.dpmd, json={"wilayah": "64.02", "day": SERENTAK}
    )
    serentak_id = serentak.json()["id"]
    k1 = [await appoint(registry, p1, n) for n in (1, 2, 3, 4)]
    k2 = [await appoint(registry, p2, n) for n in (5, 6)]
    await appoint(registry, p2, 7, end="2026-05-01")  # released before the day: not expected
    await appoint(registry, p2, 8, role="ketua", field=None)  # pengurus: not a kader
    k3 = [await appoint(registry, p3, n) for n in (9, 10)]
    await appoint(registry, quiet, 11)
    for pid in (p1, p2, p3):
        assert (await record(registry, pid, SERENTAK)).status_code == 200
    assert (await record(registry, quiet, SERENTAK, held=False, reason="disaster")).is_success
    await attend(
        registry,
        p1,
        SERENTAK,
        [
            {"person_id": k, "status": s}
            for k, s in zip(k1, ["present"] * 3 + ["absent"], strict=True)
        ],
    )
    await attend(
        registry,
        p2,
        SERENTAK,
        [{"person_id": k2[0], "status": "present"}, {"person_id": k2[1], "status": "excused"}],
    )
    await attend(registry, p3, SERENTAK, [{"person_id": k, "status": "present"} for k in k3])
    await one_off(registry, p1, "2026-05-26")
    await record(registry, p1, "2026-05-26")
    await attend(registry, p1, "2026-05-26", [{"person_id": k, "status": "present"} for k in k1])
    await record(registry, p2, "2026-06-09")  # June: outside the period asked

    on_the_day = await registry.client.get(
        f"/v1/participation?serentak_day={serentak_id}", headers=registry.dpmd
    )
    # Hand count: Mawar 3 of 4, Melati 1 of 2, Anggrek 2 of 2; Kenanga did not open.
    assert table(on_the_day) == {
        ("posyandu", p1): (1, 3, 4),
        ("posyandu", p2): (1, 1, 2),
        ("posyandu", p3): (1, 2, 2),
        ("desa", TENGGARONG_DESA): (2, 4, 6),
        ("desa", SEBULU_DESA): (1, 2, 2),
        ("kecamatan", TENGGARONG): (2, 4, 6),
        ("kecamatan", "64.02.07"): (1, 2, 2),
        ("kabupaten", "64.02"): (3, 6, 8),
    }
    kabupaten = next(r for r in on_the_day.json()["rows"] if r["level"] == "kabupaten")
    assert kabupaten["percent"] == 75.0
    assert on_the_day.json()["posyandu_with_day"] == 3

    may = table(
        await registry.client.get(
            "/v1/participation?period=2026-05&wilayah=64.02", headers=registry.dpmd
        )
    )
    assert may[("posyandu", p1)] == (2, 7, 8)
    assert may[("kabupaten", "64.02")] == (4, 10, 12)
    sebulu = table(
        await registry.client.get(
            "/v1/participation?period=2026-Q2&wilayah=64.02.07", headers=registry.dpmd
        )
    )
    assert sebulu == {
        ("posyandu", p3): (1, 2, 2),
        ("desa", SEBULU_DESA): (1, 2, 2),
        ("kecamatan", "64.02.07"): (1, 2, 2),
        ("kabupaten", "64.02"): (1, 2, 2),
    }
    # TP Tenggarong asking for the kabupaten's serentak day sees its own kecamatan only.
    tp = table(
        await registry.client.get(
            f"/v1/participation?serentak_day={serentak_id}", headers=registry.tp
        )
    )
    assert tp[("kabupaten", "64.02")] == (2, 4, 6) and ("posyandu", p3) not in tp

    both = await registry.client.get(
        f"/v1/participation?period=2026-05&serentak_day={serentak_id}", headers=registry.dpmd
    )
    assert both.json()["errors"][0]["rule"] == "period_or_serentak_day"
    month = await registry.client.get("/v1/participation", headers=registry.dpmd)
    today = clock.local_today(registry.settings)
    assert month.json()["start"] == today.replace(day=1).isoformat()  # the current month
    unknown = await registry.client.get(
        "/v1/participation?serentak_day=nope", headers=registry.dpmd
    )
    assert unknown.status_code == 404
