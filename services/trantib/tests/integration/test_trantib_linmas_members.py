"""Satlinmas members over the real PostgreSQL and Kafka: the appointment rules (17 and
unmarried, 60, education, one active membership per NIK), the extension to 65 at most, the
end and the squad; Satpol PP writes only within its wilayah, and a kader of another desa
reads none of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from linmas_calls import aged, appoint, appointed, broken, member_body, today
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, Trantib

from simpul_platform.pseudonym import mask_nik
from simpul_trantib.domain.linmas import birthday

pytestmark = pytest.mark.integration


async def test_the_appointment_rules(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    seventeen = aged(tr, 17)
    unmarried = await appoint(tr, posyandu, seventeen)
    assert broken(unmarried) == [("body.birth_date", "below_min_age")]
    married = await appointed(tr, posyandu, seventeen, married=True, name="Rina")
    assert (married["age"], married["married"], married["serving"]) == (17, True, True)
    assert married["desa_code"] == RAPAK_LAMBUR and "nik" not in married
    assert "birth_date" not in married

    sixty = await appoint(tr, posyandu, aged(tr, 60, days_past=0))
    assert broken(sixty) == [("body.birth_date", "at_service_age")]
    unschooled = await appoint(tr, posyandu, aged(tr, 30), education="tidak_sekolah")
    assert broken(unschooled) == [("body.education", "below_min_education")]
    future = await appoint(tr, posyandu, aged(tr, 30), appointed_on=str(today(tr) + timedelta(1)))
    assert broken(future)[0] == ("body.appointed_on", "not_in_future")
    wrong_nik = member_body(posyandu, aged(tr, 30), today(tr), nik="6402060101900001")
    refused = await tr.client.post("/v1/linmas-members", json=wrong_nik, headers=tr.satpolpp)
    assert broken(refused) == [("body.birth_date", "nik_birth_date_mismatch")]

    body = member_body(posyandu, aged(tr, 35), today(tr), name="Budi")
    first = await tr.client.post("/v1/linmas-members", json=body, headers=tr.opd)
    assert first.status_code == 201, first.text
    assert first.json()["nik_masked"] == mask_nik(body["nik"])
    again = await tr.client.post("/v1/linmas-members", json=body, headers=tr.satpolpp)
    assert again.status_code == 409 and again.json()["member_id"] == first.json()["id"]

    member = first.json()["id"]
    moved = await tr.client.post(
        f"/v1/linmas-members/{member}/squad", json={"squad": "dapur_umum"}, headers=tr.satpolpp
    )
    assert moved.json()["squad"] == "dapur_umum"
    same = await tr.client.post(
        f"/v1/linmas-members/{member}/squad", json={"squad": "dapur_umum"}, headers=tr.satpolpp
    )
    assert broken(same) == [("body.squad", "same_squad")]
    ended = await tr.client.post(
        f"/v1/linmas-members/{member}/end", json={"reason": "pindah"}, headers=tr.satpolpp
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["end_reason"], ended.json()["serving"]) == ("pindah", False)
    twice = await tr.client.post(
        f"/v1/linmas-members/{member}/end", json={"reason": "usia"}, headers=tr.satpolpp
    )
    assert twice.status_code == 409
    rejoined = await tr.client.post("/v1/linmas-members", json=body, headers=tr.satpolpp)
    assert rejoined.status_code == 201, rejoined.text  # ended: the NIK may serve again


async def test_an_extension_runs_to_65_at_the_latest(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    birth = aged(tr, 59, days_past=300)  # 60 in about two months
    member = await appointed(tr, posyandu, birth)
    assert member["service_ends_on"] == birthday(birth, 60).isoformat()
    step = f"/v1/linmas-members/{member['id']}/extend"
    past = {"until": (birthday(birth, 65) + timedelta(1)).isoformat()}
    too_far = await tr.client.post(step, json=past, headers=tr.satpolpp)
    assert broken(too_far) == [("body.until", "past_extended_age")]
    short = {"until": (birthday(birth, 60) - timedelta(1)).isoformat()}
    assert broken(await tr.client.post(step, json=short, headers=tr.satpolpp)) == [
        ("body.until", "before_service_age")
    ]
    last_day = birthday(birth, 65)
    extended = await tr.client.post(step, json={"until": str(last_day)}, headers=tr.satpolpp)
    assert extended.status_code == 200, extended.text
    shown = extended.json()
    assert (shown["extended_until"], shown["serving"]) == (str(last_day), True)
    assert shown["service_ends_on"] == str(last_day + timedelta(1))

    young = await appointed(tr, posyandu, aged(tr, 40))
    early = await tr.client.post(
        f"/v1/linmas-members/{young['id']}/extend",
        json={"until": str(birthday(aged(tr, 40), 62))},
        headers=tr.satpolpp,
    )
    assert broken(early) == [("body.extended_on", "outside_extension_window")]


async def test_writes_and_reads_stay_within_the_wilayah(trantib: Trantib) -> None:
    tr = trantib
    rapak = await tr.known_posyandu(RAPAK_LAMBUR)
    await tr.known_posyandu(MANGKURAWANG)
    member = await appointed(tr, rapak, aged(tr, 30), name="Siti")

    satpolpp_elsewhere = tr.auth(["opd:trantib:satpolpp"], [MANGKURAWANG], sub="satpolpp-mk")
    outside = await appoint(tr, rapak, aged(tr, 31), headers=satpolpp_elsewhere)
    assert outside.status_code == 403
    assert outside.headers["content-type"].startswith("application/problem+json")
    not_theirs = await tr.client.post(
        f"/v1/linmas-members/{member['id']}/end",
        json={"reason": "pindah"},
        headers=satpolpp_elsewhere,
    )
    assert not_theirs.status_code == 404
    by_kader = await appoint(tr, rapak, aged(tr, 32), headers=tr.kader)
    assert by_kader.status_code == 403  # Satpol PP appoints the Linmas

    own = await tr.client.get("/v1/linmas-members", headers=tr.kader)
    assert [(m["id"], m["name"]) for m in own.json()] == [(member["id"], "Siti")]
    linmas = await tr.client.get(
        "/v1/linmas-members", params={"desa": RAPAK_LAMBUR, "squad": "keamanan"}, headers=tr.linmas
    )
    assert [m["id"] for m in linmas.json()] == [member["id"]]

    kader_elsewhere = tr.auth(["kader:trantib"], [MANGKURAWANG], sub="kader-mk")
    asked = await tr.client.get(
        "/v1/linmas-members", params={"desa": RAPAK_LAMBUR}, headers=kader_elsewhere
    )
    assert asked.status_code == 403
    theirs = await tr.client.get("/v1/linmas-members", headers=kader_elsewhere)
    assert theirs.json() == []
    one = await tr.client.get(f"/v1/linmas-members/{member['id']}", headers=kader_elsewhere)
    assert one.status_code == 404
    strength = await tr.client.get(
        "/v1/linmas/strength", params={"wilayah": RAPAK_LAMBUR}, headers=kader_elsewhere
    )
    assert strength.status_code == 403
