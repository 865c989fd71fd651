"""DPMD's emergencies view composed from scripted services: trantib's emergencies and missed
fires, housing's disaster houses and social's protection cases by emergency. The counts equal
a hand count; a service down or not deployed empties its section's counts (null, never 0)
and the view still answers; the ids go in chunks of at most 200; outside the caller's
wilayah, or for a role without the cross-field views, it is refused.

The world (one flood, one fire, one disaster without households; h1…h8 households):

    flood, desa A: h1 rb (housing completed, social protected)
                   h2 rs (housing in_handling, social not protected)
                   h3 none (a housing case reported: not damaged, not counted; protected)
                   h4 hilang (no housing case, no social case)
           desa B: h5 rr (housing fixed, protected)
                   h6 none (no social case)
    fire,  desa A: h7 rb (completed, protected)
                   h8 rr (no housing case, no social case)
"""

from __future__ import annotations

from typing import Any

import pytest
from test_gateway_education import DESA_A, DESA_B, DPMD, PERIOD, SETTINGS, Scripted, gateway

from simpul_gateway.clients import BY_SOURCE_CHUNK, CLIENTS, HousingClient
from simpul_gateway.upstream import Answer, Status
from simpul_gateway.upstreams import Upstreams
from simpul_platform.auth import mint_token
from simpul_platform.indicators import SPM_FIELDS

pytestmark = pytest.mark.unit
__all__ = ["gateway"]  # the fixture, shared

HOUSES = "/v1/disaster-houses/by-source"
PROTECTION = "/v1/disaster-protection/by-source"
MISSED = {
    "incident_id": "f-9",
    "posyandu_id": "pos-1",
    "desa_code": DESA_A,
    "object_kind": "rumah",
    "fire_post_id": "post-1",
    "fire_post_name": "Pos Damkar Tenggarong",
    "inside_wmk": False,
    "distance_km": 9.1,
    "report_received_at": "2026-07-04T03:00:00Z",
    "arrived_at": "2026-07-04T03:15:01Z",
    "response_seconds": 901,
}


def hh(ref: str, desa: str, damage: str, displaced: bool | None = None) -> dict[str, Any]:
    return {"household_ref": ref, "desa_code": desa, "damage": damage, "displaced": displaced}


def emergency(kind: str, id: str, households: list[dict[str, Any]], on: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": id,
        "name": f"{kind} {id}",
        "hazard": "banjir" if kind == "disaster" else "kebakaran",
        "occurred_on": on,
        "wilayah_code": "64.02.06",
        "households": households,
    }


FLOOD = emergency(
    "disaster",
    "d-flood",
    [
        hh("h1", DESA_A, "rb", True),
        hh("h2", DESA_A, "rs", True),
        hh("h3", DESA_A, "none", False),
        hh("h4", DESA_A, "hilang", True),
        hh("h5", DESA_B, "rr", False),
        hh("h6", DESA_B, "none", False),
    ],
    "2026-07-02",
)
FIRE = emergency("fire", "f-1", [hh("h7", DESA_A, "rb"), hh("h8", DESA_A, "rr")], "2026-07-03")
EMPTY = emergency("disaster", "d-empty", [], "2026-07-05")
TRANTIB = {
    "wilayah": "64.02.06",
    "period": PERIOD,
    "response_minutes": 15,
    "missed_fires": [MISSED],
    "emergencies": [FLOOD, FIRE, EMPTY],
}


def house(event: str, ref: str | None, status: str, desa: str = DESA_A) -> dict[str, Any]:
    return {
        "source_event_id": event,
        "household_ref": ref,
        "desa_code": desa,
        "damage": "rb",
        "status": status,
        "completed_on": "2026-07-20" if status == "completed" else None,
    }


def cover(event: str, ref: str, protected: bool, desa: str = DESA_A) -> dict[str, Any]:
    status = "protected" if protected else "assessed"
    return {
        "source_event_id": event,
        "household_ref": ref,
        "desa_code": desa,
        "status": status,
        "protected": protected,
    }


HOUSING_CASES = [
    house("d-flood", "h1", "completed"),
    house("d-flood", "h2", "in_handling"),
    house("d-flood", "h3", "reported"),
    house("d-flood", "h5", "fixed", DESA_B),
    house("f-1", "h7", "completed"),
    house("f-1", None, "reported"),  # a house reported without its household: not matched
    house("f-1", "h4", "completed"),  # h4's house in another emergency: not the flood's
]
SOCIAL_CASES = [
    cover("d-flood", "h1", True),
    cover("d-flood", "h2", False),
    cover("d-flood", "h3", True),
    cover("d-flood", "h5", True, DESA_B),
    cover("f-1", "h7", True),
]


