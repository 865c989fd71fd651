"""Staffing for a whole kabupaten: a hand-built Kukar (two kecamatan, five posyandu) counted by
hand, per kecamatan and desa, and the posyandu behind the gaps, page by page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from registry_testkit import DOCUMENTS, SEBULU_DESA, TENGGARONG_DESA, Registry

from simpul_platform import clock

pytestmark = pytest.mark.integration
JAHAB = "64.02.06.1001"  # a kelurahan of Tenggarong
FIELDS = ["health", "education", "social", "housing", "public_works", "trantib"]


class People:
    """Appoints people with distinct, valid NIK (men born 17-08-1985, sequence 0001…)."""

    def __init__(self, registry: Registry) -> None:
        self.registry, self.sequence = registry, 0

    async def add(
        self, posyandu_id: str, role: str, field: str | None = None, start: str = "2025-01-01"
    ) -> str:
        self.sequence += 1
        body = {
            "nik": f"640206170885{self.sequence:04d}",
            "name": f"Orang {self.sequence}",
            "role": role,
            "field": field,
            "start_date": start,
        }
        response = await self.registry.client.post(
            f"/v1/posyandu/{posyandu_id}/people", json=body, headers=self.registry.dpmd
        )
        assert response.status_code == 201, response.text
        person_id: str = response.json()["id"]
        return person_id

    async def board(self, posyandu_id: str, heads: list[str]) -> None:
        for role in ("ketua", "sekretaris", "bendahara"):
            await self.add(posyandu_id, role)
        for field in heads:
            await self.add(posyandu_id, "ketua_bidang", field)


async def _kabupaten(registry: Registry) -> dict[str, str]:
    """A: health+education, full board, health head, 2 health kader, an education kader who
    left. B: health, only a ketua, health head and kader. C (Jahab): social+trantib, nobody.
    D (Sebulu): health+social+housing, full board and heads, health and social kader, a housing
    kader who starts next month. E (Sebulu): deactivated, one health kader."""
    people = People(registry)
    ids = {
        key: (await registry.create(name=name, desa=desa, fields=fields))["id"]
        for key, name, desa, fields in [
            ("A", "Posyandu Anggrek", TENGGARONG_DESA, ["health", "education"]),
            ("B", "Posyandu Bougenvil", TENGGARONG_DESA, ["health"]),
            ("C", "Posyandu Cempaka", JAHAB, ["social", "trantib"]),
            ("D", "Posyandu Dahlia", SEBULU_DESA, ["health", "social", "housing"]),
            ("E", "Posyandu Edelweis", SEBULU_DESA, ["health"]),
        ]
    }
    await people.board(ids["A"], ["health"])
    for _ in range(2):
        await people.add(ids["A"], "kader", "health")
    left = await people.add(ids["A"], "kader", "education")
    released = await registry.client.post(
        f"/v1/posyandu/{ids['A']}/people/{left}/release",
        json={"end_date": "2025-06-30"},
        headers=registry.dpmd,
    )
    assert released.status_code == 200
    await people.add(ids["B"], "ketua")
    await people.add(ids["B"], "ketua_bidang", "health")
    await people.add(ids["B"], "kader", "health")
    await people.board(ids["D"], ["health", "social", "housing"])
    await people.add(ids["D"], "kader", "health")
    await people.add(ids["D"], "kader", "social")
    later = clock.local_today(registry.settings) + timedelta(days=31)
    await people.add(ids["D"], "kader", "housing", start=later.isoformat())
    await people.add(ids["E"], "kader", "health")
    sebulu_tp = registry.auth(["tp:kecamatan"], ["64.02.07"])
    for action, body, headers in [
        ("submit", DOCUMENTS, None),
        ("verify", None, sebulu_tp),
        ("register", {"registration_number": "64.02.07.2001.001"}, None),
        ("deactivate", {"reason": "Tidak aktif lagi"}, None),
    ]:
        response = await registry.act(ids["E"], action, body, headers=headers)
        assert response.status_code == 200, response.text
    return ids


def _fields(**counts: tuple[int, int, int, int]) -> list[dict[str, Any]]:
    """Per field: (kader active, posyandu running, without ketua bidang, without kader)."""
    return [
        dict(
            zip(
                (
                    "field",
                    "kader_active",
                    "posyandu_running",
                    "without_ketua_bidang",
                    "without_kader",
                ),
                (f, *counts.get(f, (0, 0, 0, 0))),
                strict=True,
            )
        )
        for f in FIELDS
    ]


def _row(
    code: str,
    name: str,
    posyandu: int,
    missing: tuple[int, int, int],
    empty: int,
    **fields: tuple[int, int, int, int],
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "posyandu": posyandu,
        "kader_active": sum(c[0] for c in fields.values()),
        "fields": _fields(**fields),
        "missing_pengurus": dict(zip(("ketua", "sekretaris", "bendahara"), missing, strict=True)),
        "empty_posts": empty,
    }


async def test_staffing_of_a_kabupaten_equals_the_hand_count(registry: Registry) -> None:
    await _kabupaten(registry)
    response = await registry.client.get(
        "/v1/staffing", params={"wilayah": "64.02"}, headers=registry.dpmd
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == clock.local_today(registry.settings).isoformat()
    tenggarong = _row(
        "64.02.06",
        "Tenggarong",
        3,
        (1, 2, 2),
        8,
        health=(3, 2, 0, 0),
        education=(0, 1, 1, 1),
        social=(0, 1, 1, 1),
        trantib=(0, 1, 1, 1),
    )
    sebulu = _row(
        "64.02.07",
        "Sebulu",
        1,
        (0, 0, 0),
        0,
        health=(1, 1, 0, 0),
        social=(1, 1, 0, 0),
        housing=(0, 1, 0, 1),
    )
    assert body["kecamatan"] == [tenggarong, sebulu]
    assert body["wilayah"] == _row(
        "64.02",
        "Kabupaten Kutai Kartanegara",
        4,
        (1, 2, 2),
        8,
        health=(4, 3, 0, 0),
        education=(0, 1, 1, 1),
        social=(1, 2, 1, 1),
        housing=(0, 1, 0, 1),
        trantib=(0, 1, 1, 1),
    )
    assert [d["code"] for d in body["desa"]] == [JAHAB, TENGGARONG_DESA, SEBULU_DESA]
    assert body["desa"][0] == _row(
        JAHAB, body["desa"][0]["name"], 1, (1, 1, 1), 5, social=(0, 1, 1, 1), trantib=(0, 1, 1, 1)
    )
    assert body["desa"][1] == _row(
        TENGGARONG_DESA,
        "Rapak Lambur",
        2,
        (0, 1, 1),
        3,
        health=(3, 2, 0, 0),
        education=(0, 1, 1, 1),
    )
    assert body["desa"][2] == dict(sebulu, code=SEBULU_DESA, name=body["desa"][2]["name"])

    inactive = (
        await registry.client.get(
            "/v1/staffing", headers=registry.dpmd, params={"wilayah": "64.02", "status": "inactive"}
        )
    ).json()
    assert inactive["wilayah"] == _row(
        "64.02", "Kabupaten Kutai Kartanegara", 1, (1, 1, 1), 4, health=(1, 1, 1, 0)
    )


async def test_the_posyandu_behind_the_gaps_page_by_page(registry: Registry) -> None:
    ids = await _kabupaten(registry)

    async def page(**params: Any) -> dict[str, Any]:
        response = await registry.client.get(
            "/v1/staffing/gaps", headers=registry.dpmd, params={"wilayah": "64.02", **params}
        )
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    first, second = await page(page_size=2), await page(page_size=2, page=2)
    assert first["total"] == second["total"] == 4  # E is inactive: not counted
    items = first["items"] + second["items"]
    assert [i["posyandu_id"] for i in items] == [ids[k] for k in "CABD"]
    gaps = {
        i["name"]: (
            i["missing_pengurus"],
            i["fields_without_ketua_bidang"],
            i["fields_without_kader"],
            i["empty_posts"],
        )
        for i in items
    }
    assert gaps == {
        "Posyandu Cempaka": (
            ["ketua", "sekretaris", "bendahara"],
            ["social", "trantib"],
            ["social", "trantib"],
            5,
        ),
        "Posyandu Anggrek": ([], ["education"], ["education"], 1),
        "Posyandu Bougenvil": (["sekretaris", "bendahara"], [], [], 2),
        "Posyandu Dahlia": ([], [], ["housing"], 0),
    }
    assert items[1]["kader_active"] == dict.fromkeys(FIELDS, 0) | {"health": 2}
    assert items[3]["fields"] == ["health", "social", "housing"]
    housing = await page(field="housing")
    assert [i["posyandu_id"] for i in housing["items"]] == [ids["D"]]
    assert (await page(field="health"))["total"] == 0


async def test_staffing_stays_within_the_callers_wilayah(registry: Registry) -> None:
    await _kabupaten(registry)
    mine = await registry.client.get(
        "/v1/staffing", params={"wilayah": "64.02.06"}, headers=registry.tp
    )
    assert mine.status_code == 200
    assert [k["code"] for k in mine.json()["kecamatan"]] == ["64.02.06"]
    assert mine.json()["wilayah"]["posyandu"] == 3
    for path in ("/v1/staffing", "/v1/staffing/gaps"):
        refused = await registry.client.get(path, params={"wilayah": "64.02"}, headers=registry.tp)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
    kader = registry.auth(["kader:health"], ["64.02"])
    assert (
        await registry.client.get("/v1/staffing", params={"wilayah": "64.02"}, headers=kader)
    ).status_code == 403
    empty = (
        await registry.client.get(
            "/v1/staffing", params={"wilayah": "64.01"}, headers=registry.auth(["dpmd"], ["64"])
        )
    ).json()
    assert empty["wilayah"]["posyandu"] == 0 and empty["kecamatan"] == []
