"""Trantib's part of DPMD's emergencies view over the real PostgreSQL: rows built by hand
through the ORM, the missed fires and the emergencies with their households counted by hand.

The world, in March of last year (local dates, WITA): in Tenggarong a fire answered in exactly
15:00 (met), one in 15:01 (missed, two houses damaged), one arrived 15:01 after the report with
no verdict kept yet (missed) and one 15:00 likewise (met), one with no arrival (missed), one at
00:30 on 1 March (still March locally: missed); outside: a missed fire at 00:30 on 1 April
(March in UTC), and one in another kecamatan. A flood over the kecamatan with households in
two of its desa, a kabupaten-wide storm, a flood in February and one in another kecamatan.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, TENGGARONG, Trantib

from simpul_platform.clock import local_today
from simpul_trantib.models import (
    Disaster,
    DisasterHousehold,
    FireDamagedHouse,
    FireIncident,
    FirePost,
)

pytestmark = pytest.mark.integration

OTHER_DESA = "64.02.07.2001"  # another kecamatan of Kukar
WITA = ZoneInfo("Asia/Makassar")
STAMP = {"created_by": "test", "updated_by": "test"}


def kk(serial: int) -> str:
    return f"64020601012{serial:05d}"


class World:
    def __init__(self, tr: Trantib) -> None:
        self.tr = tr
        self.year = local_today(tr.settings).year - 1
        self.rows: list[Any] = []
        self.moment = datetime.now(UTC)

    def at(self, month: int, day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(self.year, month, day, hour, minute, tzinfo=WITA).astimezone(UTC)

    def fire(
        self,
        id: str,
        received: datetime,
        after: timedelta | None,
        met: bool | None,
        desa: str = RAPAK_LAMBUR,
    ) -> None:
        arrived = received + after if after is not None else None
        self.rows.append(
            FireIncident(
                id=id,
                posyandu_id="pos-" + desa,
                desa_code=desa,
                place="Jl. Patin",
                latitude=-0.41,
                longitude=116.99,
                status="closed" if arrived else "reported",
                report_received_at=received,
                arrived_at=arrived,
                fire_post_id="post-1",
                distance_km=3.2,
                inside_wmk=True,
                response_seconds=int(after.total_seconds()) if after is not None else None,
                response_met=met,
                object_kind="rumah",
                created_at=self.moment,
                updated_at=self.moment,
                **STAMP,
            )
        )

    def burnt(self, incident: str, serial: int, damage: str, desa: str = RAPAK_LAMBUR) -> None:
        self.rows.append(
            FireDamagedHouse(
                id=f"{incident}-h{serial}",
                incident_id=incident,
                kk=kk(serial),
                household_ref=self.tr.household_ref(kk(serial)),
                posyandu_id="pos-" + desa,
                desa_code=desa,
                damage=damage,
                created_by="test",
                created_at=self.moment,
            )
        )

    def disaster(self, id: str, kind: str, on: date, area: str) -> None:
        self.rows.append(
            Disaster(
                id=id,
                kind=kind,
                name=f"{kind} {area}",
                occurred_on=on,
                wilayah_code=area,
                status="tanggap_darurat",
                created_at=self.moment,
                updated_at=self.moment,
                **STAMP,
            )
        )

    def struck(self, disaster: str, serial: int, desa: str, damage: str, displaced: bool) -> None:
        self.rows.append(
            DisasterHousehold(
                id=f"{disaster}-h{serial}",
                disaster_id=disaster,
                kk=kk(serial),
                household_ref=self.tr.household_ref(kk(serial)),
                posyandu_id="pos-" + desa,
                desa_code=desa,
                damage=damage,
                displaced=displaced,
                members=4,
                assessed_on=date(self.year, 3, 12),
                created_by="test",
                created_at=self.moment,
            )
        )

    async def save(self) -> None:
        post = FirePost(
            id="post-1",
            name="Pos Damkar Tenggarong",
            wilayah_code=TENGGARONG,
            latitude=-0.42,
            longitude=116.98,
            created_at=self.moment,
            updated_at=self.moment,
            **STAMP,
        )
        async with self.tr.app.state.db.transaction() as session:
            session.add(post)
            await session.flush()
            session.add_all([r for r in self.rows if not isinstance(r, FireDamagedHouse)])
            await session.flush()
            session.add_all([r for r in self.rows if isinstance(r, FireDamagedHouse)])


async def built(tr: Trantib) -> World:
    w = World(tr)
    minutes = timedelta(minutes=15)
    w.fire("f-met", w.at(3, 5, 10), minutes, True)
    w.fire("f-late", w.at(3, 6, 11), minutes + timedelta(seconds=1), False)
    w.burnt("f-late", 1, "rb")
    w.burnt("f-late", 2, "rr")
    w.fire("f-late-unjudged", w.at(3, 7, 9), minutes + timedelta(seconds=1), None)
    w.fire("f-met-unjudged", w.at(3, 7, 12), minutes, None)
    w.fire("f-no-arrival", w.at(3, 8, 20), None, None)
    w.fire("f-first-night", w.at(3, 1, 0, 30), timedelta(minutes=40), False)
    w.fire("f-april", w.at(4, 1, 0, 30), timedelta(minutes=40), False)  # March in UTC
    w.burnt("f-april", 3, "rb")
    w.fire("f-elsewhere", w.at(3, 9, 8), None, None, desa=OTHER_DESA)
    w.burnt("f-elsewhere", 4, "rb", desa=OTHER_DESA)

    w.disaster("d-flood", "banjir", date(w.year, 3, 10), TENGGARONG)
    w.struck("d-flood", 11, RAPAK_LAMBUR, "rb", True)
    w.struck("d-flood", 12, RAPAK_LAMBUR, "none", False)
    w.struck("d-flood", 13, MANGKURAWANG, "rs", True)
    w.disaster("d-storm", "angin_puting_beliung", date(w.year, 3, 20), "64.02")
    w.disaster("d-february", "banjir", date(w.year, 2, 27), TENGGARONG)
    w.struck("d-february", 14, RAPAK_LAMBUR, "rb", True)
    w.disaster("d-other", "tanah_longsor", date(w.year, 3, 11), "64.02.07")
    await w.save()
    return w


async def view(tr: Trantib, wilayah: str, period: str, headers: dict[str, str]) -> Any:
    return await tr.client.get(
        "/v1/emergencies", params={"wilayah": wilayah, "period": period}, headers=headers
    )


def household(tr: Trantib, serial: int, desa: str, damage: str, displaced: bool | None) -> dict:
    return {
        "household_ref": tr.household_ref(kk(serial)),
        "desa_code": desa,
        "damage": damage,
        "displaced": displaced,
    }


async def test_missed_fires_and_emergencies_equal_the_hand_count(trantib: Trantib) -> None:
    tr = trantib
    w = await built(tr)
    answer = await view(tr, TENGGARONG, f"{w.year}-03", tr.dpmd)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["wilayah"], body["period"], body["response_minutes"]) == (
        TENGGARONG,
        f"{w.year}-03",
        15,
    )
    missed = body["missed_fires"]
    assert [f["incident_id"] for f in missed] == [
        "f-first-night",
        "f-late",
        "f-late-unjudged",
        "f-no-arrival",
    ]
    late = missed[1]
    assert late == {
        "incident_id": "f-late",
        "posyandu_id": "pos-" + RAPAK_LAMBUR,
        "desa_code": RAPAK_LAMBUR,
        "object_kind": "rumah",
        "fire_post_id": "post-1",
        "fire_post_name": "Pos Damkar Tenggarong",
        "inside_wmk": True,
        "distance_km": 3.2,
        "report_received_at": late["report_received_at"],
        "arrived_at": late["arrived_at"],
        "response_seconds": 901,
    }
    received = datetime.fromisoformat(late["report_received_at"])
    assert received == w.at(3, 6, 11)
    assert datetime.fromisoformat(late["arrived_at"]) - received == timedelta(seconds=901)
    assert (missed[3]["arrived_at"], missed[3]["response_seconds"]) == (None, None)

    emergencies = body["emergencies"]
    assert [(e["kind"], e["id"]) for e in emergencies] == [
        ("fire", "f-late"),
        ("disaster", "d-flood"),
        ("disaster", "d-storm"),  # kabupaten-wide: it covers Tenggarong
    ]
    fire, flood, storm = emergencies
    assert fire == {
        "kind": "fire",
        "id": "f-late",
        "name": f"Kebakaran rumah {RAPAK_LAMBUR} {w.year}-03-06",
        "hazard": "kebakaran",
        "occurred_on": f"{w.year}-03-06",
        "wilayah_code": RAPAK_LAMBUR,
        "households": sorted(
            [
                household(tr, 1, RAPAK_LAMBUR, "rb", None),
                household(tr, 2, RAPAK_LAMBUR, "rr", None),
            ],
            key=lambda h: h["household_ref"],
        ),
    }
    assert (flood["hazard"], flood["wilayah_code"], flood["occurred_on"]) == (
        "banjir",
        TENGGARONG,
        f"{w.year}-03-10",
    )
    assert sorted(flood["households"], key=lambda h: h["household_ref"]) == sorted(
        [
            household(tr, 11, RAPAK_LAMBUR, "rb", True),
            household(tr, 12, RAPAK_LAMBUR, "none", False),
            household(tr, 13, MANGKURAWANG, "rs", True),
        ],
        key=lambda h: h["household_ref"],
    )
    assert storm["households"] == []
    assert kk(1) not in answer.text and kk(11) not in answer.text  # pseudonyms only


async def test_a_kecamatan_wide_disaster_seen_from_a_desa_shows_that_desa_only(
    trantib: Trantib,
) -> None:
    tr = trantib
    w = await built(tr)
    answer = await view(tr, RAPAK_LAMBUR, f"{w.year}", tr.kader)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    by_id = {e["id"]: e for e in body["emergencies"]}
    assert sorted(by_id) == ["d-february", "d-flood", "d-storm", "f-april", "f-late"]
    assert {h["desa_code"] for h in by_id["d-flood"]["households"]} == {RAPAK_LAMBUR}
    assert len(by_id["d-flood"]["households"]) == 2
    assert [f["incident_id"] for f in body["missed_fires"]] == [
        "f-first-night",
        "f-late",
        "f-late-unjudged",
        "f-no-arrival",
        "f-april",
    ]
    # A kader of Rapak Lambur asking for the kecamatan reads her own desa's part of it.
    narrowed = (await view(tr, TENGGARONG, f"{w.year}-03", tr.kader)).json()
    assert {h["desa_code"] for e in narrowed["emergencies"] for h in e["households"]} == {
        RAPAK_LAMBUR
    }
    assert narrowed["wilayah"] == TENGGARONG


async def test_out_of_wilayah_and_other_roles_are_refused(trantib: Trantib) -> None:
    tr = trantib
    outside = await view(tr, "64.02.07", "2026-03", tr.kader)
    assert outside.status_code == 403, outside.text
    assert outside.headers["content-type"].startswith("application/problem+json")
    linmas = await view(tr, RAPAK_LAMBUR, "2026-03", tr.linmas)
    assert linmas.status_code == 403, linmas.text
    bad = await view(tr, TENGGARONG, "2026-13", tr.dpmd)
    assert bad.status_code == 422, bad.text
    assert "period" in bad.text
