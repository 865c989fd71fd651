"""Trantib's fires and disaster assessments on Kafka → housing over the real PostgreSQL and
broker: a disaster's damaged houses become disaster houses (opened and assessed with trantib's
class) exactly once under redelivery, a restart and a later assessment naming a household
again; houses that stood skipped; the gateway's read by trantib's ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from housing_testkit import MANGKURAWANG, RAPAK_LAMBUR, SEBULU, Housing, Producers, start_housing
from housing_trantib_calls import Damaged, assessed, by_source, fire, houses, opened, runner, steps

from simpul_platform.events import new_id
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.peers import Peer
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
RECORDED_KK = "6402061234560001"
SHARING_KK = "6402061234560002"  # a second household in the recorded house
ASSESSED = "housing.disaster_house.assessed.v1"


@pytest.fixture
async def trantib(make_settings: Callable[..., Any]) -> AsyncIterator[Peer]:
    settings = make_settings(ServiceSettings, service_name="peer")
    async with Peer.running(settings, "trantib") as peer:
        yield peer


async def test_damaged_houses_become_disaster_houses_exactly_once(
    make_settings: Any, postgres_url: str, producers: Producers, trantib: Peer
) -> None:
    incident, disaster = new_id(), new_id()
    unknown_posyandu = new_id()  # housing's replica has not heard of it
    async with start_housing(make_settings, postgres_url, producers) as housing:
        here = await housing.known_posyandu()
        there = await housing.known_posyandu(MANGKURAWANG)
        house = await housing.house(here, kks=(RECORDED_KK, SHARING_KK))
        recorded = housing.household_ref(RECORDED_KK)
        sharing = housing.household_ref(SHARING_KK)
        a, b, c, d, e, f, g = (f"{'abcdefg'[i]}" * 64 for i in range(7))
        burned: list[Damaged] = [
            (recorded, there, RAPAK_LAMBUR, "rb"),
            (a, here, RAPAK_LAMBUR, "rs"),
            (sharing, here, RAPAK_LAMBUR, "rb"),  # the same house: one case for both
        ]
        sent_fire = await fire(trantib, incident, here, RAPAK_LAMBUR, burned)
        part_one: list[Damaged] = [
            (b, here, RAPAK_LAMBUR, "rr"),
            (c, here, RAPAK_LAMBUR, "none"),  # the house stood
            (d, there, MANGKURAWANG, "hilang"),
            (e, unknown_posyandu, MANGKURAWANG, "rs"),
            (f, here, SEBULU, "rb"),  # outside the area struck
        ]
        first = await assessed(trantib, disaster, part_one)
        await eventually(opened(housing, 5))
        await trantib.redeliver(first)  # the same envelope again, while running
        await eventually(lambda: _duplicates(housing, 1))
    await trantib.redeliver(first)  # and again while housing is down
    await trantib.redeliver(sent_fire)
    part_two: list[Damaged] = [(d, there, MANGKURAWANG, "rb"), (g, here, RAPAK_LAMBUR, "rb")]
    await assessed(trantib, disaster, part_two, on="2026-02-12")  # d named again
    async with start_housing(make_settings, postgres_url, producers) as housing:
        await eventually(lambda: _duplicates(housing, 2))
        found = await eventually(opened(housing, 6))
        assert len(found) == 6  # nothing twice, c (none) and f (outside) never
        rows = {(ev.source_event_id, h.household_ref): (h, ev) for h, ev in found}
        assert {k: (h.damage, h.status, h.source) for k, (h, _) in rows.items()} == {
            (incident, recorded): ("rb", "assessed", "trantib"),
            (incident, a): ("rs", "assessed", "trantib"),
            (disaster, b): ("rr", "assessed", "trantib"),
            (disaster, d): ("hilang", "assessed", "trantib"),  # the first class stands
            (disaster, e): ("rs", "assessed", "trantib"),
            (disaster, g): ("rb", "assessed", "trantib"),
        }
        fire_house, fire_event = rows[(incident, recorded)]
        assert (fire_house.house_id, fire_house.posyandu_id) == (house["id"], here)
        assert (fire_event.kind, fire_event.wilayah_code, fire_event.source) == (
            "kebakaran",
            RAPAK_LAMBUR,
            "trantib",
        )
        assert rows[(incident, a)][0].house_id is None
        flood_house, flood = rows[(disaster, e)]
        assert (flood_house.posyandu_id, flood_house.desa_code) == (unknown_posyandu, MANGKURAWANG)
        assert (flood.kind, flood.wilayah_code, flood.occurred_on.isoformat()) == (
            "banjir",
            "64.02.06",
            "2026-02-08",
        )
        assert len({ev.id for _, ev in found}) == 2
        assert rows[(disaster, g)][0].assessed_on.isoformat() == "2026-02-12"
        assert rows[(disaster, b)][0].reported_on.isoformat() == "2026-02-10"

        history = await steps(housing)
        assert len(history) == 12
        for h, _ in found:
            assert [s[1:4] for s in history if s[0] == h.id] == [
                ("report", None, "reported"),
                ("assess", "reported", "assessed"),
            ]

        announced = await housing.events(6, ASSESSED)
        assert sorted(ev.subject or "" for ev in announced) == sorted(h.id for h, _ in found)
        by_house = {ev.data["disaster_house_id"]: ev.data for ev in announced}
        assert by_house[fire_house.id]["damage"] == "rb" and not by_house[fire_house.id]["fixed"]
        assert by_house[fire_house.id]["disaster_kind"] == "kebakaran"
        assert RECORDED_KK not in str(announced)

        await _readable_by_source(housing, incident, disaster, rows, sharing)


def h_recorded(rows: dict[tuple[str, str], Any], incident: str) -> str:
    """The household the fire's recorded house was opened for."""
    return next(ref for (source, ref), (h, _) in rows.items() if source == incident and h.house_id)


