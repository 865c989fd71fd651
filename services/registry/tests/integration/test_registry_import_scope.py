"""CSV import (mixed rows, idempotent re-upload), listing, progress and wilayah scoping."""

from __future__ import annotations

import time

import pytest
from registry_testkit import DOCUMENTS, SEBULU_DESA, TENGGARONG_DESA, Registry
from sqlalchemy import func
from sqlmodel import select

from simpul_platform.outbox import outbox_table
from simpul_registry.models import Posyandu

pytestmark = pytest.mark.integration
TARGETS = "/v1/registration-targets/"
HEADER = "name,desa_code,dusun,rt,rw,address,latitude,longitude,fields\n"
BAD_ROWS = {
    46: ("Posyandu Salah,64.02.06.2001,,,,,,,health", "unknown_desa"),
    47: (",64.02.06.2012,,,,,,,health", "missing"),
    48: ("Posyandu Jauh,64.02.06.2012,,,,,48.1,2.3,health", "less_than_equal"),
    49: ("Posyandu Aneh,64.02.06.2012,,,,,,,cooking", "enum"),
    50: ("Posyandu Kukar 1,64.02.06.2014,,,,,,,health", "duplicate_in_file"),
    51: ("Posyandu Samarinda,64.72.01.1001,,,,,,,health", "outside_wilayah"),
}


def kukar_csv() -> str:
    desa = ["64.02.06.2012", "64.02.06.2014", "64.02.07.2001", "64.02.06.1001"]
    good = [f"Posyandu Kukar {i},{desa[i % 4]},Dusun {i % 3},00{i % 9 + 1},001,,"
            f"-0.4{i:02d},117.0{i:02d},health;education" for i in range(1, 45)]
    return HEADER + "\n".join(good + [row for row, _ in BAD_ROWS.values()]) + "\n"


async def test_csv_import_mixed_rows_then_reupload_changes_nothing(registry: Registry) -> None:
    headers = {**registry.dpmd, "content-type": "text/csv", "x-first-row": "2"}
    started = time.perf_counter()
    first = await registry.client.post("/v1/imports/posyandu", content=kukar_csv(),
                                       headers=headers)
    elapsed = time.perf_counter() - started
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (44, 0, 0, 6)
    by_row = {r["row"]: r for r in body["rows"]}
    for row, (_, rule) in BAD_ROWS.items():
        assert by_row[row]["outcome"] == "rejected"
        assert rule in {e["rule"] for e in by_row[row]["errors"]}, by_row[row]
    assert by_row[2]["outcome"] == "created" and by_row[2]["name"] == "Posyandu Kukar 1"
    async with registry.app.state.db.sessions() as session:
        count = (await session.exec(select(func.count()).select_from(Posyandu))).one()
        events = (await session.exec(select(func.count()).select_from(outbox_table))).one()
    assert (count, events) == (44, 44)
    print(f"CSV import of 50 rows took {elapsed:.2f} s")

    again = (await registry.client.post("/v1/imports/posyandu", content=kukar_csv(),
                                        headers=headers)).json()
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (
        0, 0, 44, 6)
    async with registry.app.state.db.sessions() as session:
        assert (await session.exec(select(func.count()).select_from(outbox_table))).one() == 44
        versions = set((await session.exec(select(Posyandu.version))).all())
    assert versions == {1}

    edited = kukar_csv().replace("Posyandu Kukar 3,64.02.06.1001,Dusun 0",
                                 "Posyandu Kukar 3,64.02.06.1001,Dusun Baru")
    third = (await registry.client.post("/v1/imports/posyandu", content=edited,
                                        headers=headers)).json()
    assert (third["updated"], third["unchanged"]) == (1, 43)
    moved = edited.replace("-0.401,117.001", "-0.499,117.001")  # the latitude alone changes
    fourth = await registry.client.post("/v1/imports/posyandu", content=moved, headers=headers)
    assert fourth.status_code == 200, fourth.text  # was a 500: a patch needs both coordinates
    assert (fourth.json()["updated"], fourth.json()["unchanged"]) == (1, 43)


async def test_list_filters_progress_and_targets(registry: Registry) -> None:
    ids = [(await registry.create(name=f"Posyandu {n}", desa=d, fields=f))["id"]
           for n, d, f in [("A", TENGGARONG_DESA, ["health"]), ("B", TENGGARONG_DESA, ["social"]),
                           ("C", SEBULU_DESA, ["health"])]]
    await registry.act(ids[0], "submit", DOCUMENTS)
    listing = await registry.client.get(
        "/v1/posyandu", params={"wilayah": "64.02.06", "field": "health"}, headers=registry.dpmd)
    assert [p["name"] for p in listing.json()["items"]] == ["Posyandu A"]
    paged = (await registry.client.get(
        "/v1/posyandu", params={"page_size": 2, "page": 2, "q": "posy"},
        headers=registry.dpmd)).json()
    assert paged["total"] == 3 and [p["name"] for p in paged["items"]] == ["Posyandu C"]
    submitted = (await registry.client.get("/v1/posyandu", params={"status": "submitted"},
                                           headers=registry.dpmd)).json()
    assert [p["id"] for p in submitted["items"]] == [ids[0]]

    target = await registry.client.put(TARGETS + "64.02", headers=registry.dpmd,
                                       json={"target": 827, "due_date": "2025-10-31"})
    assert target.json()["set_by"] == "dpmd-kukar"
    await registry.client.put(TARGETS + "64.02.06", headers=registry.dpmd, json={"target": 4})
    progress = (await registry.client.get("/v1/progress/64.02", headers=registry.dpmd)).json()
    assert progress["wilayah"]["total"] == 3 and progress["wilayah"]["target"] == 827
    assert progress["due_date"] == "2025-10-31"
    assert len(progress["children"]) == 20
    tenggarong = next(c for c in progress["children"] if c["code"] == "64.02.06")
    assert tenggarong["name"] == "Tenggarong"
    assert tenggarong["counts"] == {"draft": 1, "submitted": 1, "verified": 0, "registered": 0,
                                    "inactive": 0}
    assert tenggarong["target"] == 4 and tenggarong["share_of_target"] == 0.0
    desa = (await registry.client.get("/v1/progress/64.02.06", headers=registry.tp)).json()
    assert len(desa["children"]) == 14
    assert next(c for c in desa["children"] if c["code"] == TENGGARONG_DESA)["total"] == 2


