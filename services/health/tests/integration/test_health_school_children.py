"""Education's children reach health through education's events only: registered and status
changes become ``school_age_children`` rows, redelivery and late (older) events change
nothing, a move recounts the child's screenings at its old and new posyandu."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from health_school_kit import (
    Education,
    applied,
    child_row,
    kept_rows_match_a_recount,
    screening_body,
    spm,
)
from health_testkit import DESA, OTHER_DESA, TODAY, Health

from simpul_platform.events import new_id
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.polling import eventually

pytestmark = pytest.mark.integration
REF = "a" * 64


async def test_registered_and_status_events_keep_the_child_idempotent_and_in_order(
    health: Health,
) -> None:
    mawar = await health.posyandu("Posyandu Mawar", DESA)
    melati = await health.posyandu("Posyandu Melati", OTHER_DESA)
    child_id, t0 = new_id(), datetime(2026, 3, 2, 8, tzinfo=UTC)
    async with health.peer("education") as peer:
        education = Education(peer)
        registered = await education.register(mawar, DESA, REF, 2016, child_id=child_id, at=t0)
        row = await applied(health, child_id, registered)
        assert (row.person_ref, row.posyandu_id, row.desa_code, row.birth_year) == (
            REF,
            mawar,
            DESA,
            2016,
        )
        assert (row.kecamatan_code, row.kabupaten_code) == ("64.02.06", "64.02")
        assert row.birth_month is None and row.status is None

        # Moved to Melati in May: 118 months old on 2 March 2026 → born May 2016.
        moved = await education.status(
            child_id,
            melati,
            OTHER_DESA,
            REF,
            date(2016, 5, 1),
            date(2026, 3, 2),
            at=t0 + timedelta(days=60),
        )
        row = await applied(health, child_id, moved)
        assert (row.posyandu_id, row.desa_code, row.status) == (melati, OTHER_DESA, "sd")
        assert row.birth_month == date(2016, 5, 1) and row.birth_year == 2016

        # The same event again, and an older one arriving late: neither changes the row.
        await peer.redeliver(registered)
        late = await education.status(
            child_id,
            mawar,
            DESA,
            REF,
            date(2016, 4, 1),
            date(2026, 3, 1),
            status="out_of_school",
            at=t0 + timedelta(days=1),
        )
        # A marker after them on the same posyandu key: once it is applied, they were too.
        marker_id = new_id()
        marker = await education.register(melati, OTHER_DESA, "b" * 64, 2015, child_id=marker_id)
        await applied(health, marker_id, marker)
    row = await child_row(health, child_id)
    assert row is not None and row.last_event_id == moved.id
    assert (row.posyandu_id, row.status, row.birth_month) == (melati, "sd", date(2016, 5, 1))
    assert late.id != row.last_event_id


async def test_a_child_who_appears_or_moves_is_counted_where_education_places_it(
    health: Health,
) -> None:
    mawar = await health.posyandu("Posyandu Mawar", DESA)
    melati = await health.posyandu("Posyandu Melati", OTHER_DESA)
    period = f"{TODAY:%Y-%m}"
    born = date(TODAY.year - 9, 1, 1)
    target = await health.target(mawar, born, serial=41)
    # Screened before education knows the child: nothing to count yet.
    response = await health.client.post(
        "/v1/school-screenings", json=screening_body(target["id"], TODAY), headers=health.kader
    )
    assert response.status_code == 201, response.text
    assert await spm(health, period, posyandu_id=mawar) == (0, 0)

    child_id = new_id()
    async with health.peer("education") as peer:
        education = Education(peer)
        registered = await education.register(
            melati, OTHER_DESA, target["person_ref"], born.year, child_id=child_id
        )
        await applied(health, child_id, registered)
        # Counted at education's posyandu (Melati), though screened at Mawar.
        assert await spm(health, period, posyandu_id=melati) == (1, 1)
        assert await spm(health, period, posyandu_id=mawar) == (0, 0)
        moved = await education.status(child_id, mawar, DESA, target["person_ref"], born, TODAY)
        await applied(health, child_id, moved)
    assert await spm(health, period, posyandu_id=mawar) == (1, 1)
    assert await spm(health, period, posyandu_id=melati) == (0, 0)
    assert await spm(health, f"{TODAY.year}", wilayah="64.02") == (1, 1)
    rows = await kept_rows_match_a_recount(health)
    assert {(r.posyandu_id, r.numerator) for r in rows if r.period == period} == {
        (mawar, 1),
        (melati, 0),
    }
    assert all(r.denominator == 0 for r in rows)  # the denominator is read, not kept


async def test_the_school_screening_event_carries_no_name_and_no_nik(health: Health) -> None:
    mawar = await health.posyandu()
    target = await health.target(mawar, date(TODAY.year - 8, 2, 3), serial=42, name="Siti Aminah")
    response = await health.client.post(
        "/v1/school-screenings",
        json=screening_body(target["id"], TODAY, hb_g_dl=10.9, mental_emotional="at_risk"),
        headers=health.kader,
    )
    assert response.status_code == 201, response.text
    screening = response.json()
    topic = health.settings.topic("simpul.health.v1")

    async def published() -> list | None:
        events = await read_envelopes(health.settings.kafka_bootstrap_servers, topic, expected=1)
        return [e for e in events if e.type == "health.school_screening.recorded.v1"] or None

    (event,) = await eventually(published)
    assert event.subject == screening["id"] and event.posyandu_id == mawar
    assert event.data == {
        "screening_id": screening["id"],
        "person_ref": target["person_ref"],
        "posyandu_id": mawar,
        "desa_code": DESA,
        "screened_on": TODAY.isoformat(),
        "jenjang": "sd",
        "kelas": 3,
        "to_standard": True,
        "follow_up": "referred_to_puskesmas",
    }
    wire = str(event.data) + str(event.extra)
    assert target["nik"] not in wire and "Siti" not in wire and "caries" not in wire