class BySource(Scripted):
    """A service answering its by-source path with the rows of the ids asked (repeated
    ``source_event_id``), as housing and social do; ``down`` answers that path instead."""

    def __init__(self, name: str, path: str, rows: list[dict[str, Any]], down: Any = None):
        super().__init__(name, {})
        self.path, self.rows, self.down = path, rows, down

    async def get(self, path: str, token: str, params: dict[str, Any] | None = None) -> Answer:
        if path != self.path:
            return await super().get(path, token, params)
        self.asked.append((path, params))
        if self.down is not None:
            return self.down  # type: ignore[no-any-return]
        assert params is not None
        wanted = set(params["source_event_id"])
        return Answer(Status.OK, data=[r for r in self.rows if r["source_event_id"] in wanted])


def world(
    trantib: Any = TRANTIB, housing: Any = HOUSING_CASES, social: Any = SOCIAL_CASES
) -> Upstreams:
    """Trantib answering ``trantib`` (an ``Answer`` as is); housing and social answering
    their cases (an ``Answer``: their by-source path answers it; None: not deployed)."""

    def field(name: str, path: str, given: Any) -> Scripted:
        if given is None:
            return Scripted(name, None)
        if isinstance(given, Answer):
            return BySource(name, path, [], down=given)
        return BySource(name, path, given)

    fields = {f: CLIENTS[f](Scripted(f, None)) for f in SPM_FIELDS}
    fields["trantib"] = CLIENTS["trantib"](Scripted("trantib", {"/v1/emergencies": trantib}))
    fields["housing"] = CLIENTS["housing"](field("housing", HOUSES, housing))
    fields["social"] = CLIENTS["social"](field("social", PROTECTION, social))
    return Upstreams(registry=Scripted("registry", {}), fields=fields)


async def emergencies(
    gateway: Any, ups: Upstreams, headers: dict[str, str] = DPMD, wilayah: str = "64.02.06"
) -> Any:
    app, client = gateway
    app.state.upstreams = ups
    return await client.get(
        "/v1/emergencies", params={"wilayah": wilayah, "period": PERIOD}, headers=headers
    )


def counts(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["households"],
        row["damaged"],
        row["without_habitable_house"],
        row["awaiting_housing_case"],
        row["without_social_protection"],
    )


async def test_the_counts_equal_the_hand_count(gateway: Any) -> None:
    ups = world()
    response = await emergencies(gateway, ups)
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["wilayah"], view["period"], view["response_minutes"]) == ("64.02.06", PERIOD, 15)
    assert view["complete"] is True
    assert [view[s]["status"] for s in ("trantib", "housing", "social")] == ["ok"] * 3
    assert view["missed_fires"] == [MISSED]
    flood, fire, empty = view["emergencies"]
    assert (flood["id"], fire["id"], empty["id"]) == ("d-flood", "f-1", "d-empty")
    assert counts(flood) == (6, 4, 3, 1, 3)
    assert [(d["desa_code"], *counts(d)) for d in flood["by_desa"]] == [
        (DESA_A, 4, 3, 2, 1, 2),
        (DESA_B, 2, 1, 1, 0, 1),
    ]
    assert counts(fire) == (2, 2, 1, 1, 1)
    assert [(d["desa_code"], *counts(d)) for d in fire["by_desa"]] == [(DESA_A, 2, 2, 1, 1, 1)]
    assert (counts(empty), empty["by_desa"]) == ((0, 0, 0, 0, 0), [])
    assert counts(view["totals"]) == (8, 6, 4, 2, 4)
    assert (fire["hazard"], fire["kind"], fire["occurred_on"]) == (
        "kebakaran",
        "fire",
        "2026-07-03",
    )
    # Only the emergencies with households are asked about, each service once, with the wilayah.
    for service, path in ((ups.housing, HOUSES), (ups.social, PROTECTION)):
        assert service.upstream.asked == [  # type: ignore[attr-defined]
            (path, {"source_event_id": ["d-flood", "f-1"], "wilayah": "64.02.06"})
        ]


@pytest.mark.parametrize(
    ("down", "status"),
    [
        (Answer(Status.TIMEOUT, detail="did not answer in 2.0s"), "timeout"),
        (Answer(Status.UNAVAILABLE, detail="failed (500)"), "unavailable"),
        (Answer(Status.NOT_FOUND, detail="no such route"), "not_found"),
        (None, "not_available"),
    ],
)
async def test_housing_or_social_down_empties_its_counts_and_the_view_answers(
    gateway: Any, down: Answer | None, status: str
) -> None:
    without_housing = (await emergencies(gateway, world(housing=down))).json()
    assert (without_housing["housing"]["status"], without_housing["complete"]) == (status, False)
    assert without_housing["social"]["status"] == "ok"
    flood = without_housing["emergencies"][0]
    assert counts(flood) == (6, 4, None, None, 3)
    assert counts(flood["by_desa"][0]) == (4, 3, None, None, 2)
    assert counts(without_housing["totals"]) == (8, 6, None, None, 4)

    without_social = (await emergencies(gateway, world(social=down))).json()
    assert (without_social["social"]["status"], without_social["housing"]["status"]) == (
        status,
        "ok",
    )
    assert counts(without_social["emergencies"][0]) == (6, 4, 3, 1, None)
    assert counts(without_social["totals"]) == (8, 6, 4, 2, None)
    assert without_social["missed_fires"] == [MISSED]


