"""Fire incidents over the real PostgreSQL and Kafka: the response at exactly 15:00 (met) and
15:01 (not); times out of order refused naming each field, a time in the future refused; the
WMK at the radius and with no active post; missed and WMK filters and the response read; the
damaged houses' No. KK never on Kafka and ``FireAttended`` once with its households; writes
outside the wilayah refused and reads within it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from trantib_fire_kit import POST_AT, add_post, north_of, south_of
from trantib_testkit import MANGKURAWANG, Trantib

from simpul_platform.clock import local_day, now
from simpul_platform.testing.kafka_reader import read_topic
from simpul_trantib.domain.fire import STEP_TIMES
from simpul_trantib.events import TOPIC

pytestmark = pytest.mark.integration

KK_ONE, KK_TWO = "6402061234560001", "6402061234560002"


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def report(
    tr: Trantib,
    posyandu: str,
    received: datetime,
    point: tuple[float, float] = POST_AT,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "posyandu_id": posyandu,
        "place": "RT 05, Jl. Poros Rapak Lambur",
        "latitude": point[0],
        "longitude": point[1],
        "report_received_at": iso(received),
        "object_kind": "rumah",
        **extra,
    }
    made = await tr.client.post("/v1/fire-incidents", json=body, headers=headers or tr.damkar)
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


async def times(tr: Trantib, incident: dict[str, Any], **given: datetime) -> Any:
    body = {name: iso(value) for name, value in given.items()}
    return await tr.client.post(
        f"/v1/fire-incidents/{incident['id']}/times", json=body, headers=tr.damkar
    )


def refusal(response: Any) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    return error["field"], error["rule"]


async def test_response_time_order_future_and_the_wmk(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    call = now() - timedelta(hours=3)
    lonely = await report(tr, posyandu, call, object_kind="lahan")
    assert (lonely["fire_post_id"], lonely["inside_wmk"]) == (None, False)  # no active post

    post = await add_post(tr, "Pos Damkar Tenggarong", POST_AT)
    on_time = await report(tr, posyandu, call, south_of(POST_AT, 7500.0))
    assert (on_time["fire_post_id"], on_time["inside_wmk"], on_time["distance_km"]) == (
        post["id"],
        True,
        7.5,
    )
    late = await report(tr, posyandu, call, north_of(POST_AT, 7510.0), cause="listrik")
    assert (late["fire_post_id"], late["inside_wmk"]) == (post["id"], False)

    got = await times(tr, on_time, dispatched_at=call + timedelta(minutes=1))
    assert got.json()["status"] == "dispatched"
    got = await times(tr, on_time, arrived_at=call + timedelta(minutes=15))
    shown = got.json()
    assert (shown["status"], shown["response_seconds"], shown["response_met"]) == (
        "on_scene",
        900,
        True,
    )
    got = await times(tr, late, arrived_at=call + timedelta(minutes=15, seconds=1))
    shown = got.json()
    assert (shown["response_seconds"], shown["response_met"], shown["missed"]) == (901, False, True)

    # Each time before the call is out of order, named; so is an arrival before the dispatch.
    for name in STEP_TIMES:
        assert refusal(await times(tr, lonely, **{name: call - timedelta(minutes=1)})) == (
            f"body.{name}",
            "out_of_order",
        )
    assert refusal(await times(tr, on_time, turnout_at=call + timedelta(minutes=16))) == (
        "body.turnout_at",
        "out_of_order",
    )
    assert refusal(await times(tr, on_time, action_started_at=call)) == (
        "body.action_started_at",
        "out_of_order",
    )
    assert refusal(await times(tr, lonely, arrived_at=now() + timedelta(hours=1))) == (
        "body.arrived_at",
        "in_future",
    )
    future = await tr.client.post(
        "/v1/fire-incidents",
        json={
            "posyandu_id": posyandu,
            "place": "Pasar Tenggarong",
            "latitude": POST_AT[0],
            "longitude": POST_AT[1],
            "report_received_at": iso(now() + timedelta(hours=1)),
            "object_kind": "pasar",
        },
        headers=tr.damkar,
    )
    assert refusal(future) == ("body.report_received_at", "in_future")
    stored = await tr.client.get(f"/v1/fire-incidents/{on_time['id']}", headers=tr.kader)
    kept = stored.json()
    assert datetime.fromisoformat(kept["arrived_at"]) == call + timedelta(minutes=15)
    assert (kept["turnout_at"], kept["action_started_at"]) == (None, None)

    # Missed: over the limit (late) or no arrival and the limit past (lonely); not on_time.
    listed = await tr.client.get("/v1/fire-incidents?missed=true", headers=tr.damkar)
    assert {i["id"] for i in listed.json()} == {late["id"], lonely["id"]}
    listed = await tr.client.get("/v1/fire-incidents?missed=false", headers=tr.damkar)
    assert [i["id"] for i in listed.json()] == [on_time["id"]]
    listed = await tr.client.get("/v1/fire-incidents?inside_wmk=true", headers=tr.kader)
    assert [i["id"] for i in listed.json()] == [on_time["id"]]
    day = local_day(tr.settings, call)
    bounds = f"from={day.isoformat()}&to={day.isoformat()}"
    listed = await tr.client.get(f"/v1/fire-incidents?{bounds}", headers=tr.damkar)
    assert len(listed.json()) == 3
    after = (day + timedelta(days=1)).isoformat()
    listed = await tr.client.get(f"/v1/fire-incidents?from={after}", headers=tr.damkar)
    assert listed.json() == []

    # The response read: three incidents, two arrivals (900 s and 901 s), one met.
    month = day.strftime("%Y-%m")
    read = await tr.client.get(f"/v1/fire-response?period={month}", headers=tr.dpmd)
    assert read.status_code == 200, read.text
    figures = read.json()
    assert (figures["incidents"], figures["arrived"], figures["met"]) == (3, 2, 1)
    assert figures["mean_response_seconds"] == 900.5
    assert figures["median_response_seconds"] == 900.5
    assert figures["share_met_percent"] == 33.33
    assert (figures["inside_wmk"]["incidents"], figures["inside_wmk"]["met"]) == (1, 1)
    assert (figures["outside_wmk"]["incidents"], figures["outside_wmk"]["arrived"]) == (2, 1)
    by_post = {p["fire_post_id"]: p["incidents"] for p in figures["by_post"]}
    assert by_post == {post["id"]: 2, None: 1}
    yearly = await tr.client.get(f"/v1/fire-response?period={day.year}", headers=tr.damkar)
    assert yearly.json()["incidents"] == 3
    far = await tr.client.get("/v1/fire-response?period=9999-12", headers=tr.damkar)
    assert far.json()["incidents"] == 0
    ever = "/v1/fire-incidents?from=0001-01-01&to=9999-12-31"
    assert len((await tr.client.get(ever, headers=tr.damkar)).json()) == 3
    assert (await tr.client.get("/v1/fire-incidents", headers=tr.dpmd)).status_code == 403


async def test_damaged_houses_and_the_close_reach_kafka_once_without_the_kk(
    trantib: Trantib,
) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    neighbour = await tr.known_posyandu(MANGKURAWANG)
    await add_post(tr, "Pos Damkar Tenggarong", POST_AT)
    call = now() - timedelta(hours=2)
    incident = await report(tr, posyandu, call, cause="kompor_gas")
    houses = {
        "items": [
            {"kk": KK_ONE, "posyandu_id": posyandu, "damage": "rb", "members": 4},
            {"kk": KK_TWO, "posyandu_id": neighbour, "damage": "rr"},
        ]
    }
    path = f"/v1/fire-incidents/{incident['id']}"
    added = await tr.client.post(path + "/damaged-houses", json=houses, headers=tr.damkar)
    assert added.status_code == 200, added.text
    shown = {h["household_ref"]: h for h in added.json()["damaged_houses"]}
    assert shown[tr.household_ref(KK_ONE)]["kk"] == "640206********01"
    assert shown[tr.household_ref(KK_ONE)]["displaced"] is True
    assert shown[tr.household_ref(KK_TWO)]["displaced"] is False
    again = {"items": [{"kk": KK_ONE, "posyandu_id": posyandu, "damage": "rs"}]}
    twice = await tr.client.post(path + "/damaged-houses", json=again, headers=tr.damkar)
    assert twice.status_code == 409, twice.text
    in_one = {"items": [{"kk": "6402061234560003", "posyandu_id": posyandu, "damage": "rs"}] * 2}
    twice = await tr.client.post(path + "/damaged-houses", json=in_one, headers=tr.damkar)
    assert twice.status_code == 409, twice.text
    desa_only = tr.auth(["opd:trantib:damkar"], ["64.02.06.2012"], sub="damkar-rapak")
    elsewhere = {"items": [{"kk": "6402061234560004", "posyandu_id": neighbour, "damage": "rr"}]}
    refused = await tr.client.post(path + "/damaged-houses", json=elsewhere, headers=desa_only)
    assert refused.status_code == 403, refused.text

    early = await tr.client.post(path + "/close", headers=tr.damkar)
    assert refusal(early) == ("body.extinguished_at", "extinguished_required")
    await times(
        tr,
        incident,
        arrived_at=call + timedelta(minutes=9),
        extinguished_at=call + timedelta(minutes=70),
    )
    patch = {"direct_injured": 1, "affected_trauma": 3, "loss_rupiah": 15_000_000_000, "crew": 12}
    amended = await tr.client.patch(path, json=patch, headers=tr.damkar)
    assert amended.status_code == 200, amended.text
    closed = await tr.client.post(path + "/close", headers=tr.damkar)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["response_met"]) == ("closed", True)
    for refused in (
        await tr.client.post(path + "/close", headers=tr.damkar),
        await tr.client.patch(path, json={"crew": 13}, headers=tr.damkar),
        await times(tr, incident, controlled_at=call + timedelta(minutes=60)),
        await tr.client.post(path + "/damaged-houses", json=elsewhere, headers=tr.damkar),
    ):
        assert refused.status_code == 409, refused.text

    # A later report at the same posyandu (same key, so after them on the partition) marks
    # the end of what the incident published.
    sentinel = await report(tr, posyandu, now() - timedelta(minutes=5))
    records = await read_topic(
        tr.settings.kafka_bootstrap_servers, tr.settings.topic(TOPIC), expected=3
    )
    raw = b"".join((r.value or b"") + b"".join(v for _, v in r.headers) for r in records)
    for secret in (KK_ONE.encode(), KK_TWO.encode(), b"Poros Rapak"):
        assert secret not in raw
    envelopes = await tr.events(3)
    types = [e.type for e in envelopes]
    assert types.count("trantib.fire.attended.v1") == 1
    assert [e.data["incident_id"] for e in envelopes if e.type.endswith("reported.v1")] == [
        incident["id"],
        sentinel["id"],
    ]
    [attended] = [e.data for e in envelopes if e.type == "trantib.fire.attended.v1"]
    assert attended["casualties"]["direct_injured"] == 1
    assert attended["casualties"]["affected_trauma"] == 3
    assert (attended["loss_rupiah"], attended["response_seconds"]) == (15_000_000_000, 540)
    households = {h["household_ref"]: h for h in attended["damaged_households"]}
    assert households == {
        tr.household_ref(KK_ONE): {
            "household_ref": tr.household_ref(KK_ONE),
            "posyandu_id": posyandu,
            "desa_code": "64.02.06.2012",
            "damage": "rb",
            "displaced": True,
            "members": 4,
        },
        tr.household_ref(KK_TWO): {
            "household_ref": tr.household_ref(KK_TWO),
            "posyandu_id": neighbour,
            "desa_code": MANGKURAWANG,
            "damage": "rr",
            "displaced": False,
            "members": None,
        },
    }
    reported = next(e.data for e in envelopes if e.type.endswith("reported.v1"))
    assert "latitude" not in reported and "place" not in reported


async def test_fire_incidents_stay_in_the_wilayah(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    incident = await report(tr, posyandu, now() - timedelta(hours=1))
    elsewhere = tr.auth(["opd:trantib:damkar"], ["64.02.07"], sub="damkar-loa-janan")
    body = {
        "posyandu_id": posyandu,
        "place": "Pasar Tenggarong",
        "latitude": POST_AT[0],
        "longitude": POST_AT[1],
        "report_received_at": iso(now() - timedelta(minutes=3)),
        "object_kind": "pasar",
    }
    refused = await tr.client.post("/v1/fire-incidents", json=body, headers=elsewhere)
    assert refused.status_code == 403, refused.text
    refused = await tr.client.post("/v1/fire-incidents", json=body, headers=tr.kader)
    assert refused.status_code == 403, refused.text  # a kader does not record fires
    path = f"/v1/fire-incidents/{incident['id']}"
    hidden = await tr.client.post(
        path + "/times", json={"dispatched_at": iso(now())}, headers=elsewhere
    )
    assert hidden.status_code == 404, hidden.text
    other = tr.auth(["kader:trantib"], ["64.02.07.2001"], sub="kader-loa-janan")
    assert (await tr.client.get(path, headers=other)).status_code == 404
    assert (await tr.client.get("/v1/fire-incidents", headers=other)).json() == []
    assert [i["id"] for i in (await tr.client.get("/v1/fire-incidents", headers=tr.kader)).json()]
    outside = await tr.client.get(
        "/v1/fire-response?period=2026&wilayah=64.02.07", headers=tr.kader
    )
    assert outside.status_code == 403, outside.text
    theirs = await tr.client.get("/v1/fire-response?period=2026", headers=other)
    assert theirs.json()["incidents"] == 0
