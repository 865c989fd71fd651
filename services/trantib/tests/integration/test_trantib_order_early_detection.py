"""Deteksi dini notes over the real PostgreSQL and Kafka: written by Linmas, kader and Satpol
PP within their wilayah (Damkar does not write them), listed, and escalated by Satpol PP into a
public-order report (source ``deteksi_dini``, announced by its category and desa) once — a
second escalation is a 409 naming the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from trantib_order_calls import topic_records
from trantib_testkit import MANGKURAWANG, RAPAK_LAMBUR, Trantib

from simpul_platform.events import Envelope

pytestmark = pytest.mark.integration
NOTES = "/v1/early-detection-notes"


def note_body(posyandu: str, **overrides: Any) -> dict[str, Any]:
    return {
        "posyandu_id": posyandu,
        "observed_on": "2026-03-01",
        "category": "konflik_sosial",
        "level": "tinggi",
        "summary": "Dua kelompok pemuda saling ancam di lapangan bola setelah pertandingan.",
        **overrides,
    }


async def test_notes_are_written_within_the_wilayah_and_listed(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    elsewhere = await tr.known_posyandu(MANGKURAWANG)
    by_linmas = await tr.client.post(NOTES, json=note_body(posyandu), headers=tr.linmas)
    assert by_linmas.status_code == 201, by_linmas.text
    note = by_linmas.json()
    assert (note["desa_code"], note["created_by"], note["report_id"]) == (
        RAPAK_LAMBUR,
        "linmas-rapak",
        None,
    )
    low = note_body(posyandu, level="rendah", category="keributan", observed_on="2026-03-02")
    assert (await tr.client.post(NOTES, json=low, headers=tr.kader)).status_code == 201
    assert (
        await tr.client.post(NOTES, json=note_body(posyandu), headers=tr.damkar)
    ).status_code == 403
    outside = await tr.client.post(NOTES, json=note_body(elsewhere), headers=tr.linmas)
    assert outside.status_code == 403
    future = await tr.client.post(
        NOTES, json=note_body(posyandu, observed_on="2099-01-01"), headers=tr.kader
    )
    assert [(e["field"], e["rule"]) for e in future.json()["errors"]] == [
        ("body.observed_on", "not_in_future")
    ]

    listed = (await tr.client.get(NOTES, headers=tr.kader)).json()
    assert [n["observed_on"] for n in listed] == ["2026-03-02", "2026-03-01"]
    high = await tr.client.get(NOTES, params={"level": "tinggi"}, headers=tr.satpolpp)
    assert [n["id"] for n in high.json()] == [note["id"]]
    assert (await tr.client.get(NOTES, headers=tr.dpmd)).status_code == 403


async def test_a_note_is_escalated_into_a_report_once(trantib: Trantib) -> None:
    tr = trantib
    posyandu = await tr.known_posyandu()
    note = (await tr.client.post(NOTES, json=note_body(posyandu), headers=tr.linmas)).json()
    escalate = f"{NOTES}/{note['id']}/escalate"
    place = {"place": "Lapangan bola Rapak Lambur", "reported_on": "2026-03-02"}
    assert (await tr.client.post(escalate, json=place, headers=tr.kader)).status_code == 403

    opened = await tr.client.post(escalate, json=place, headers=tr.satpolpp)
    assert opened.status_code == 201, opened.text
    report = opened.json()
    assert (report["source"], report["category"], report["status"]) == (
        "deteksi_dini",
        "konflik_sosial",
        "reported",
    )
    assert report["early_detection_note_id"] == note["id"]
    # No time given: the start of the observed day, in the deployment's time zone (WITA).
    occurred = datetime.fromisoformat(report["occurred_at"])
    assert (occurred, occurred.utcoffset()) == (datetime(2026, 2, 28, 16, tzinfo=UTC), timedelta(0))
    escalated = await tr.client.get(NOTES, params={"escalated": "true"}, headers=tr.linmas)
    assert [(n["id"], n["report_id"]) for n in escalated.json()] == [(note["id"], report["id"])]

    again = await tr.client.post(escalate, json=place, headers=tr.satpolpp)
    assert again.status_code == 409, again.text
    assert again.json()["report_id"] == report["id"] and report["id"] in again.json()["detail"]
    missing = await tr.client.post(f"{NOTES}/nope/escalate", json=place, headers=tr.satpolpp)
    assert missing.status_code == 404

    [event] = [
        Envelope.from_kafka(r.key, r.value, list(r.headers))
        for r in await topic_records(tr, expected=1)
    ]
    assert event.type == "trantib.order_report.opened.v1"
    assert (event.data["source"], event.data["category"], event.data["desa_code"]) == (
        "deteksi_dini",
        "konflik_sosial",
        RAPAK_LAMBUR,
    )
