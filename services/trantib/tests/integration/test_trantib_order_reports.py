"""Public-order reports over the real PostgreSQL and Kafka: opened by the field's recorders
(the source from their role), worked by Satpol PP step by step — a step out of order a 409
naming the allowed ones, a date or a count out of its rule a 422 naming the field and rule —
refused outside the caller's wilayah (403 for a write at a posyandu, 404 for a report), and a
``disturbance_report`` referral accepted with its report and resolved by its end."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete
from sqlmodel import col, select
from trantib_order_calls import open_report, referral, referred, report_body, step, worked
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, Trantib

from simpul_platform.events import new_id
from simpul_trantib.models import TrantibTally

pytestmark = pytest.mark.integration


def rules(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


async def test_a_report_is_opened_with_its_times_and_place_checked(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    future = await open_report(tr, posyandu, occurred_at="2099-01-01T10:00:00+08:00")
    assert rules(future) == [("body.occurred_at", "not_in_future")]
    # 23:30 WITA on 1 March is 1 March locally though 15:30 UTC: a report that day is fine...
    late = await open_report(
        tr, posyandu, occurred_at="2026-03-01T23:30:00+08:00", reported_on="2026-03-01"
    )
    assert late.status_code == 201, late.text
    # ...and one dated the day before it happened is not.
    early = await open_report(tr, posyandu, reported_on="2026-02-28")
    assert rules(early) == [("body.reported_on", "before_occurrence")]
    naive = await open_report(tr, posyandu, occurred_at="2026-03-01T22:30:00")
    assert rules(naive)[0][0] == "body.occurred_at"
    swapped = await open_report(tr, posyandu, latitude=116.9871, longitude=-0.4203)
    assert rules(swapped) == [("body.latitude", "coordinates_swapped")]
    unknown = await open_report(tr, posyandu, category="pencurian")
    assert rules(unknown)[0][0] == "body.category"
    nowhere = await open_report(tr, posyandu, latitude=None, longitude=None, place="Jalan Poros")
    assert nowhere.status_code == 201, nowhere.text

    sources = {}
    for who, headers in {"kader": tr.kader, "linmas": tr.linmas, "opd": tr.satpolpp}.items():
        sources[who] = (await open_report(tr, posyandu, headers=headers)).json()["source"]
    assert sources == {"kader": "kader", "linmas": "linmas", "opd": "warga"}
    told = await open_report(tr, posyandu, source="warga")
    assert told.json()["source"] == "warga"
    assert rules(await open_report(tr, posyandu, source="referral"))[0][0] == "body.source"
    assert (await open_report(tr, posyandu, headers=tr.dpmd)).status_code == 403


async def test_a_report_is_worked_step_by_step_and_refused_out_of_order(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    report = (await open_report(tr, posyandu)).json()
    assert (report["status"], report["allowed"]) == ("reported", ["verify", "reject"])
    assert [h["action"] for h in report["history"]] == ["report"]
    rid = report["id"]

    wrong = await step(tr, rid, "serve", citizens_served=1, affected_citizens=1)
    assert wrong.status_code == 409, wrong.text
    assert (wrong.json()["current_status"], wrong.json()["allowed"]) == (
        "reported",
        ["verify", "reject"],
    )
    assert (await step(tr, rid, "verify", headers=tr.kader)).status_code == 403
    assert rules(await step(tr, rid, "verify", verified_on="2026-03-01")) == [
        ("body.verified_on", "before_previous_step")
    ]
    assert rules(await step(tr, rid, "verify", verified_on="2099-03-01")) == [
        ("body.verified_on", "not_in_future")
    ]
    verified = await step(tr, rid, "verify", verified_on="2026-03-03")
    assert (verified.json()["status"], verified.json()["handler"]) == ("verified", "satpolpp-kukar")

    assert rules(await step(tr, rid, "handle", handling="penegakan", handled_on="2026-03-04")) == [
        ("body.regulation", "regulation_required")
    ]
    regulation = "Perda Kukar 6/2019 tentang Ketertiban Umum"
    handled = await step(
        tr, rid, "handle", handling="penegakan", regulation=regulation, handled_on="2026-03-04"
    )
    assert handled.json()["handling"] == "penegakan"
    over = await step(tr, rid, "serve", citizens_served=6, affected_citizens=5)
    assert rules(over) == [("body.citizens_served", "served_exceeds_affected")]
    missing = await step(tr, rid, "serve", citizens_served=1)
    assert rules(missing) == [("body.affected_citizens", "affected_citizens_required")]
    served = await step(
        tr, rid, "serve", citizens_served=4, affected_citizens=5, served_on="2026-03-05"
    )
    assert (served.json()["affected_citizens"], served.json()["citizens_served"]) == (5, 4)
    late_reject = await step(tr, rid, "reject", reason="tidak_terbukti")
    assert (late_reject.status_code, late_reject.json()["allowed"]) == (409, ["close"])
    closed = (await step(tr, rid, "close", closed_on="2026-03-06")).json()
    assert (closed["status"], closed["closed_on"], closed["close_reason"]) == (
        "closed",
        "2026-03-06",
        "selesai",
    )
    assert closed["allowed"] == []
    steps = [(h["action"], h["to_status"], h["step_on"]) for h in closed["history"]]
    assert steps == [
        ("report", "reported", "2026-03-02"),
        ("verify", "verified", "2026-03-03"),
        ("handle", "handled", "2026-03-04"),
        ("serve", "served", "2026-03-05"),
        ("close", "closed", "2026-03-06"),
    ]
    assert closed["history"][2]["codes"] == {"handling": "penegakan", "regulation": regulation}
    assert closed["history"][1]["codes"] == {"handler": "satpolpp-kukar"}

    other = (await open_report(tr, posyandu, category="orang_terlantar")).json()
    rejected = (await step(tr, other["id"], "reject", reason="bukan_kewenangan")).json()
    assert (rejected["status"], rejected["close_reason"]) == ("closed", "bukan_kewenangan")

    closed_only = await tr.client.get(
        "/v1/order-reports", params={"status": "closed", "category": "keributan"}, headers=tr.kader
    )
    assert [r["id"] for r in closed_only.json()] == [rid]
    by_desa = await tr.client.get(
        "/v1/order-reports", params={"wilayah": MANGKURAWANG}, headers=tr.satpolpp
    )
    assert by_desa.json() == []


async def test_out_of_wilayah_writes_and_reads_are_refused(trantib: Trantib) -> None:
    tr = trantib
    elsewhere = await tr.known_posyandu(MANGKURAWANG)
    assert (await open_report(tr, elsewhere)).status_code == 403  # the kader of Rapak Lambur
    assert (await open_report(tr, elsewhere, headers=tr.linmas)).status_code == 403
    theirs = (await open_report(tr, elsewhere, headers=tr.satpolpp)).json()
    assert theirs["desa_code"] == MANGKURAWANG

    seen = await tr.client.get("/v1/order-reports", headers=tr.kader)
    assert seen.json() == []
    hidden = await tr.client.get(f"/v1/order-reports/{theirs['id']}", headers=tr.kader)
    assert hidden.status_code == 404
    rapak_only = tr.auth(["opd:trantib:satpolpp"], [RAPAK_LAMBUR], sub="satpolpp-rapak")
    assert (await step(tr, theirs["id"], "verify", headers=rapak_only)).status_code == 404
    asked = await tr.client.get(
        "/v1/order-reports", params={"wilayah": MANGKURAWANG}, headers=tr.kader
    )
    assert asked.status_code == 403
    assert (await tr.client.get("/v1/order-reports", headers=tr.dpmd)).status_code == 403


async def test_a_referral_is_accepted_with_its_report_and_resolved_by_its_end(
    trantib: Trantib,
) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    asked = await referred(tr, posyandu, category="miras_narkoba")
    wrong = await open_report(tr, posyandu, category="keributan", referral_id=asked["id"])
    assert rules(wrong) == [("body.category", "referral_mismatch")]
    unknown = await open_report(tr, posyandu, referral_id=new_id())
    assert rules(unknown) == [("body.referral_id", "unknown_referral")]

    report = (
        await open_report(tr, posyandu, category="miras_narkoba", referral_id=asked["id"])
    ).json()
    assert (report["source"], report["referral_id"]) == ("referral", asked["id"])
    accepted = await referral(tr, asked["id"], "accepted")
    assert (accepted["case_ref"], accepted["accepted_on"]) == (report["id"], "2026-03-02")
    again = await open_report(tr, posyandu, category="miras_narkoba", referral_id=asked["id"])
    assert again.status_code == 409 and again.json()["case_ref"] == report["id"]

    await worked(tr, report["id"])
    resolved = await referral(tr, asked["id"], "resolved")
    assert (resolved["outcome_code"], resolved["resolved_on"]) == ("handled", "2026-03-06")

    unfounded = await referred(tr, posyandu)  # no category named: any is the referral's
    body = report_body(posyandu, category="asusila", referral_id=unfounded["id"])
    second = (await tr.client.post("/v1/order-reports", json=body, headers=tr.satpolpp)).json()
    assert second["source"] == "referral"
    await step(tr, second["id"], "reject", reason="tidak_terbukti", rejected_on="2026-03-03")
    not_found = await referral(tr, unfounded["id"], "resolved")
    assert not_found["outcome_code"] == "not_found"


MONTHS = [date(2026, m, 1) for m in (1, 2, 3, 4, 5)]


async def kept_months(tr: Trantib, posyandu: str, *, seed: bool = False) -> list[date]:
    """The posyandu's months with a kept count (after seeding every month in ``MONTHS``)."""
    async with tr.app.state.db.transaction() as session:
        if seed:
            await session.execute(
                delete(TrantibTally).where(col(TrantibTally.posyandu_id) == posyandu)
            )
            for month in MONTHS:
                session.add(
                    TrantibTally(
                        posyandu_id=posyandu,
                        month=month,
                        code="posyandu",
                        basis="test",
                        desa_code=RAPAK_LAMBUR,
                        numerator=1,
                        denominator=1,
                    )
                )
            return MONTHS
        found = await session.execute(
            select(TrantibTally.month).where(col(TrantibTally.posyandu_id) == posyandu)
        )
        return sorted(found.scalars().all())


async def test_each_write_drops_the_counts_from_its_day_on(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    await kept_months(tr, posyandu, seed=True)
    report = (await open_report(tr, posyandu)).json()  # reported on 2 March
    assert await kept_months(tr, posyandu) == MONTHS[:2]
    await kept_months(tr, posyandu, seed=True)
    await step(tr, report["id"], "verify", verified_on="2026-04-10")
    assert await kept_months(tr, posyandu) == MONTHS[:3]
    await kept_months(tr, posyandu, seed=True)
    await step(tr, report["id"], "reject", reason="dilimpahkan", rejected_on="2026-05-02")
    assert await kept_months(tr, posyandu) == MONTHS[:4]

    await kept_months(tr, posyandu, seed=True)
    note = {
        "posyandu_id": posyandu,
        "observed_on": "2026-02-10",
        "category": "keributan",
        "level": "sedang",
        "summary": "Suara musik keras tiap malam di warung tepi sungai.",
    }
    made = await tr.client.post("/v1/early-detection-notes", json=note, headers=tr.linmas)
    assert made.status_code == 201, made.text
    assert await kept_months(tr, posyandu) == MONTHS[:1]
