"""Target-group estimates over HTTP: imported (JSON and CSV) by the Dinas Kesehatan, upserted,
refused when levels overlap or a row is wrong (every refused row named), listed for aggregate
readers, and the SPM denominator of a wilayah once imported (pro-rated to the period)."""

from __future__ import annotations

from typing import Any

import pytest
from health_testkit import OTHER_DESA, Health
from sqlalchemy import literal, select

from simpul_health.ops import kept_codes

pytestmark = pytest.mark.integration

SOURCE = "Proyeksi BPS 2026 / Kemenkes"


def row(code: str, group: str, count: int) -> dict[str, Any]:
    return {"wilayah_code": code, "target_group": group, "count": count}


async def put(health: Health, rows: list[dict[str, Any]], source: str = SOURCE, **kw: Any) -> Any:
    body = {"year": 2026, "source": source, "rows": rows}
    return await health.client.put(
        "/v1/target-estimates", json=body, headers=kw.get("headers", health.opd)
    )


async def listed(health: Health, **params: Any) -> list[dict[str, Any]]:
    response = await health.client.get("/v1/target-estimates", params=params, headers=health.dpmd)
    assert response.status_code == 200, response.text
    return list(response.json())


def refusals(response: Any) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {(e["field"], e["rule"]) for e in response.json()["errors"]}


async def two_posyandu(health: Health) -> None:
    await health.posyandu()  # 64.02.06.2012
    await health.posyandu("Posyandu Melati", OTHER_DESA)  # 64.02.07.2001


async def test_import_upsert_and_list(health: Health) -> None:
    await two_posyandu(health)
    first = await put(
        health,
        [
            row("64.02.06", "ibu_bersalin", 1200),
            row("64.02.07", "ibu_bersalin", 606),
            row("64.02", "bayi_baru_lahir", 2400),
        ],
    )
    assert first.status_code == 200, first.text
    assert first.json() == {"year": 2026, "source": SOURCE, "rows": 3, "created": 3, "replaced": 0}
    again = await put(health, [row("64.02.06", "ibu_bersalin", 1300)], source="Kemenkes 2026 rev")
    assert again.json()["replaced"] == 1 and again.json()["created"] == 0, again.text
    stored = await listed(health, year=2026, wilayah="64.02")
    assert [(e["wilayah_code"], e["target_group"], e["count"], e["source"]) for e in stored] == [
        ("64.02", "bayi_baru_lahir", 2400, SOURCE),
        ("64.02.06", "ibu_bersalin", 1300, "Kemenkes 2026 rev"),
        ("64.02.07", "ibu_bersalin", 606, SOURCE),
    ]
    assert {e["imported_by"] for e in stored} == {"dinkes-kukar"} and stored[0]["imported_at"]
    assert [e["wilayah_code"] for e in await listed(health, wilayah="64.02.07")] == ["64.02.07"]
    assert await listed(health, year=2025) == []
    # Only the Dinas Kesehatan imports; a kader, DPMD, the gateway do not.
    for headers in (health.kader, health.dpmd):
        refused = await put(health, [row("64.02.06", "ibu_bersalin", 1)], headers=headers)
        assert refused.status_code == 403, refused.text


async def test_overlapping_levels_are_refused_and_nothing_is_stored(health: Health) -> None:
    await two_posyandu(health)
    assert (await put(health, [row("64.02.06", "ibu_bersalin", 1200)])).status_code == 200
    # The kabupaten above a stored kecamatan, the desa below it: both would double count.
    above_below = await put(
        health,
        [
            row("64.02", "ibu_bersalin", 5000),
            row("64.02.06.2012", "ibu_bersalin", 80),
            row("64.02", "odgj_berat", 90),  # another group: fine on its own
        ],
    )
    assert refusals(above_below) == {
        ("body.rows[0].wilayah_code", "overlapping_levels"),
        ("body.rows[1].wilayah_code", "overlapping_levels"),
    }
    # Within one import too.
    together = await put(
        health, [row("64.02.07.2001", "risiko_hiv", 10), row("64.02.07", "risiko_hiv", 30)]
    )
    assert refusals(together) == {
        ("body.rows[0].wilayah_code", "overlapping_levels"),
        ("body.rows[1].wilayah_code", "overlapping_levels"),
    }
    assert [(e["wilayah_code"], e["target_group"]) for e in await listed(health)] == [
        ("64.02.06", "ibu_bersalin")
    ]


