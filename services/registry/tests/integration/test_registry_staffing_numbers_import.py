"""Kemendagri's registration numbers in bulk: a file mixing good and bad rows answered row by
row, the good ones registered through the register step (history, the same event as one at a
time), the same file twice harmless, JSON rows like CSV ones."""

from __future__ import annotations

from typing import Any

import pytest
from registry_testkit import DOCUMENTS, TENGGARONG_DESA, Registry
from sqlmodel import select

from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_registry.events import TOPIC
from simpul_registry.models import Posyandu, StatusChange

pytestmark = pytest.mark.integration
D = TENGGARONG_DESA
PATH = "/v1/registration-numbers/imports"
CSV = {"Content-Type": "text/csv"}


async def _posyandu(registry: Registry, name: str, verified: bool = True) -> str:
    pid: str = (await registry.create(name=name))["id"]
    if verified:
        assert (await registry.act(pid, "submit", DOCUMENTS)).status_code == 200
        assert (await registry.act(pid, "verify")).status_code == 200
    return pid


def _csv(rows: list[tuple[str, str, str]]) -> str:
    lines = ["registration_number,desa_code,name,remark"]
    lines += [f"{number},{desa},{name},from Ditjen Bina Pemdes" for desa, name, number in rows]
    return "\n".join(lines) + "\n"


ROWS = [
    (D, "posyandu   MAWAR", f"{D}.001"),  # 1 case and spaces: registered
    (D, "Posyandu Melati", f"{D}.002"),  # 2 stored as "Melati": registered
    (D, "Posyandu Anggrek", f"{D}.003"),  # 3 a draft: not verified
    (D, "posyandu: kenanga", f"{D}.004"),  # 4 "Kenanga" and "Posyandu Kenanga"
    (D, "Posyandu Tulip", f"{D}.005"),  # 5 no such posyandu
    (D, "Posyandu Dahlia", "64.02.06.2014.006"),  # 6 another desa's number
    (D, "Posyandu Dahlia", f"{D}.001"),  # 7 row 1's number
    (D, "Posyandu Seruni", f"{D}.050"),  # 8 Cempaka holds it
    (D, "Posyandu Dahlia", "12345"),  # 9 not a number
    ("64.01.01.2009", "Posyandu Mawar", "64.01.01.2009.001"),  # 10 outside DPMD Kukar
    (D, "Melati", f"{D}.009"),  # 11 row 2 already numbered Melati
    (D, "", f"{D}.010"),  # 12 no name
    ("64.02.06.2999", "Posyandu Mawar", "64.02.06.2999.001"),  # 13 no such desa
    (D, "Posyandu Dahlia", f"{D}.011"),  # 14 registered
]
REJECTED = {
    3: ("name", "not_verified"),
    4: ("name", "ambiguous_name"),
    5: ("name", "no_such_posyandu"),
    6: ("registration_number", "desa_mismatch"),
    7: ("registration_number", "duplicate_in_file"),
    8: ("registration_number", "number_taken"),
    9: ("registration_number", "format"),
    10: ("desa_code", "outside_wilayah"),
    11: ("name", "posyandu_twice_in_file"),
    12: ("name", "required"),
    13: ("desa_code", "unknown_desa"),
}


