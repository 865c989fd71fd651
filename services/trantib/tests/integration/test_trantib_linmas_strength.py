"""A desa's Satlinmas strength over the real PostgreSQL and Kafka: nine members leave it under
strength and the tenth clears it, an empty squad is flagged, a desa with a posyandu and no
members counts 0; each change publishes ``trantib.linmas.strength_changed.v1`` with the figures
and nobody's NIK or name; a member reaching 60 without an extension stops counting on that
day, with no write."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from linmas_calls import aged, appointed, strength_of, today
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, TENGGARONG, Trantib

from simpul_platform.events import Envelope
from simpul_trantib.api import deps
from simpul_trantib.domain.linmas import SQUADS, born_by

pytestmark = pytest.mark.integration
STRENGTH_CHANGED = "trantib.linmas.strength_changed.v1"
FOUR_SQUADS = [s for s in SQUADS if s != "dapur_umum"]


def squads() -> Iterator[str]:
    while True:
        yield from FOUR_SQUADS


async def changes(tr: Trantib, expected: int) -> list[Envelope]:
    return [e for e in await tr.events(expected) if e.type == STRENGTH_CHANGED]


def later(tr: Trantib, day: date) -> None:
    """Reads and writes from here on see ``day`` as the deployment's date."""
    tr.app.dependency_overrides[deps._today] = lambda: day


async def test_nine_members_are_under_strength_and_the_tenth_clears_it(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu(RAPAK_LAMBUR)
    await tr.known_posyandu(MANGKURAWANG)  # a posyandu, no Linmas
    names, niks = [], []
    rotation = squads()
    for i in range(9):
        member = await appointed(tr, posyandu, aged(tr, 25 + i), squad=next(rotation), name=f"L{i}")
        names.append(member["name"])
        niks.append(member["nik_masked"])

    desa = await strength_of(tr, wilayah=TENGGARONG)
    assert set(desa) == {RAPAK_LAMBUR, MANGKURAWANG}
    nine = desa[RAPAK_LAMBUR]
    assert (nine["members"], nine["under_strength"], nine["empty_squads"]) == (
        9,
        True,
        ["dapur_umum"],
    )
    assert nine["by_squad"] == {
        "peringatan_dini": 3,
        "keamanan": 2,
        "pertolongan_pertama": 2,
        "penyelamatan_evakuasi": 2,
        "dapur_umum": 0,
    }
    assert desa[MANGKURAWANG] == {
        "desa_code": MANGKURAWANG,
        "members": 0,
        "by_squad": {s: 0 for s in SQUADS},
        "under_strength": True,
        "empty_squads": list(SQUADS),
        "counted_on": today(tr).isoformat(),
    }

    await appointed(tr, posyandu, aged(tr, 40), squad="dapur_umum", name="L9")
    ten = (await strength_of(tr, wilayah=RAPAK_LAMBUR))[RAPAK_LAMBUR]
    assert (ten["members"], ten["under_strength"], ten["empty_squads"]) == (10, False, [])
    assert list(await strength_of(tr, under_strength=True)) == [MANGKURAWANG]
    assert list(await strength_of(tr, empty_squad=False, headers=tr.kader)) == [RAPAK_LAMBUR]

    events = await changes(tr, 10)
    assert [e.data["members"] for e in events] == list(range(1, 11))
    last = events[-1]
    assert (last.subject, last.wilayah) == (RAPAK_LAMBUR, RAPAK_LAMBUR)
    assert last.data == {
        "desa_code": RAPAK_LAMBUR,
        "members": 10,
        "by_squad": ten["by_squad"],
        "under_strength": False,
        "empty_squads": [],
        "on": today(tr).isoformat(),
    }
    assert events[8].data["empty_squads"] == ["dapur_umum"] and events[8].data["under_strength"]
    wire = json.dumps([e.data for e in events])
    assert not any(name in wire for name in names)
    assert re.search(r"\d{16}", wire) is None and "nik" not in wire  # no NIK, whole or masked
    assert not any(masked in wire for masked in niks)


async def test_a_member_reaching_60_stops_counting_without_a_write(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu(RAPAK_LAMBUR)
    now = today(tr)
    turning = born_by(now, 60) + timedelta(days=5)  # 59 today, 60 in five days
    elder = await appointed(tr, posyandu, turning, squad="dapur_umum", name="Tua")
    for i, squad in enumerate(FOUR_SQUADS):
        await appointed(tr, posyandu, aged(tr, 30 + i), squad=squad)
    assert (await strength_of(tr))[RAPAK_LAMBUR]["members"] == 5

    later(tr, now + timedelta(days=4))
    assert (await strength_of(tr))[RAPAK_LAMBUR]["members"] == 5
    later(tr, now + timedelta(days=5))
    aged_out = (await strength_of(tr))[RAPAK_LAMBUR]
    assert (aged_out["members"], aged_out["empty_squads"]) == (4, ["dapur_umum"])
    listed = await tr.client.get("/v1/linmas-members", params={"serving": False}, headers=tr.kader)
    assert [(m["id"], m["serving"], m["age"]) for m in listed.json()] == [(elder["id"], False, 60)]

    # The desa's next change brings the kept figures and their event up to that day.
    ended = await tr.client.post(
        f"/v1/linmas-members/{elder['id']}/end", json={"reason": "usia"}, headers=tr.satpolpp
    )
    assert ended.status_code == 200, ended.text
    events = await changes(tr, 6)
    assert [e.data["members"] for e in events] == [1, 2, 3, 4, 5, 4]
    assert events[-1].data["empty_squads"] == ["dapur_umum"]
    assert events[-1].data["on"] == (now + timedelta(days=5)).isoformat()
