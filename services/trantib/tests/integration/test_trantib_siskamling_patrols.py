"""Siskamling patrols over the real PostgreSQL and Kafka: one per poskamling, date and shift
(409), the Linmas named serving at the desa on that date (a member of another desa, an ended
one or an unknown id refused), a residents' patrol by its count; within the wilayah."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from linmas_calls import aged, appointed, broken, today
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, Trantib

from simpul_platform.events import new_id
from simpul_platform.migrations import schema_drift
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_trantib.models import metadata

pytestmark = pytest.mark.integration
PATROLS = "/v1/siskamling-patrols"


async def patrol(
    tr: Trantib, posyandu: str, headers: dict[str, str] | None = None, **overrides: Any
) -> httpx.Response:
    body = {
        "posyandu_id": posyandu,
        "poskamling": "Poskamling RT 05",
        "patrol_date": today(tr).isoformat(),
        "shift": "malam",
        "findings": "Lampu jalan RT 05 padam.",
    } | overrides
    return await tr.client.post(PATROLS, json=body, headers=headers or tr.linmas)


async def test_patrols_name_serving_members_once_per_shift(trantib: Trantib) -> None:
    tr = trantib
    rapak = await tr.known_posyandu(RAPAK_LAMBUR)
    mangkurawang = await tr.known_posyandu(MANGKURAWANG)
    a = (await appointed(tr, rapak, aged(tr, 30)))["id"]
    b = (await appointed(tr, rapak, aged(tr, 31)))["id"]
    other = (await appointed(tr, mangkurawang, aged(tr, 32)))["id"]
    week_ago = str(today(tr) - timedelta(days=7))
    gone = (await appointed(tr, rapak, aged(tr, 33), sk_date=week_ago, appointed_on=week_ago))["id"]
    ended = await tr.client.post(
        f"/v1/linmas-members/{gone}/end",
        json={"reason": "mengundurkan_diri", "ended_on": str(today(tr) - timedelta(days=1))},
        headers=tr.satpolpp,
    )
    assert ended.status_code == 200, ended.text

    first = await patrol(tr, rapak, member_ids=[a, b], members_present=5, incident=True)
    assert first.status_code == 201, first.text
    shown = first.json()
    assert (shown["member_ids"], shown["members_present"], shown["desa_code"]) == (
        [a, b],
        5,
        RAPAK_LAMBUR,
    )
    same = await patrol(
        tr, rapak, headers=tr.kader, poskamling="Poskamling  RT 05 ", members_present=3
    )
    assert same.status_code == 409 and same.json()["patrol_id"] == shown["id"]
    dawn = await patrol(tr, rapak, shift="dini_hari", member_ids=[a])
    assert (dawn.status_code, dawn.json()["members_present"]) == (201, 1)
    residents = await patrol(tr, rapak, headers=tr.kader, shift="siang", members_present=6)
    assert (residents.json()["member_ids"], residents.json()["members_present"]) == ([], 6)

    elsewhere = await patrol(tr, rapak, poskamling="Pos 2", member_ids=[a, other])
    assert broken(elsewhere) == [("body.member_ids[1]", "not_a_serving_member")]
    ended_member = await patrol(tr, rapak, poskamling="Pos 2", member_ids=[gone])
    assert broken(ended_member) == [("body.member_ids[0]", "not_a_serving_member")]
    unknown = await patrol(tr, rapak, poskamling="Pos 2", member_ids=[new_id()])
    assert broken(unknown) == [("body.member_ids[0]", "not_a_serving_member")]
    nobody = await patrol(tr, rapak, poskamling="Pos 2")
    assert broken(nobody) == [("body.members_present", "nobody_present")]
    tomorrow = str(today(tr) + timedelta(days=1))
    future = await patrol(tr, rapak, poskamling="Pos 2", patrol_date=tomorrow, members_present=2)
    assert broken(future) == [("body.patrol_date", "not_in_future")]
    # A member serving on the day of the patrol, before the end, may be named then.
    earlier = str(today(tr) - timedelta(days=2))
    before_end = await patrol(tr, rapak, poskamling="Pos 3", patrol_date=earlier, member_ids=[gone])
    assert before_end.status_code == 201, before_end.text

    outside = await patrol(tr, mangkurawang, members_present=4)
    assert outside.status_code == 403  # the Linmas of Rapak Lambur

    listed = await tr.client.get(PATROLS, params={"from": earlier, "to": earlier}, headers=tr.kader)
    assert [p["poskamling"] for p in listed.json()] == ["Pos 3"]
    shifts = await tr.client.get(PATROLS, params={"wilayah": RAPAK_LAMBUR}, headers=tr.satpolpp)
    assert len(shifts.json()) == 4
    kader_elsewhere = tr.auth(["kader:trantib"], [MANGKURAWANG], sub="kader-mk")
    assert (await tr.client.get(PATROLS, headers=kader_elsewhere)).json() == []
    refused = await tr.client.get(
        PATROLS, params={"wilayah": RAPAK_LAMBUR}, headers=kader_elsewhere
    )
    assert refused.status_code == 403


async def test_the_migrations_build_the_patrol_table(trantib: Trantib, postgres_url: str) -> None:
    """The shift column widened for ``dini_hari`` (and every other table) as the models say."""
    tr = trantib
    assert (await tr.client.get("/readyz")).json()["database"] == "ok"
    assert await schema_drift(postgres_url, metadata, replica_metadata, referral_metadata) == []
