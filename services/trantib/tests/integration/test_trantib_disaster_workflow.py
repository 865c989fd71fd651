"""A disaster over the real PostgreSQL and Kafka: declared over desa of the caller's wilayah
(the smallest area holding them its wilayah), assessed twice, stepped to its close with each
step announced and kept in its history; steps out of order and dates out of order refused;
a caller outside its area refused (403) or not shown it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, TENGGARONG, Trantib

from simpul_platform.clock import local_today

pytestmark = pytest.mark.integration
OTHER_KECAMATAN = "64.02.07.2003"


def declaration(tr: Trantib, **change: Any) -> dict[str, Any]:
    today = local_today(tr.settings)
    return {
        "kind": "banjir",
        "name": "Banjir Tenggarong",
        "occurred_on": (today - timedelta(days=20)).isoformat(),
        "affected_desa": [RAPAK_LAMBUR, MANGKURAWANG],
        "status_sk_number": "360/123/BPBD/2026",
        "status_sk_date": (today - timedelta(days=19)).isoformat(),
        "emergency_level": "tanggap_darurat",
        **change,
    }


def days_ago(tr: Trantib, n: int) -> str:
    return (local_today(tr.settings) - timedelta(days=n)).isoformat()


async def declare(tr: Trantib, **change: Any) -> dict[str, Any]:
    made = await tr.client.post("/v1/disasters", json=declaration(tr, **change), headers=tr.bpbd)
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


ASSESSMENT = {
    "dead": 1,
    "missing": 2,
    "injured": 7,
    "displaced": 120,
    "affected": 850,
    "houses_rr": 40,
    "houses_rs": 12,
    "houses_rb": 3,
    "facilities": {"pendidikan": 2, "peribadatan": 1},
    "needing_evacuation": 60,
}


async def test_a_disaster_from_declaration_to_close_with_its_events(trantib: Trantib) -> None:
    tr = trantib
    disaster = await declare(tr)
    assert (disaster["wilayah_code"], disaster["status"]) == (TENGGARONG, "declared")
    assert disaster["allowed_actions"] == ["assess"]
    one = f"/v1/disasters/{disaster['id']}"

    first = await tr.client.put(
        one + "/assessment", json={**ASSESSMENT, "assessed_on": days_ago(tr, 18)}, headers=tr.bpbd
    )
    assert first.status_code == 200, first.text
    again = {**ASSESSMENT, "displaced": 150, "assessed_on": days_ago(tr, 17)}
    second = await tr.client.put(one + "/assessment", json=again, headers=tr.bpbd)
    assert second.json()["displaced"] == 150
    # Evacuating more than needed, or a step dated before the last, is refused.
    over = await tr.client.post(one + "/evacuate", json={"evacuated": 61}, headers=tr.bpbd)
    assert over.status_code == 422, over.text
    assert over.json()["errors"][0]["rule"] == "exceeds_needing_evacuation"
    early = {"evacuated": 10, "on": days_ago(tr, 18)}
    dated = await tr.client.post(one + "/evacuate", json=early, headers=tr.bpbd)
    assert dated.json()["errors"][0]["rule"] == "before_previous_step", dated.text
    # Out of order: recovery before evacuation and response.
    wrong = await tr.client.post(one + "/recover", json={}, headers=tr.bpbd)
    assert wrong.status_code == 409, wrong.text
    assert (wrong.json()["current_status"], wrong.json()["allowed"]) == (
        "assessed",
        ["assess", "evacuate"],
    )

    steps = [
        ("evacuate", {"evacuated": 55, "on": days_ago(tr, 16)}),
        ("respond", {"on": days_ago(tr, 15)}),
        ("recover", {"on": days_ago(tr, 5), "note": "rehab-rekon"}),
        ("close", {}),
    ]
    for action, body in steps:
        taken = await tr.client.post(f"{one}/{action}", json=body, headers=tr.bpbd)
        assert taken.status_code == 200, (action, taken.text)
    closed = taken.json()
    assert (closed["status"], closed["evacuated"], closed["closed_on"]) == (
        "closed",
        55,
        local_today(tr.settings).isoformat(),
    )
    assert [h["action"] for h in closed["history"]] == [
        "declare", "assess", "assess", "evacuate", "respond", "recover", "close",
    ]  # fmt: skip
    assert closed["history"][3]["codes"] == {"evacuated": 55, "needing_evacuation": 60}
    assert closed["allowed_actions"] == []
    after = await tr.client.put(one + "/assessment", json=ASSESSMENT, headers=tr.bpbd)
    assert after.status_code == 409
    late = {"kk": "6402061234560001", "posyandu_id": "any", "damage": "rb", "displaced": True,
            "members": 3}  # fmt: skip
    final = await tr.client.post(one + "/households", json={"items": [late]}, headers=tr.bpbd)
    assert (final.status_code, final.json()["current_status"]) == (409, "closed")

    events = await tr.events(7)
    kinds = [e.type for e in events]
    assert kinds == [
        "trantib.disaster.declared.v1",
        "trantib.disaster.assessed.v1",
        "trantib.disaster.assessed.v1",
        *["trantib.disaster.status_changed.v1"] * 4,
    ]
    declared, assessed = events[0], events[2]
    assert declared.data["affected_desa"] == [RAPAK_LAMBUR, MANGKURAWANG]
    assert (declared.key, declared.wilayah) == (disaster["id"].encode(), TENGGARONG)
    assert assessed.data["counts"]["displaced"] == 150
    assert assessed.data["houses"] == {"rr": 40, "rs": 12, "rb": 3}
    assert assessed.data["facilities"] == {
        "pendidikan": 2, "peribadatan": 1, "kesehatan": 0, "kantor": 0, "jembatan": 0,
    }  # fmt: skip
    assert assessed.data["households"] == []
    changes = [(e.data["action"], e.data["from_status"], e.data["to_status"]) for e in events[3:]]
    assert changes == [
        ("evacuate", "assessed", "evacuation"),
        ("respond", "evacuation", "emergency_response"),
        ("recover", "emergency_response", "recovery"),
        ("close", "recovery", "closed"),
    ]


async def test_out_of_wilayah_refused_and_visibility_by_overlap(trantib: Trantib) -> None:
    tr = trantib
    tenggarong_bpbd = tr.auth(["opd:trantib:bpbd"], [TENGGARONG], sub="bpbd-tgr")
    outside = declaration(tr, affected_desa=[RAPAK_LAMBUR, OTHER_KECAMATAN])
    refused = await tr.client.post("/v1/disasters", json=outside, headers=tenggarong_bpbd)
    assert refused.status_code == 403, refused.text
    wide = await declare(tr, affected_desa=[RAPAK_LAMBUR, OTHER_KECAMATAN], kind="tanah_longsor")
    assert wide["wilayah_code"] == "64.02"
    # The kecamatan's BPBD sees the kabupaten-wide disaster but may not step it.
    seen = await tr.client.get(f"/v1/disasters/{wide['id']}", headers=tenggarong_bpbd)
    assert seen.status_code == 200, seen.text
    stepped = await tr.client.put(
        f"/v1/disasters/{wide['id']}/assessment", json=ASSESSMENT, headers=tenggarong_bpbd
    )
    assert stepped.status_code == 403, stepped.text
    # The Rapak Lambur kader sees a Tenggarong disaster, not one of another kecamatan alone.
    elsewhere = await declare(tr, affected_desa=[OTHER_KECAMATAN], kind="karhutla")
    assert elsewhere["wilayah_code"] == OTHER_KECAMATAN
    listed = await tr.client.get("/v1/disasters", headers=tr.kader)
    assert {d["id"] for d in listed.json()} == {wide["id"]}
    hidden = await tr.client.get(f"/v1/disasters/{elsewhere['id']}", headers=tr.kader)
    assert hidden.status_code == 404
    by_kind = await tr.client.get(
        "/v1/disasters", params={"kind": "karhutla", "year": elsewhere["occurred_on"][:4]},
        headers=tr.dpmd,
    )  # fmt: skip
    assert [d["id"] for d in by_kind.json()] == [elsewhere["id"]]
    # A kader records households but does not declare.
    kader = await tr.client.post("/v1/disasters", json=declaration(tr), headers=tr.kader)
    assert kader.status_code == 403
    future = declaration(tr, occurred_on=days_ago(tr, -1), status_sk_number=None,
                         status_sk_date=None)  # fmt: skip
    refused_future = await tr.client.post("/v1/disasters", json=future, headers=tr.bpbd)
    assert refused_future.json()["errors"][0]["rule"] == "not_in_future"
