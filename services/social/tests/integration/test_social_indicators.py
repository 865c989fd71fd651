"""Indicators and the summary equal counts made by hand."""

from __future__ import annotations

from typing import Any

import pytest
from social_testkit import SEBULU, Social

pytestmark = pytest.mark.integration


async def _ppks(
    social: Social,
    posyandu_id: str,
    category: str,
    identified: str,
    served: str | None,
    closed: str | None = None,
) -> None:
    created = await social.client.post(
        "/v1/ppks-cases",
        headers=social.opd,
        json={
            "category": category,
            "posyandu_id": posyandu_id,
            "name": "X",
            "identified_on": identified,
        },
    )
    assert created.status_code == 201, created.text
    url = f"/v1/ppks-cases/{created.json()['id']}"
    if served:
        steps = [
            ("assess", {"assessed_on": identified, "needs": "makan"}),
            ("serve", {"served_on": served, "service": "permakanan"}),
        ]
        for step, body in steps:
            assert (
                await social.client.post(f"{url}/{step}", json=body, headers=social.opd)
            ).status_code == 200
    if closed:
        response = await social.client.post(
            f"{url}/close",
            headers=social.opd,
            json={"closed_on": closed, "outcome": "rehabilitated"},
        )
        assert response.status_code == 200, response.text


async def _give(
    social: Social, household: dict[str, Any], program: str, period: str, day: str
) -> None:
    response = await social.client.post(
        "/v1/distributions",
        headers=social.opd,
        json={
            "household_id": household["id"],
            "program_code": program,
            "period": period,
            "amount_idr": 200000,
            "distributed_on": day,
        },
    )
    assert response.status_code == 201, response.text


def _by_code(values: list[dict[str, Any]]) -> dict[str, tuple[int, int, float | None]]:
    return {v["code"]: (v["numerator"], v["denominator"], v["percent"]) for v in values}


async def test_indicators_and_summary_equal_hand_counts(social: Social) -> None:
    rapak = await social.known_posyandu()
    sebulu = await social.known_posyandu(desa=SEBULU)
    await social.program("PKH", "quarter")
    await social.program("SEMBAKO", "month")
    a = [
        await social.household(rapak, f"64020612345600{n:02d}", decile=d)
        for n, d in enumerate([1, 2, 2, 4, 6, None], start=1)
    ]
    b = [
        await social.household(sebulu, f"64020712345600{n:02d}", decile=d)
        for n, d in enumerate([3, 9], start=1)
    ]
    await _give(social, a[0], "PKH", "2026-Q3", "2026-08-10")
    await _give(social, a[1], "SEMBAKO", "2026-08", "2026-08-12")
    await _give(social, a[2], "SEMBAKO", "2026-09", "2026-09-12")
    await _give(social, a[4], "PKH", "2026-Q3", "2026-08-10")  # decile 6: not in the share
    await _give(social, b[0], "PKH", "2026-Q3", "2026-07-20")
    await _ppks(social, rapak, "lansia_telantar", "2026-08-01", served="2026-08-10")
    await _ppks(social, rapak, "lansia_telantar", "2026-08-03", served=None)
    await _ppks(social, rapak, "anak_telantar", "2026-07-01", served="2026-07-05")
    await _ppks(
        social,
        sebulu,
        "disabilitas_telantar",
        "2026-08-05",
        served="2026-08-06",
        closed="2026-08-20",
    )

    async def indicators(**params: str) -> dict[str, tuple[int, int, float | None]]:
        response = await social.client.get("/v1/indicators", params=params, headers=social.dpmd)
        assert response.status_code == 200, response.text
        return _by_code(response.json())

    august_tenggarong = await indicators(wilayah="64.02.06", period="2026-08")
    assert august_tenggarong["social.bansos.coverage.PKH"] == (1, 4, 25.0)
    assert august_tenggarong["social.bansos.coverage.SEMBAKO"] == (1, 4, 25.0)
    assert august_tenggarong["social.bansos.coverage.any"] == (2, 4, 50.0)
    assert august_tenggarong["social.spm.lansia_telantar"] == (1, 2, 50.0)
    assert august_tenggarong["social.spm.anak_telantar"] == (0, 0, None)
    assert august_tenggarong["social.spm.disabilitas_telantar"] == (0, 0, None)

    q3_kukar = await indicators(wilayah="64.02", period="2026-Q3")
    assert q3_kukar["social.bansos.coverage.PKH"] == (2, 5, 40.0)
    assert q3_kukar["social.bansos.coverage.SEMBAKO"] == (2, 5, 40.0)
    assert q3_kukar["social.bansos.coverage.any"] == (4, 5, 80.0)
    assert q3_kukar["social.spm.lansia_telantar"] == (1, 2, 50.0)
    assert q3_kukar["social.spm.anak_telantar"] == (1, 1, 100.0)
    assert q3_kukar["social.spm.disabilitas_telantar"] == (1, 1, 100.0)
    assert q3_kukar["social.spm.gelandangan_pengemis"] == (0, 0, None)

    one_posyandu = await indicators(posyandu_id=sebulu, period="2026")
    assert one_posyandu["social.bansos.coverage.PKH"] == (1, 1, 100.0)
    assert one_posyandu["social.spm.disabilitas_telantar"] == (1, 1, 100.0)

    summary = await social.client.get(
        "/v1/summary", headers=social.dpmd, params={"wilayah": "64.02.06", "period": "2026-08"}
    )
    body = summary.json()
    assert body["households"] == 6 and body["households_assessed"] == 5
    assert body["households_by_decile"] == {
        "1": 1,
        "2": 2,
        "3": 0,
        "4": 1,
        "5": 0,
        "6": 1,
        "7": 0,
        "8": 0,
        "9": 0,
        "10": 0,
        "unassessed": 1,
    }
    assert body["deciles_1_4"] == 4 and body["deciles_1_4_percent"] == 80.0
    assert body["priority_cases"]["open"] == 0

    by_desa = await social.client.get(
        "/v1/summary/by-desa", headers=social.dpmd, params={"wilayah": "64.02", "period": "2026-08"}
    )
    assert by_desa.status_code == 200, by_desa.text
    rows = {row["desa_code"]: row for row in by_desa.json()}
    rapak_desa = next(code for code in rows if code.startswith("64.02.06."))
    assert rows[rapak_desa] == {
        "desa_code": rapak_desa,
        "households": 6,
        "households_assessed": 5,
        "deciles_1_4": 4,
        "share_deciles_1_4": 80.0,
    }
    assert rows[SEBULU] == {
        "desa_code": SEBULU,
        "households": 2,
        "households_assessed": 2,
        "deciles_1_4": 1,
        "share_deciles_1_4": 50.0,
    }


async def test_indicator_queries_are_checked(social: Social) -> None:
    bad = await social.client.get(
        "/v1/indicators", params={"period": "2026-13"}, headers=social.dpmd
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.period"
    unknown = await social.client.get(
        "/v1/summary", headers=social.dpmd, params={"period": "2026", "posyandu_id": "nope"}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["rule"] == "unknown_posyandu"
    outside = social.auth(["dpmd"], ["64.03"])
    response = await social.client.get(
        "/v1/indicators", headers=outside, params={"period": "2026", "wilayah": "64.02.06"}
    )
    assert response.status_code == 403
    health = social.auth(["opd:health"], ["64"])
    response = await social.client.get("/v1/summary", headers=health, params={"period": "2026"})
    assert response.status_code == 403