async def test_a_file_of_good_and_bad_rows_is_answered_row_by_row(
    relayed_registry: Registry, kafka_broker: Any
) -> None:
    registry = relayed_registry
    ids = {
        name: await _posyandu(registry, name)
        for name in (
            "Posyandu Mawar",
            "Melati",
            "Kenanga",
            "Posyandu Kenanga",
            "Posyandu Dahlia",
            "Posyandu Seruni",
            "Posyandu Cempaka",
        )
    }
    ids["Posyandu Anggrek"] = await _posyandu(registry, "Posyandu Anggrek", verified=False)
    single = await registry.act(
        ids["Posyandu Cempaka"], "register", {"registration_number": f"{D}.050"}
    )
    assert single.status_code == 200
    async with registry.app.state.db.sessions() as session:
        before = {p.id: (p.status, p.version) for p in (await session.exec(select(Posyandu)))}

    response = await registry.client.post(PATH, content=_csv(ROWS), headers=registry.dpmd | CSV)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["registered"], body["unchanged"], body["rejected"]) == (3, 0, 11)
    rows = body["rows"]
    assert [(r["row"], r["line"]) for r in rows] == [(i, i + 1) for i in range(1, 15)]
    for r in rows:
        if r["row"] in REJECTED:
            assert r["outcome"] == "rejected"
            assert [(e["field"], e["rule"]) for e in r["errors"]] == [REJECTED[r["row"]]], r
        else:
            assert (r["outcome"], r["errors"]) == ("registered", []), r
    assert rows[0]["posyandu_id"] == ids["Posyandu Mawar"]
    assert rows[1]["posyandu_id"] == ids["Melati"]
    assert "'Kenanga'" in rows[3]["errors"][0]["message"]
    assert "Posyandu Kenanga" in rows[3]["errors"][0]["message"]
    assert "Row 1" in rows[6]["errors"][0]["message"]
    assert "draft" in rows[2]["errors"][0]["message"]

    async with registry.app.state.db.sessions() as session:
        after = {p.id: p for p in (await session.exec(select(Posyandu)))}
        notes = (
            await session.exec(select(StatusChange).where(StatusChange.action == "register"))
        ).all()
    numbered = {p.name: p.registration_number for p in after.values() if p.status == "registered"}
    assert numbered == {
        "Posyandu Mawar": f"{D}.001",
        "Melati": f"{D}.002",
        "Posyandu Dahlia": f"{D}.011",
        "Posyandu Cempaka": f"{D}.050",
    }
    untouched = {
        "Kenanga",
        "Posyandu Kenanga",
        "Posyandu Seruni",
        "Posyandu Anggrek",
        "Posyandu Cempaka",
    }
    for name in untouched:  # refused rows left no trace
        assert (after[ids[name]].status, after[ids[name]].version) == before[ids[name]]
    assert (
        sorted((n.actor, n.from_status, n.note is not None) for n in notes)
        == [("dpmd-kukar", "verified", False)] + [("dpmd-kukar", "verified", True)] * 3
    )

    again = await registry.client.post(PATH, content=_csv(ROWS), headers=registry.dpmd | CSV)
    assert (again.json()["registered"], again.json()["unchanged"], again.json()["rejected"]) == (
        0,
        3,
        11,
    )

    # 8 created, 7 submitted, 7 verified, then 1 registered singly and 3 in bulk; nothing more
    events = await read_envelopes(
        kafka_broker.bootstrap_servers, registry.settings.topic(TOPIC), expected=26
    )
    registered = [
        e
        for e in events
        if e.type == "registry.posyandu.status_changed.v1" and e.data["action"] == "register"
    ]
    assert len(events) == 26 and len(registered) == 4
    by_number = {e.data["registration_number"]: e for e in registered}  # keys, not order
    assert sorted(by_number) == [f"{D}.001", f"{D}.002", f"{D}.011", f"{D}.050"]
    one_at_a_time, bulk = by_number[f"{D}.050"], by_number[f"{D}.001"]
    assert bulk.data.keys() == one_at_a_time.data.keys()
    assert (bulk.wilayah, bulk.posyandu_id, bulk.data["to_status"]) == (
        D,
        ids["Posyandu Mawar"],
        "registered",
    )


async def test_json_rows_and_what_a_body_must_be(registry: Registry) -> None:
    mawar = await _posyandu(registry, "Posyandu Mawar")
    rows = [
        {"desa_code": D, "name": " Mawar ", "registration_number": f" {D}.001 "},
        {"desa_code": D, "name": "Posyandu Mawar", "registration_number": f"{D}.000"},
    ]
    response = await registry.client.post(PATH, json={"rows": rows}, headers=registry.dpmd)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["registered"], body["rejected"]) == (1, 1)
    assert body["rows"][0]["posyandu_id"] == mawar and body["rows"][0]["line"] is None
    assert body["rows"][1]["errors"][0]["rule"] == "sequence"

    wrong_type = await registry.client.post(
        PATH, content="a,b", headers=registry.dpmd | {"Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    no_header = await registry.client.post(
        PATH, content="desa_code,name\nx,y\n", headers=registry.dpmd | CSV
    )
    assert no_header.status_code == 422
    assert no_header.json()["errors"][0]["rule"] == "csv_header"
    not_rows = await registry.client.post(
        PATH, json={"rows": [{"name": "x"}]}, headers=registry.dpmd
    )
    assert not_rows.status_code == 422
    assert {e["field"] for e in not_rows.json()["errors"]} == {
        "body.rows[0].desa_code",
        "body.rows[0].registration_number",
    }
    tp = await registry.client.post(PATH, json={"rows": []}, headers=registry.tp)
    assert tp.status_code == 403