async def test_bad_rows_are_named_by_index_and_field(health: Health) -> None:
    await two_posyandu(health)
    schema = await put(
        health,
        [
            row("64.02.06", "ibu_bersalin", 1),
            row("6402", "ibu_bersalin", 1),
            row("64.02", "terduga_tbc", -1),
        ],
    )
    assert refusals(schema) == {
        ("body.rows[1].wilayah_code", "string_pattern_mismatch"),
        ("body.rows[2].count", "greater_than_equal"),
    }
    rules = await put(
        health,
        [
            row("64.02.06", "ibu_bersalin", 1),
            row("64.02.99", "ibu_bersalin", 1),  # no posyandu known there
            row("64.02.07", "balita", 1),  # balita's denominator is registered, not estimated
            row("64.03", "risiko_hiv", 1),  # outside the Dinas Kesehatan's kabupaten
            row("64.02.06", "ibu_bersalin", 2),  # twice
        ],
    )
    assert refusals(rules) == {
        ("body.rows[1].wilayah_code", "unknown_wilayah"),
        ("body.rows[2].target_group", "unknown_target_group"),
        ("body.rows[3].wilayah_code", "outside_wilayah"),
        ("body.rows[4].wilayah_code", "duplicate_row"),
    }
    assert rules.json()["refused"] == 4
    assert await listed(health) == []


async def test_csv_import_names_the_line(health: Health) -> None:
    await two_posyandu(health)
    url, params = "/v1/target-estimates/csv", {"year": 2026, "source": SOURCE}
    bad = "wilayah_code,target_group,count\n64.02,terduga_tbc,40\n64.02,odgj_berat,many\n"
    response = await health.client.put(
        url, params=params, content=bad, headers={**health.opd, "Content-Type": "text/csv"}
    )
    assert refusals(response) == {("body.rows[1].count", "int_parsing")}
    assert "Line 3" in response.json()["errors"][0]["message"]
    good = "count,target_group,wilayah_code\n40,terduga_tbc,64.02\n12,odgj_berat,64.02\n"
    response = await health.client.put(
        url, params=params, content=good, headers={**health.opd, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200 and response.json()["created"] == 2, response.text
    assert {(e["target_group"], e["count"]) for e in await listed(health)} == {
        ("terduga_tbc", 40),
        ("odgj_berat", 12),
    }


async def test_the_spm_denominator_is_the_estimate_pro_rated(
    health: Health, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ibu bersalin's kept count (its numerator and recorded deliveries) is zero here.
    if "ibu_bersalin" not in kept_codes.COUNTERS:
        monkeypatch.setitem(
            kept_codes.COUNTERS,
            "ibu_bersalin",
            lambda posyandu_id, period: select(literal(0), literal(0)),
        )
    posyandu_id = await health.posyandu()
    await health.posyandu("Posyandu Melati", OTHER_DESA)
    rows = [row("64.02.06", "ibu_bersalin", 1300), row("64.02.07", "ibu_bersalin", 606)]
    assert (await put(health, rows)).status_code == 200

    async def denominator(**params: Any) -> int:
        response = await health.client.get("/v1/indicators/spm", params=params, headers=health.dpmd)
        assert response.status_code == 200, response.text
        found = {v["code"]: v for v in response.json()["indicators"]}["health.ibu_bersalin"]
        assert found["numerator"] == 0
        return int(found["denominator"])

    # count × months ÷ 12, rounded half up: 1300/12 = 108.3; 606/12 = 50.5; 1906/4 = 476.5.
    assert await denominator(period="2026-03", wilayah="64.02.06") == 108
    assert await denominator(period="2026-03", wilayah="64.02.07") == 51
    assert await denominator(period="2026-Q1", wilayah="64.02.06") == 325
    assert await denominator(period="2026", wilayah="64.02.06") == 1300
    assert await denominator(period="2026-03", wilayah="64.02") == 159  # 1906/12 = 158.8
    assert await denominator(period="2026-Q1", wilayah="64.02") == 477
    assert await denominator(period="2025", wilayah="64.02") == 0  # no estimate for 2025
    # A posyandu has no estimate of its own: its recorded denominator stands.
    assert await denominator(period="2026", posyandu_id=posyandu_id) == 0