async def test_a_case_list_the_gateway_cannot_read_is_that_service_unavailable(
    gateway: Any,
) -> None:
    wrong = [{"source_event_id": "d-flood", "household": "h1"}]
    view = (await emergencies(gateway, world(housing=wrong))).json()
    assert view["housing"]["status"] == "unavailable"
    assert "cannot read" in view["housing"]["detail"]
    assert counts(view["emergencies"][0])[2:4] == (None, None)


async def test_without_trantib_the_view_answers_empty_and_asks_nobody_else(gateway: Any) -> None:
    ups = world(trantib=Answer(Status.UNAVAILABLE, detail="trantib failed (503)"))
    response = await emergencies(gateway, ups)
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["trantib"]["status"], view["complete"], view["response_minutes"]) == (
        "unavailable",
        False,
        None,
    )
    assert (view["missed_fires"], view["emergencies"]) == ([], [])
    assert counts(view["totals"]) == (0, 0, 0, 0, 0)
    assert ups.housing.upstream.asked == ups.social.upstream.asked == []  # type: ignore[attr-defined]


async def test_ids_are_asked_in_chunks_of_at_most_200(gateway: Any) -> None:
    many = [
        emergency("disaster", f"d-{n:03d}", [hh(f"x{n}", DESA_B, "rb")], "2026-07-09")
        for n in range(450)
    ]
    cases = [house(f"d-{n:03d}", f"x{n}", "completed", DESA_B) for n in range(0, 450, 3)]
    ups = world(trantib={**TRANTIB, "emergencies": many}, housing=cases)
    view = (await emergencies(gateway, ups)).json()
    asked = [params["source_event_id"] for _, params in ups.housing.upstream.asked]  # type: ignore[attr-defined]
    assert [len(chunk) for chunk in asked] == [BY_SOURCE_CHUNK, BY_SOURCE_CHUNK, 50]
    assert [i for chunk in asked for i in chunk] == [e["id"] for e in many]
    assert counts(view["totals"]) == (450, 450, 300, 300, 450)


async def test_a_chunk_unanswered_is_the_whole_answer_missing() -> None:
    class SecondChunkFails(BySource):
        async def get(self, path: str, token: str, params: Any = None) -> Answer:
            if len(self.asked) == 1:
                self.asked.append((path, params))
                return Answer(Status.TIMEOUT, detail="housing did not answer in 2.0s")
            return await super().get(path, token, params)

    client = HousingClient(SecondChunkFails("housing", HOUSES, HOUSING_CASES))
    ids = [f"d-{n}" for n in range(BY_SOURCE_CHUNK + 1)]
    answer = await client.disaster_houses("tok", "64.02", ids)
    assert (answer.status, answer.data) == (Status.TIMEOUT, None)


async def test_outside_the_wilayah_or_without_a_cross_field_role_it_is_refused(
    gateway: Any,
) -> None:
    tp = {"Authorization": f"Bearer {mint_token(SETTINGS, 'tp', ['tp:kecamatan'], ['64.02.06'])}"}
    ups = world()
    outside = await emergencies(gateway, ups, headers=tp, wilayah="64.02.07")
    assert outside.status_code == 403, outside.text
    assert outside.headers["content-type"] == "application/problem+json"
    assert ups.trantib.upstream.asked == []  # type: ignore[attr-defined]
    inside = await emergencies(gateway, ups, headers=tp)
    assert inside.status_code == 200, inside.text
    opd = mint_token(SETTINGS, "damkar", ["opd:trantib"], ["64.02"])
    refused = await emergencies(gateway, ups, headers={"Authorization": f"Bearer {opd}"})
    assert refused.status_code == 403, refused.text


async def test_the_view_and_its_response_are_in_the_openapi_document(gateway: Any) -> None:
    _, client = gateway
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/v1/emergencies"]["get"]
    assert operation["operationId"] == "getEmergencies"
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/EmergencyView"}
    view = document["components"]["schemas"]["EmergencyView"]
    assert {"trantib", "housing", "social", "missed_fires", "emergencies", "totals"} <= set(
        view["properties"]
    )
    assert {p["name"] for p in operation["parameters"]} == {"wilayah", "period"}
