"""A disaster's affected households in bulk over the real PostgreSQL and Kafka: a 1,000-item
batch with bad items named and the good ones written, one ``DisasterAssessed`` per batch with
its households by pseudonym, a household twice across batches refused, displaced school-age
children referred to education once each (a non-displaced household's not), KK masked on
reads, and no KK or NIK in any record on the topic."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, TENGGARONG_KELURAHAN, Trantib

from simpul_platform.clock import local_today
from simpul_platform.referrals.tables import referral
from simpul_platform.testing.kafka_reader import read_topic
from simpul_trantib.events import TOPIC
from simpul_trantib.models import DisasterHousehold, DisplacedChild

pytestmark = pytest.mark.integration
DAMAGES = ("rr", "rs", "rb", "hilang", "none")


def kk(n: int) -> str:
    return f"640206{n:010d}"


def nik(birth: date, serial: int) -> str:
    return f"640206{birth:%d%m%y}{serial:04d}"


def years_before(day: date, years: int) -> date:
    return day - timedelta(days=round(years * 365.25) + 10)


async def send(tr: Trantib, disaster_id: str, items: list[dict[str, Any]], headers: Any) -> Any:
    answer = await tr.client.post(
        f"/v1/disasters/{disaster_id}/households", json={"items": items}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def count(tr: Trantib, query: Any) -> int:
    async with tr.app.state.db.sessions() as session:
        return int((await session.execute(query)).scalar_one())


async def test_households_in_bulk_and_displaced_children_referred_once(trantib: Trantib) -> None:
    tr = trantib
    today = local_today(tr.settings)
    occurred = today - timedelta(days=20)
    a = await tr.known_posyandu(RAPAK_LAMBUR)
    b = await tr.known_posyandu(MANGKURAWANG)
    c = await tr.known_posyandu(TENGGARONG_KELURAHAN)  # Tenggarong, but not struck
    declared = await tr.client.post(
        "/v1/disasters",
        json={
            "kind": "banjir",
            "name": "Banjir Tenggarong",
            "occurred_on": occurred.isoformat(),
            "affected_desa": [RAPAK_LAMBUR, MANGKURAWANG],
        },
        headers=tr.bpbd,
    )
    disaster = declared.json()["id"]
    school, toddler = years_before(occurred, 10), years_before(occurred, 3)
    niks: list[str] = []

    def item(i: int, **change: Any) -> dict[str, Any]:
        children = []
        if i % 30 == 0:  # displaced, with a schoolchild (referred) and a toddler (not)
            children = [
                {"nik": nik(school, i // 30 + 1), "birth_date": school.isoformat()},
                {"nik": nik(toddler, i // 30 + 1), "birth_date": toddler.isoformat()},
            ]
            niks.extend(child["nik"] for child in children)
        return {
            "kk": kk(i),
            "posyandu_id": a if i % 2 == 0 else b,
            "damage": DAMAGES[i % 5],
            "displaced": i % 3 == 0,
            "members": 4,
            "evacuated": i % 6 == 0,
            "school_age_children": children,
            **change,
        }

    items = [item(i) for i in range(1000)]
    items[5] = item(5, posyandu_id=c)
    items[7] = item(7, kk=kk(6))
    items[9] = item(9, damage="parah")
    items[11] = item(11, posyandu_id="no-such-posyandu")
    future = (today + timedelta(days=1)).isoformat()
    items[13] = item(13, school_age_children=[{"nik": nik(school, 999), "birth_date": future}])
    started = time.perf_counter()
    first = await send(tr, disaster, items, tr.bpbd)
    print(f"1,000 households (34 children referred): {time.perf_counter() - started:.3f} s")
    assert (first["recorded"], first["errors"], first["children_referred"]) == (995, 5, 34)
    named = {
        r["index"]: (r["errors"][0]["field"], r["errors"][0]["rule"])
        for r in first["results"]
        if r["status"] == "error"
    }
    assert named == {
        5: ("body.items[5].posyandu_id", "outside_disaster_area"),
        7: ("body.items[7].kk", "duplicate_in_batch"),
        9: ("body.items[9].damage", named[9][1]),
        11: ("body.items[11].posyandu_id", named[11][1]),
        13: ("body.items[13].school_age_children[0].birth_date", "not_in_future"),
    }
    assert first["results"][0]["children_referred"] == 1
    assert first["results"][0]["household_ref"] == tr.household_ref(kk(0))

    # The kader of Rapak Lambur: a household again, the same child named by a new household,
    # a posyandu outside their wilayah, a schoolchild not displaced, a new displaced one.
    again_child = {"nik": nik(school, 1), "birth_date": school.isoformat()}
    new_child = {"nik": nik(years_before(occurred, 12), 77), "birth_date":
                 years_before(occurred, 12).isoformat()}  # fmt: skip
    stayed_child = {"nik": nik(school, 88), "birth_date": school.isoformat()}
    niks += [new_child["nik"], stayed_child["nik"]]
    second = await send(
        tr,
        disaster,
        [
            item(0),
            item(2000, displaced=True, posyandu_id=a, school_age_children=[again_child]),
            item(2001, posyandu_id=b),
            item(2002, displaced=False, posyandu_id=a, school_age_children=[stayed_child]),
            item(2003, displaced=True, posyandu_id=a, school_age_children=[new_child]),
        ],
        tr.kader,
    )
    assert [r["status"] for r in second["results"]] == [
        "error", "recorded", "error", "recorded", "recorded",
    ]  # fmt: skip
    assert second["results"][0]["errors"][0]["rule"] == "duplicate_household"
    assert second["results"][2]["errors"][0]["rule"] == "outside_wilayah"
    assert [r["children_referred"] for r in second["results"]] == [0, 0, 0, 0, 1]
    nothing = await send(tr, disaster, [item(2)], tr.bpbd)
    assert (nothing["recorded"], nothing["errors"]) == (0, 1)

    households = select(func.count()).select_from(DisasterHousehold)
    assert await count(tr, households) == 998
    assert await count(tr, select(func.count()).select_from(DisplacedChild)) == 35
    async with tr.app.state.db.sessions() as session:
        rows = (await session.execute(select(referral))).mappings().all()
    assert len(rows) == 35
    assert {(r["direction"], r["target_field"], r["reason_code"]) for r in rows} == {
        ("outgoing", "education", "disaster_displaced")
    }
    assert {r["details"]["occurred_on"] for r in rows} == {occurred.isoformat()}
    assert {r["details"]["age_years"] for r in rows} == {10, 12}
    assert len({r["person_ref"] for r in rows}) == 35
    assert tr.person_ref(stayed_child["nik"]) not in {r["person_ref"] for r in rows}

    records = await read_topic(
        tr.settings.kafka_bootstrap_servers, tr.settings.topic(TOPIC), expected=38
    )
    types = [dict(r.headers)["ce_type"].decode() for r in records]
    assert sorted(set(types)) == [
        "trantib.disaster.assessed.v1",
        "trantib.disaster.declared.v1",
        "trantib.referral.requested.v1",
    ]
    assert (types.count("trantib.disaster.assessed.v1"), len(types)) == (2, 38)
    wire = b"\n".join(
        (r.key or b"") + r.value + b"".join(k.encode() + v for k, v in r.headers) for r in records
    )
    for identifier in [kk(i) for i in range(1000)] + [kk(i) for i in range(2000, 2004)] + niks:
        assert identifier.encode() not in wire
    assessed = [
        r for r, t in zip(records, types, strict=True) if t == "trantib.disaster.assessed.v1"
    ]
    import json

    sent = [json.loads(r.value)["households"] for r in assessed]
    assert sorted(len(h) for h in sent) == [3, 995]
    refs = {h["household_ref"] for part in sent for h in part}
    assert len(refs) == 998 and tr.household_ref(kk(0)) in refs
    requested = [json.loads(r.value) for r, t in zip(records, types, strict=True)
                 if t == "trantib.referral.requested.v1"]  # fmt: skip
    assert {q["target_field"] for q in requested} == {"education"}
    assert tr.person_ref(new_child["nik"]) in {q["person_ref"] for q in requested}

    detail = (await tr.client.get(f"/v1/disasters/{disaster}", headers=tr.bpbd)).json()
    counted = detail["households"]
    assert (counted["total"], counted["children_referred"]) == (998, 35)
    assert counted["by_damage"]["rb"] == 199 + 1  # every fifth from item 2 but item 7; 2002
    listed = await tr.client.get(
        f"/v1/disasters/{disaster}/households", params={"damage": "rb", "limit": 1000},
        headers=tr.kader,
    )  # fmt: skip
    shown = listed.json()
    assert shown and {h["desa_code"] for h in shown} == {RAPAK_LAMBUR}
    assert all("kk" not in h and h["kk_masked"].startswith("640206********") for h in shown)