async def test_out_of_wilayah_reads_and_writes_are_refused(registry: Registry) -> None:
    sebulu = (await registry.create(name="Posyandu Sebulu", desa=SEBULU_DESA))["id"]
    tenggarong = (await registry.create(name="Posyandu Teng"))["id"]
    tp = registry.tp  # Tenggarong only
    assert (await registry.client.get(f"/v1/posyandu/{sebulu}", headers=tp)).status_code == 403
    assert (await registry.client.get(f"/v1/posyandu/{tenggarong}",
                                      headers=tp)).status_code == 200
    mine = (await registry.client.get("/v1/posyandu", headers=tp)).json()
    assert [p["id"] for p in mine["items"]] == [tenggarong]
    narrowed = (await registry.client.get("/v1/posyandu", params={"wilayah": "64.02"},
                                          headers=tp)).json()
    assert [p["id"] for p in narrowed["items"]] == [tenggarong]
    assert (await registry.client.get("/v1/posyandu", params={"wilayah": "64.02.07"},
                                      headers=tp)).status_code == 403
    assert (await registry.client.get("/v1/progress/64.02", headers=tp)).status_code == 403
    assert (await registry.client.get(f"/v1/posyandu/{sebulu}/people",
                                      headers=tp)).status_code == 403
    other_dpmd = registry.auth(["dpmd"], ["64.03"])
    refused = [
        await registry.client.post("/v1/posyandu", headers=other_dpmd,
                                   json={"name": "Posyandu Z", "desa_code": SEBULU_DESA}),
        await registry.client.patch(f"/v1/posyandu/{sebulu}", headers=other_dpmd,
                                    json={"name": "Renamed"}),
        await registry.act(sebulu, "submit", DOCUMENTS, headers=other_dpmd),
        await registry.client.put(TARGETS + "64.02", headers=other_dpmd, json={"target": 1}),
        await registry.client.post(f"/v1/posyandu/{sebulu}/people", headers=other_dpmd, json={
            "nik": "6402061708850001", "name": "Budi", "role": "ketua",
            "start_date": "2025-01-01"}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    kader = registry.auth(["kader:health"], ["64.02"])
    assert (await registry.client.post("/v1/posyandu", headers=kader, json={
        "name": "Posyandu Z", "desa_code": SEBULU_DESA})).status_code == 403
    assert (await registry.client.get("/v1/posyandu")).status_code == 401
    async with registry.app.state.db.sessions() as session:
        names = set((await session.exec(select(Posyandu.name))).all())
    assert names == {"Posyandu Sebulu", "Posyandu Teng"}


async def test_wilayah_browse(registry: Registry) -> None:
    kukar = (await registry.client.get("/v1/wilayah/64.02", headers=registry.tp)).json()
    assert kukar["name"] == "Kabupaten Kutai Kartanegara"
    assert [p["code"] for p in kukar["parents"]] == ["64"]
    assert len(kukar["children"]) == 20
    desa = (await registry.client.get(f"/v1/wilayah/{TENGGARONG_DESA}",
                                      headers=registry.tp)).json()
    assert [p["code"] for p in desa["parents"]] == ["64", "64.02", "64.02.06"]
    assert desa["type"] == "desa" and desa["children"] == []
    provinces = (await registry.client.get("/v1/wilayah", headers=registry.tp)).json()
    assert len(provinces) == 38
    assert (await registry.client.get("/v1/wilayah/64.99",
                                      headers=registry.tp)).status_code == 404


async def test_a_page_beyond_the_database_range_is_a_422_not_a_500(registry: Registry) -> None:
    """Found by bench/fuzz.py: (page - 1) × page_size past PostgreSQL's bigint was a 500."""
    response = await registry.client.get(
        "/v1/posyandu", params={"page": 2**62}, headers=registry.dpmd
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("query.page", "less_than_equal")


async def test_the_old_targets_path_redirects_permanently(registry: Registry) -> None:
    """/v1/targets was registry's name for registration targets (health's sasaran share it)."""
    moved = await registry.client.put("/v1/targets/64.02?note=a%20b&x=1", headers=registry.dpmd,
                                      json={"target": 12})
    assert moved.status_code == 308
    assert moved.headers["location"] == TARGETS + "64.02?note=a%20b&x=1"
    followed = await registry.client.put("/v1/targets/64.02", headers=registry.dpmd,
                                         json={"target": 12}, follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["target"] == 12
    assert [r.status_code for r in followed.history] == [308]
    assert (await registry.client.put("/v1/targets/64.02", json={"target": 1})).status_code == 401
    paths = (await registry.client.get("/openapi.json")).json()["paths"]
    old, new = paths["/v1/targets/{code}"]["put"], paths[TARGETS + "{code}"]["put"]
    assert old["deprecated"] is True and "308" in old["responses"]
    assert (old["operationId"], new["operationId"]) == ("setTarget", "setRegistrationTarget")