async def _duplicates(housing: Housing, count: int) -> bool:
    return runner(housing).duplicates >= count


async def _readable_by_source(
    housing: Housing,
    incident: str,
    disaster: str,
    rows: dict[tuple[str, str], Any],
    sharing: str,
) -> None:
    """The gateway's read: every house of those trantib ids, in the caller's wilayah, for
    every household living there (the house's second household too); one house handled to
    completion is habitable again."""
    house, event = rows[(disaster, "b" * 64)]
    sk = {"sk_number": "100.3.3.2/K.7/2026", "sk_date": "2026-02-20", "planned_year": 2026}
    steps_taken = [
        (f"/v1/disasters/{event.id}/sk", sk),
        (
            f"/v1/disaster-houses/{house.id}/handle",
            {"handling": "rehabilitation", "started_on": "2026-02-25"},
        ),
        (
            f"/v1/disaster-houses/{house.id}/complete",
            {"program": "apbd", "completed_on": "2026-03-01"},
        ),
    ]
    for url, body in steps_taken:
        response = await housing.client.post(url, json=body, headers=housing.opd)
        assert response.status_code == 200, response.text

    gateway = housing.auth(["gateway"], ["64.02"], sub="gateway")
    listed = await by_source(housing, [incident, disaster, "no-such-id"], gateway)
    # The SK fixed the disaster's other houses; the fire's wait for theirs.
    status = {incident: "assessed", disaster: "fixed"}
    expected = sorted(
        (
            {
                "source_event_id": ev.source_event_id,
                "household_ref": h.household_ref,
                "desa_code": h.desa_code,
                "damage": h.damage,
                "status": "completed" if h.id == house.id else status[ev.source_event_id],
                "completed_on": "2026-03-01" if h.id == house.id else None,
            }
            for h, ev in rows.values()
        ),
        key=lambda r: (r["source_event_id"], r["desa_code"], r["household_ref"]),
    )
    fire_house = next(r for r in expected if r["household_ref"] == h_recorded(rows, incident))
    expected = sorted(
        [*expected, {**fire_house, "household_ref": sharing}],
        key=lambda r: (r["source_event_id"], r["desa_code"], r["household_ref"]),
    )
    assert listed == expected
    assert await by_source(housing, [incident, disaster], housing.dpmd) == expected
    kader = await by_source(housing, [incident, disaster], housing.kader)  # Rapak Lambur only
    assert kader == [r for r in expected if r["desa_code"] == RAPAK_LAMBUR]
    elsewhere = housing.auth(["dpmd"], ["64.03"], sub="dpmd-elsewhere")
    assert await by_source(housing, [incident, disaster], elsewhere) == []

    url = "/v1/disaster-houses/by-source"
    too_many = [new_id() for _ in range(201)]
    for params in ({"source_event_id": too_many}, {}):
        refused = await housing.client.get(url, params=params, headers=gateway)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"].endswith("source_event_id")
    forbidden = await housing.client.get(
        url, params={"source_event_id": incident}, headers=housing.auth(["kader:health"], ["64"])
    )
    assert forbidden.status_code == 403, forbidden.text


async def test_an_assessment_of_a_thousand_households_opens_the_damaged_ones(
    housing: Housing, trantib: Peer
) -> None:
    here = await housing.known_posyandu()
    disaster = new_id()
    classes = ("rr", "rs", "rb", "hilang", "none")
    damaged: list[Damaged] = [
        (f"{i:064x}", here, RAPAK_LAMBUR, classes[i % 5]) for i in range(1000)
    ]
    sent = await assessed(trantib, disaster, damaged, kind="kekeringan")
    found = await eventually(opened(housing, 800))
    assert len(found) == 800
    assert {e.kind for _, e in found} == {"lainnya"}
    by_class = {c: sum(1 for h, _ in found if h.damage == c) for c in classes}
    assert by_class == {"rr": 200, "rs": 200, "rb": 200, "hilang": 200, "none": 0}
    await trantib.redeliver(sent)
    await eventually(lambda: _duplicates(housing, 1))
    assert len(await houses(housing)) == 800
    listed = await by_source(housing, [disaster], housing.dpmd)
    assert len(listed) == 800 and {r["status"] for r in listed} == {"assessed"}
